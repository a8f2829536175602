"""The bot's tables (SQLAlchemy 2.x ORM): submissions, the moderation audit log, and the legacy answer and
feedback tables (answer outcomes and votes now live in :mod:`bot.storage.learning`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
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
    # "meme" (a picture from a user) or "note" (a concept note an admin drafted from wanted questions:
    # no picture, ``explanation`` is the note body, ``questions`` the cluster's questions it answers).
    kind: Mapped[str] = mapped_column(String(16), default="meme", server_default="meme")
    title_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
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
            **({"kind": self.kind, "title_en": self.title_en} if self.kind == "note" else {}),
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
