"""At-least-once update handling: record first, acknowledge after, handle from the inbox, mark done.

Both ways updates arrive (long polling in :mod:`bot.telegram.polling`, the webhook in
:mod:`bot.telegram.serve`) call :meth:`UpdateWorker.receive`, which stores them in the database
inbox before Telegram is told they arrived. The worker claims stored updates (safely shared by
replicas on one database), handles each with the Application, writes the conversation states it
changed and marks it done in one transaction. Updates left unfinished by a crash are claimed again
(at start, or when their lease lapses) and handled again; :mod:`bot.telegram.idempotent` keeps the
replies they already sent from being sent twice. Updates of one chat are handled in order.

When the database is unreachable the worker does not stop answering: updates are handled from
memory (as PTB does on its own) and a warning says durability is lost for them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application

from bot.storage.inbox import ClaimedUpdate, InboxStore
from bot.storage.people import PeopleStore
from bot.telegram.dbcalls import db_batch, db_call
from bot.telegram.idempotent import JOURNAL, ReplyJournal
from bot.telegram.persistence import DatabasePersistence

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = (
    5  # an update that brought the process down this often is set aside (logged), not retried forever
)
PRUNE_EVERY_S = 3600.0


def chat_key(update: Update) -> int | None:
    """Updates with the same key are handled in order: the chat, else the user; inline queries: none."""
    if update.inline_query is not None or update.chosen_inline_result is not None:
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class StoreReplyLog:
    """The reply journal's writes, on the database threads."""

    def __init__(self, store: InboxStore):
        self.store = store

    async def record(self, update_id: int, seq: int, method: str, result: Any) -> None:
        await db_batch(self.store.db, self.store.record_reply, update_id, seq, method, result)


