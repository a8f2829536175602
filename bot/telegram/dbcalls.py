"""Blocking database calls from the event loop, on threads of their own.

Answering runs CPU work (encoding, OCR) on the default executor; if the inbox and the outbox queued
behind it, a lease could lapse while a worker is merely waiting for a thread. Database calls get a
small pool of their own instead.

The calls every update makes (record, claim, preload, reply journal, finish) go through
:func:`db_batch` instead: one thread per database runs whatever calls were queued meanwhile in one
transaction (a group commit). Under load that is one thread hand-off and one commit for many
updates instead of one each; measured, the hand-offs and transactions were the largest cost of an
answer after the answer pipeline itself (bench/RESULTS.md). A call's result is delivered only after
its transaction committed, so "stored before acknowledged" holds as before.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import queue
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.storage.database import Database
from common.pools import pool

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BATCH = 64  # calls in one transaction: bounds how long the SQLite write lock is held
IDLE_S = 30.0  # a batch thread with nothing to do for this long ends (a new call starts another)


DB_THREADS = 4


async def db_call(func: Callable[..., T], *args: Any) -> T:
    """``await db_call(store.claim, 10)``: like ``asyncio.to_thread`` on the database pool."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await loop.run_in_executor(pool("db", DB_THREADS), functools.partial(context.run, func, *args))


@dataclass
class _Call:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    func: Callable[..., Any]
    args: tuple[Any, ...]
    result: Any = None
    error: BaseException | None = None


def _settle(calls: list[_Call]) -> None:
    for call in calls:
        if call.future.cancelled():
            continue
        if call.error is not None:
            call.future.set_exception(call.error)
        else:
            call.future.set_result(call.result)


class Batcher:
    """Runs ``func(*args, session=s)`` calls of one database, those queued together in one transaction."""

    def __init__(self, db: Database):
        self._db = weakref.ref(db)  # the registry below must not keep a database alive
        self._queue: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.transactions = 0

    async def call(self, func: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        call = _Call(loop, loop.create_future(), func, args)
        self._queue.put(call)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="memebot-db-batch", daemon=True)
                self._thread.start()
        return await call.future

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=IDLE_S)]
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # a call queued after this check starts a new thread
                        self._thread = None
                        return
                continue
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._execute(batch)
            self._deliver(batch)

    def _session(self) -> Session:
        db = self._db()
        if db is None:
            raise RuntimeError("the database was closed")
        return db.session()

    def _execute(self, batch: list[_Call]) -> None:
        try:
            with self._session() as session:
                for call in batch:
                    call.result = call.func(*call.args, session=session)
            self.transactions += 1
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
        # One call failed and took the transaction with it: each call again on its own, so only
        # the failing one reports an error (the others' work was rolled back with the batch).
        logger.debug("a batch of %d database calls failed; running them one by one", len(batch))
        for call in batch:
            call.result, call.error = None, None
            try:
                with self._session() as session:
                    call.result = call.func(*call.args, session=session)
            except Exception as exc:
                call.error = exc

    @staticmethod
    def _deliver(batch: list[_Call]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Call]] = {}
        for call in batch:
            by_loop.setdefault(call.loop, []).append(call)
        for loop, calls in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, calls)
            except RuntimeError:  # that loop is closed: nobody waits for these results any more
                pass


_BATCHERS: weakref.WeakKeyDictionary[Database, Batcher] = weakref.WeakKeyDictionary()
_BATCHERS_LOCK = threading.Lock()


def batcher(db: Database) -> Batcher:
    with _BATCHERS_LOCK:
        found = _BATCHERS.get(db)
        if found is None:
            found = _BATCHERS[db] = Batcher(db)
        return found


async def db_batch(db: Database, func: Callable[..., T], *args: Any) -> T:
    """``await db_batch(store.db, store.claim, 10)``: ``store.claim(10, session=s)`` in a shared transaction.

    ``func`` must take ``session`` and do all its work in it (no commits of its own).
    """
    return await batcher(db).call(func, *args)
