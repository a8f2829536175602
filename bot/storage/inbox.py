"""The inbox: Telegram updates recorded before Telegram is told they arrived, and the replies sent per update.

:class:`InboxStore` is the database side of :mod:`bot.telegram.inbox` (no Telegram types here: an
update is its JSON). Recording is idempotent (a redelivered update id is ignored), claiming is safe
between processes (:mod:`bot.storage.queue`), and the Bot API calls made while handling an update
are kept with their results, so handling it again after a crash replays them instead of sending twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.storage import queue
from bot.storage.database import Database
from bot.storage.models import InboxUpdate, UpdateReply, utcnow
from bot.storage.state import StateKey, StateStore

logger = logging.getLogger(__name__)

KEEP_FINISHED = timedelta(
    days=2
)  # Telegram keeps unconfirmed updates for 24 hours: redeliveries are still recognised


@dataclass(frozen=True)
class ClaimedUpdate:
    """An update this worker now owns: its id, JSON and how many times handling it was started."""

    update_id: int
    payload: dict[str, Any]
    attempts: int


class InboxStore:
    """Database operations of the inbox for one worker (``owner``)."""

    def __init__(self, db: Database, owner: str | None = None, lease_s: float = 30.0):
        self.db = db
        self.owner = owner or queue.worker_id()
        self.lease_s = lease_s

    # ``session``: run inside the caller's transaction (the bot batches concurrent calls into one,
    # :mod:`bot.telegram.dbcalls`); without it each call is a transaction of its own.

    def record(
        self, updates: list[tuple[int, int | None, dict[str, Any]]], session: Session | None = None
    ) -> int:
        """Store ``(update_id, chat_key, payload)`` rows in one transaction; returns how many were new."""
        now = utcnow()
        rows = [
            {
                "id": uid,
                "chat_key": chat,
                "payload": payload,
                "state": queue.PENDING,
                "attempts": 0,
                "available_at": now,
                "created_at": now,
            }
            for uid, chat, payload in updates
        ]
        with self.db.transaction(session) as s:
            return queue.insert_ignoring_duplicates(s, InboxUpdate, rows)

    def claim(self, limit: int, session: Session | None = None) -> list[ClaimedUpdate]:
        with self.db.transaction(session) as s:
            rows = queue.claim(s, InboxUpdate, self.owner, self.lease_s, limit)
        return [ClaimedUpdate(r.id, r.payload, r.attempts) for r in rows]

    def finish(self, update_id: int, error: str | None = None) -> bool:
        with self.db.session() as s:
            return queue.finish(
                s, InboxUpdate, update_id, self.owner, queue.FAILED if error else queue.DONE, error=error
            )

    def finish_with_state(
        self, update_id: int, changes: dict[StateKey, Any], writer: str, session: Session | None = None
    ) -> bool:
        """Write the states the update changed and mark it done, in one transaction."""
        with self.db.transaction(session) as s:
            if changes:
                StateStore(self.db).write(changes, writer, s)
            return queue.finish(s, InboxUpdate, update_id, self.owner)

    def retry_later(self, update_id: int, delay_s: float, error: str) -> bool:
        with self.db.session() as s:
            return queue.retry_later(s, InboxUpdate, update_id, self.owner, delay_s, error)

    def renew(self, update_ids: list[int]) -> None:
        with self.db.session() as s:
            queue.renew(s, InboxUpdate, self.owner, update_ids, self.lease_s)

    def release_all(self) -> int:
        with self.db.session() as s:
            return queue.release_all(s, InboxUpdate)

    def prune(self) -> int:
        """Forget finished updates (and their replies) older than two days."""
        with self.db.session() as s:
            cutoff = utcnow() - KEEP_FINISHED
            old = select(InboxUpdate.id).where(
                InboxUpdate.state.in_((queue.DONE, queue.FAILED)), InboxUpdate.finished_at < cutoff
            )
            s.execute(delete(UpdateReply).where(UpdateReply.update_id.in_(old)))
            return queue.prune(s, InboxUpdate, KEEP_FINISHED)

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return queue.counts(s, InboxUpdate)

    # ------------------------------------------------------------------ replies made while handling an update

    def replies(self, update_id: int) -> dict[int, tuple[str, Any]]:
        """``seq → (method, result)`` of the calls already made for ``update_id``."""
        with self.db.session() as s:
            rows = s.execute(
                select(UpdateReply.seq, UpdateReply.method, UpdateReply.result).where(
                    UpdateReply.update_id == update_id
                )
            )
            return {seq: (method, result) for seq, method, result in rows}

    def record_reply(
        self, update_id: int, seq: int, method: str, result: Any, session: Session | None = None
    ) -> None:
        """A call made while handling ``update_id`` (the ``seq``-th), with Telegram's answer."""
        row = {"update_id": update_id, "seq": seq, "method": method, "result": result, "created_at": utcnow()}
        with self.db.transaction(session) as s:
            queue.insert_ignoring_duplicates(s, UpdateReply, [row])
