"""The learning loop's tables: every answer's outcome, and one 👍/👎 per user per answer.

Nobody is stored by their Telegram id here: ``user_hash`` and ``chat_hash`` are keyed hashes
(HMAC-SHA256 with a secret, see :mod:`bot.analytics.identity`), so the rows can be counted per
person and deleted on request (``/forget``) but not traced back without the key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow


class Outcome(Base):
    """One answer the bot gave: when, in which language, what it decided, how fast, to which question.

    ``token`` is the short random id the 👍/👎 buttons carry. ``source`` is ``question`` for a
    question the user typed, ``shown`` for a note shown by a button, a picture or /random.
    ``resolved_slug`` is set when a note published from the wanted list answers the question.
    """

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    chat_hash: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(16), default="question")
    status: Mapped[str] = mapped_column(String(16), index=True)
    intent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    slug: Mapped[str | None] = mapped_column(String(200), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    query: Mapped[str] = mapped_column(Text)
    resolved_slug: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Vote(Base):
    """A 👍 (+1) or 👎 (-1) on an outcome; one per voter and outcome (a change of mind replaces it)."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("outcome_id", "user_hash", name="uq_votes_outcome_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    vote: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
