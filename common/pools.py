"""Named thread pools, started on first use and shared by the process.

Each pool is a leaf: work submitted to one never waits on work submitted to the same pool, so a
fixed number of workers cannot deadlock. Callers own the choice of size:

- ``answer`` (the bot): one thread per core runs whole answers;
- ``db`` (the bot): blocking database calls, apart from the answers;
- ``encode``: the second encoder of a question beside the first (onnxruntime releases the GIL);
- ``route``: the router's transformer beside search.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

_POOLS: dict[str, ThreadPoolExecutor] = {}
_LOCK = threading.Lock()


def pool(name: str, workers: int) -> ThreadPoolExecutor:
    """The process's pool called ``name`` (``workers`` threads; the size given first wins)."""
    with _LOCK:
        found = _POOLS.get(name)
        if found is None:
            found = _POOLS[name] = ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix=f"memebot-{name}"
            )
        return found
