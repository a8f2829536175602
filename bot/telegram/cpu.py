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
from typing import Any, TypeVar

from common.pools import pool

T = TypeVar("T")


def answer_threads() -> int:
    """One per core (at least two: a long answer must not hold up every other chat)."""
    return max(2, os.cpu_count() or 2)


async def cpu_call(func: Callable[..., T], *args: Any) -> T:
    """``await cpu_call(pipeline.answer, query, None, state)``: like ``asyncio.to_thread``, on the answer pool."""
    return await asyncio.get_running_loop().run_in_executor(
        pool("answer", answer_threads()), functools.partial(func, *args)
    )
