"""The emulator: the server, the simulated users and the Bot API method groups composed over one state."""

from __future__ import annotations

from .methods import (
    CommandMethods,
    FileMethods,
    InteractiveMethods,
    MediaMethods,
    MessageMethods,
    UpdateMethods,
)
from .server import Server
from .users import SimulatedUsers


class BotApiEmulator(
    Server,
    SimulatedUsers,
    UpdateMethods,
    CommandMethods,
    MessageMethods,
    MediaMethods,
    InteractiveMethods,
    FileMethods,
):
    """A strict Bot API server on ``127.0.0.1`` (random free port) with helpers to simulate users and inspect calls.

    Use as ``async with BotApiEmulator(token=TOKEN) as emu:`` or call :meth:`start` / :meth:`stop`.
    Point PTB at ``emu.base_url`` (``f"{emu.url}/bot"``) and ``emu.base_file_url`` (``f"{emu.url}/file/bot"``).
    """
