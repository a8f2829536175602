"""The outbox: messages the moderation workflow owes people, stored with the change that owes them.

A state change (a submission confirmed, published or rejected) calls :func:`owe` inside its own
transaction, so the change and the debt are committed together. :mod:`bot.telegram.outbox` claims
due rows (safely shared by replicas, :mod:`bot.storage.queue`), sends them, and on failure retries
with backoff. A row's ``key`` is unique: owing the same message twice stores it once.

Kinds: ``admin_card`` (a new submission with decision buttons, to one admin), ``card_update`` (that
card edited after a decision), ``verdict`` (the submitter told the outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import queue
from bot.storage.database import Database
from bot.storage.models import OutboxMessage, utcnow

ADMIN_CARD, CARD_UPDATE, VERDICT = "admin_card", "card_update", "verdict"
KEEP_FINISHED = timedelta(days=30)


def owe(
    s: Session,
    key: str,
    kind: str,
    chat_id: int,
    submission_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Store a message to send, inside the caller's transaction (a second one with the same key is ignored)."""
    now = utcnow()
    row = {
        "key": key[:120], "kind": kind, "chat_key": chat_id, "submission_id": submission_id, "payload": payload or {},
        "state": queue.PENDING, "attempts": 0, "available_at": now, "created_at": now,
    }  # fmt: skip
    queue.insert_ignoring_duplicates(s, OutboxMessage, [row])


def card_key(submission_id: int, admin_id: int) -> str:
    return f"card:{submission_id}:{admin_id}"


@dataclass(frozen=True)
class OwedMessage:
    """A claimed outbox row."""

    id: int
    key: str
    kind: str
    chat_id: int
    submission_id: int | None
    payload: dict[str, Any]
    attempts: int


class OutboxStore:
    """Database operations of the outbox for one worker (``owner``)."""

    def __init__(self, db: Database, owner: str | None = None, lease_s: float = 60.0):
        self.db = db
        self.owner = owner or queue.worker_id()
        self.lease_s = lease_s

    def owe(
        self,
        key: str,
        kind: str,
        chat_id: int,
        submission_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        with self.db.session() as s:
            owe(s, key, kind, chat_id, submission_id, payload)

    def claim(self, limit: int) -> list[OwedMessage]:
        with self.db.session() as s:
            rows = queue.claim(s, OutboxMessage, self.owner, self.lease_s, limit)
        return [
            OwedMessage(r.id, r.key, r.kind, r.chat_key, r.submission_id, r.payload or {}, r.attempts)
            for r in rows
        ]

    def sent(self, row_id: int, result: Any = None) -> bool:
        with self.db.session() as s:
            return queue.finish(s, OutboxMessage, row_id, self.owner, result=result, error=None)

    def failed(self, row_id: int, error: str) -> bool:
        with self.db.session() as s:
            return queue.finish(s, OutboxMessage, row_id, self.owner, queue.FAILED, error=error[:2000])

    def retry_later(self, row_id: int, delay_s: float, error: str) -> bool:
        with self.db.session() as s:
            return queue.retry_later(s, OutboxMessage, row_id, self.owner, delay_s, error)

    def renew(self, row_ids: list[int]) -> None:
        with self.db.session() as s:
            queue.renew(s, OutboxMessage, self.owner, row_ids, self.lease_s)

    def release_all(self) -> int:
        with self.db.session() as s:
            return queue.release_all(s, OutboxMessage)

    def prune(self) -> int:
        with self.db.session() as s:
            return queue.prune(s, OutboxMessage, KEEP_FINISHED)

    def result_of(self, key: str) -> tuple[str, Any] | None:
        """``(state, result)`` of the row with ``key``, if there is one."""
        with self.db.session() as s:
            row = s.execute(
                select(OutboxMessage.state, OutboxMessage.result).where(OutboxMessage.key == key)
            ).one_or_none()
            return (row[0], row[1]) if row is not None else None

    def rows(self, kind: str | None = None) -> list[OutboxMessage]:
        """Every row (oldest first), for tests and ``memebot admin``."""
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        with self.db.session() as s:
            return list(s.scalars(query))

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return queue.counts(s, OutboxMessage)
