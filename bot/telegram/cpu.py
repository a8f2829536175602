"""The answer pipeline's CPU work (encode, search, route), on a pool as large as the machine.

``asyncio.to_thread`` would use the default executor (cpu + 4 threads): on 2 cores six answers then
run at once, none faster, and every one of them competes with the event loop for the GIL, so
replies already computed wait to be sent. One thread per core keeps the cores busy and the loop
responsive; the questions beyond that wait their turn in order of arrival.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="memebot-answer"
        )
    return _POOL


async def cpu_call(func: Callable[..., T], *args: Any) -> T:
    """``await cpu_call(pipeline.answer, query, None, state)``: like ``asyncio.to_thread``, on the answer pool."""
    return await asyncio.get_running_loop().run_in_executor(_pool(), functools.partial(func, *args))
