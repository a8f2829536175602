"""The bot's tables (SQLAlchemy 2.x ORM): submissions, the moderation audit log, the durability tables
(inbox of updates, replies sent per update, outbox of owed messages, conversation and user/chat state,
the people the bot knows, named locks), and the legacy answer and feedback tables (answer outcomes and
votes now live in :mod:`bot.storage.learning`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    """Legacy (before revision 0004): a 👍/👎 with the raw user id. No longer written; purged by
    retention and ``/forget`` (votes are now :class:`bot.storage.learning.Vote`)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    query: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(String(200))
    vote: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnswerRecord(Base):
    """Legacy (before revision 0004): an answer with the raw user id. No longer written; purged by
    retention and ``/forget`` (answers are now :class:`bot.storage.learning.Outcome`)."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    query: Mapped[str] = mapped_column(Text)
    slug: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Submission(Base):
    """A meme proposed by a user. Status: pending → approved → published, or rejected."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_lang: Mapped[str] = mapped_column(String(2), default="ru")
    title: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")
    image_sha256: Mapped[str] = mapped_column(String(64))
    image_phash: Mapped[str] = mapped_column(String(32))
    image_ext: Mapped[str] = mapped_column(String(8), default="png")
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    slug: Mapped[str | None] = mapped_column(String(200), nullable=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    notified: Mapped[int] = mapped_column(Integer, default=0)
    user_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    explanation_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "meme" (a picture from a user) or "note" (a concept note an admin drafted from wanted questions:
    # no picture, ``explanation`` is the note body, ``questions`` the cluster's questions it answers).
    kind: Mapped[str] = mapped_column(String(16), default="meme", server_default="meme")
    questions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "title": self.title,
            "explanation": self.explanation,
            "reason": self.reason,
            "slug": self.slug,
            "aliases": list(self.aliases or []),
            "related": list(self.related or []),
            "title_en": self.title_en,
            "explanation_en": self.explanation_en,
            **({"kind": self.kind} if self.kind == "note" else {}),
        }


class AuditEntry(Base):
    """Who did what to which submission, when, with the state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    allowed: Mapped[int] = mapped_column(Integer, default=1)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# ---------------------------------------------------------------------------------- durability
# Queue rows (inbox, outbox) share the claim columns used by bot.storage.queue: state, attempts,
# owner + lease_until (a claim that lapses when its process dies), available_at (backoff), chat_key
# (rows of one chat are handled in order).


class InboxUpdate(Base):
    """A Telegram update, recorded before Telegram is told it arrived; processed from here, then marked done."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_claim", "state", "available_at"),
        # the claim's "no earlier unfinished row in this chat" seeks (chat, unfinished state, id): with
        # (chat, id) it read every finished row of the chat kept for two days (bench/bench_queue.py)
        Index("ix_inbox_chat_state", "chat_key", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # Telegram's update_id
    chat_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    available_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class UpdateReply(Base):
    """A Bot API call made while handling an update (the n-th one), with its result: replayed, never re-sent."""

    __tablename__ = "update_replies"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    method: Mapped[str] = mapped_column(String(64))
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboxMessage(Base):
    """A message the workflow owes someone (a verdict, an admin card, a card update), written in the same
    transaction as the state change that owes it, and sent by a retrying worker."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_claim", "state", "available_at"),
        # the claim's "no earlier unfinished row in this chat" seeks (chat, unfinished state, id): with
        # (chat, id) it read every finished row of the chat kept for two days (bench/bench_queue.py)
        Index("ix_outbox_chat_state", "chat_key", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    chat_key: Mapped[int] = mapped_column(BigInteger)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    available_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class BotState(Base):
    """PTB persistence: conversation states, user_data, chat_data, bot_data (JSON), one row per key."""

    __tablename__ = "bot_state"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON, nullable=True)
    writer: Mapped[str | None] = mapped_column(String(80), nullable=True)  # the process that wrote it last
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Person(Base):
    """Someone who wrote to the bot: the name admins see and the language texts are sent in."""

    __tablename__ = "people"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(2), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class NamedLock(Base):
    """A row whose update serialises a check-then-insert across processes (SQLite and PostgreSQL alike)."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