class UpdateWorker:
    """Claims updates from the inbox and handles up to ``concurrency`` of them at once."""

    def __init__(
        self,
        application: Application,
        store: InboxStore | None,
        concurrency: int = 64,
        poll_s: float = 1.0,
        people: PeopleStore | None = None,
    ):
        self.application = application
        self.store = store
        self.people = people
        self.concurrency = concurrency
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._active: set[int] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._running = False
        self.handled = 0

    @property
    def persistence(self) -> DatabasePersistence | None:
        persistence = self.application.persistence
        return persistence if isinstance(persistence, DatabasePersistence) else None

    # ------------------------------------------------------------------ life cycle

    async def start(self, sole_consumer: bool) -> None:
        """Start claiming. ``sole_consumer`` (long polling): claims left by a dead process are taken back now."""
        self._running = True
        if self.store is not None and sole_consumer:
            try:
                released = await db_call(self.store.release_all)
                if released:
                    logger.info("taking back %d updates left unfinished by the last run", released)
            except SQLAlchemyError:
                logger.warning("inbox unavailable at start", exc_info=True)
        self._loops = [
            asyncio.create_task(self._claim_loop(), name="inbox:claim"),
            asyncio.create_task(self._upkeep_loop(), name="inbox:upkeep"),
        ]

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, let updates in hand finish (their claims lapse if they don't)."""
        self._running = False
        self._wake.set()
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
        if self.persistence is not None:
            await self.persistence.flush()

    def wake(self) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ receiving

    async def receive(self, updates: list[Update]) -> bool:
        """Store updates durably (then the caller may acknowledge them). False: handled from memory instead."""
        if not updates:
            return True
        if self.store is not None:
            rows = [(u.update_id, chat_key(u), u.to_dict()) for u in updates]
            try:
                await db_batch(self.store.db, self.store.record, rows)
            except SQLAlchemyError:
                logger.warning(
                    "inbox unavailable: handling updates %s from memory (not durable)",
                    [u.update_id for u in updates],
                    exc_info=True,
                )
            else:
                self.wake()
                return True
        for update in updates:
            self._spawn(self._handle_in_memory(update))
        return False

    # ------------------------------------------------------------------ claiming and handling

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _claim_loop(self) -> None:
        while self._running:
            self._wake.clear()
            room = self.concurrency - len(self._active)
            claimed: list[ClaimedUpdate] = []
            if room > 0 and self.store is not None:
                try:
                    claimed = await db_batch(self.store.db, self.store.claim, room)
                except SQLAlchemyError:
                    logger.warning("inbox unavailable: cannot claim updates", exc_info=True)
            for item in claimed:
                self._active.add(item.update_id)
                self._spawn(self._handle_claimed(item))
            if claimed and len(claimed) == room:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            except TimeoutError:
                pass

    async def _upkeep_loop(self) -> None:
        """Renew the leases of updates in hand, write staged states, forget old updates now and then."""
        interval = max(0.5, (self.store.lease_s if self.store else 30.0) / 3)
        since_prune = PRUNE_EVERY_S
        while self._running:
            await asyncio.sleep(interval)
            since_prune += interval
            if self.store is None:
                continue
            try:
                if self._active:
                    await db_call(self.store.renew, list(self._active))
                if since_prune >= PRUNE_EVERY_S:
                    since_prune = 0.0
                    await db_call(self.store.prune)
            except SQLAlchemyError:
                logger.warning("inbox upkeep failed", exc_info=True)
            if self.persistence is not None:
                await self.persistence.flush()

    async def _handle_claimed(self, item: ClaimedUpdate) -> None:
        assert self.store is not None
        try:
            if item.attempts > MAX_ATTEMPTS:
                logger.error(
                    "update %s was started %d times without finishing; setting it aside",
                    item.update_id,
                    item.attempts - 1,
                )
                await db_call(self.store.finish, item.update_id, "too many attempts")
                return
            update = Update.de_json(item.payload, self.application.bot)
            recorded = await db_call(self.store.replies, item.update_id) if item.attempts > 1 else {}
            journal = ReplyJournal(item.update_id, recorded, StoreReplyLog(self.store))
            await self._process(update, journal)
            await self._finish(item.update_id)
        except Exception as exc:
            logger.exception("update %s could not be handled; retrying later", item.update_id)
            delay = min(60.0, 2.0**item.attempts) * (0.5 + random.random())
            try:
                await db_call(self.store.retry_later, item.update_id, delay, f"{type(exc).__name__}: {exc}")
            except SQLAlchemyError:
                logger.warning("could not reschedule update %s; its lease will lapse", item.update_id)
        finally:
            self._active.discard(item.update_id)
            self.handled += 1
            self.wake()

    async def _handle_in_memory(self, update: Update) -> None:
        await self._process(update, None)
        if self.persistence is not None:
            await self.persistence.flush()

    async def _remember_sender(self, update: Update) -> None:
        """Keep the sender's name and language (admins' cards use them); never blocks handling."""
        user = update.effective_user
        if self.people is None or user is None or user.is_bot:
            return
        name = user.full_name + (f" @{user.username}" if user.username else "")
        if self.people.is_current(user.id, name, user.language_code):
            return
        try:
            await db_call(self.people.remember, user.id, name, user.language_code)
        except SQLAlchemyError:
            logger.info("could not remember user %s (database unavailable)", user.id)

    async def _process(self, update: Update, journal: ReplyJournal | None) -> None:
        await self._remember_sender(update)
        token = JOURNAL.set(journal)
        try:
            if self.persistence is not None:
                await self.persistence.preload(self.application, update)
            await self.application.process_update(update)
        finally:
            JOURNAL.reset(token)
        if self.persistence is not None:
            await self.application.update_persistence()

    async def _finish(self, update_id: int) -> None:
        """Mark the update done together with the states it changed (one transaction)."""
        assert self.store is not None
        staged = self.persistence.take_staged() if self.persistence is not None else {}
        try:
            await db_batch(
                self.store.db,
                self.store.finish_with_state,
                update_id,
                staged,
                self.persistence.writer if self.persistence else "",
            )
        except SQLAlchemyError:
            logger.warning(
                "could not mark update %s done; it may be handled again (replies are not repeated)",
                update_id,
                exc_info=True,
            )
            if self.persistence is not None:
                self.persistence.restage(staged)
