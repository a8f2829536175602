"""How long a claim of the update inbox takes as finished updates pile up (they are kept two days).

A fresh SQLite database (or ``--url``) gets ``N`` finished updates spread over ``--chats`` chats, then
200 pending ones; the script claims them 8 at a time (as the bot's worker does) and reports the
claim's p50 / p95 / max per ``N``.

    python bench/bench_queue.py [--finished 0 2000 10000] [--chats 20] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PENDING = 200
CLAIM_LIMIT = 8
BATCH = 500


def fill_finished(store: object, db: object, count: int, chats: int, first_id: int) -> int:
    """``count`` updates recorded, claimed and finished; returns the next free update id."""
    from bot.storage import queue
    from bot.storage.models import InboxUpdate

    uid = first_id
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        store.record([(uid + j, (uid + j) % chats, {"update_id": uid + j}) for j in range(size)])  # type: ignore[attr-defined]
        uid += size
        while claimed := store.claim(limit=BATCH):  # type: ignore[attr-defined]
            with db.transaction() as s:  # type: ignore[attr-defined]
                for update in claimed:
                    queue.finish(s, InboxUpdate, update.update_id, store.owner)  # type: ignore[attr-defined]
    return uid


def claim_times(url: str, finished: int, chats: int) -> np.ndarray:
    from bot.storage import queue
    from bot.storage.database import migrate, open_database
    from bot.storage.inbox import InboxStore
    from bot.storage.models import InboxUpdate

    migrate(url)
    db = open_database(url)
    store = InboxStore(db, owner="bench")
    uid = fill_finished(store, db, finished, chats, 1)
    store.record([(uid + j, j % chats, {"update_id": uid + j}) for j in range(PENDING)])
    times = []
    while True:
        started = time.perf_counter()
        claimed = store.claim(limit=CLAIM_LIMIT)
        times.append(time.perf_counter() - started)
        if not claimed:
            break
        with db.transaction() as s:
            for update in claimed:
                queue.finish(s, InboxUpdate, update.update_id, store.owner)
    db.dispose()
    return np.array(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--finished", type=int, nargs="+", default=[0, 2000, 10000])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--url", default=None, help="a database URL (default: a new SQLite file per run)")
    args = parser.parse_args()
    print("| finished updates kept | claims | p50 ms | p95 ms | max ms |\n|---:|---:|---:|---:|---:|")
    for finished in args.finished:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.url or f"sqlite:///{tmp}/bench.db"
            ms = claim_times(url, finished, args.chats)
        print(
            f"| {finished:,} | {len(ms)} | {np.percentile(ms, 50):.2f} | {np.percentile(ms, 95):.2f} | {ms.max():.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
