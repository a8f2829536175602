"""Wiring helpers: a free port, a PTB ``Application`` pointed at the emulator, a ready-made pytest fixture."""

from __future__ import annotations

import socket
from typing import Any

from .core import BotApiEmulator


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for a webhook server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def make_application(emu: BotApiEmulator, **builder_kwargs: Any):
    """A PTB ``Application`` pointed at the emulator. Each keyword calls the ``ApplicationBuilder`` method of
    that name, e.g. ``make_application(emu, rate_limiter=AIORateLimiter(max_retries=1), updater=None)``."""
    from telegram.ext import ApplicationBuilder

    builder = ApplicationBuilder().token(emu.token).base_url(emu.base_url).base_file_url(emu.base_file_url)
    for name, value in builder_kwargs.items():
        builder = getattr(builder, name)(value)
    return builder.build()


try:  # a ready-made fixture: import ``bot_api_emulator`` from the package into a test module or conftest
    import pytest_asyncio

    @pytest_asyncio.fixture(loop_scope="function")
    async def bot_api_emulator():
        async with BotApiEmulator() as emu:
            yield emu

except ImportError:  # pragma: no cover
    bot_api_emulator = None  # type: ignore[assignment]
