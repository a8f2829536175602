"""Blocking database calls from the event loop, on threads of their own.

Answering runs CPU work (encoding, OCR) on the default executor; if the inbox and the outbox queued
behind it, a lease could lapse while a worker is merely waiting for a thread. Database calls get a
small pool of their own instead.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="memebot-db")
    return _POOL


async def db_call(func: Callable[..., T], *args: Any) -> T:
    """``await db_call(store.claim, 10)``: like ``asyncio.to_thread`` on the database pool."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await loop.run_in_executor(_pool(), functools.partial(context.run, func, *args))
