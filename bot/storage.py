"""The bot's database (SQLAlchemy 2.x): feedback, meme submissions and the moderation audit log.

SQLite under ``MEMEBOT_HOME`` by default, PostgreSQL when ``MEMEBOT_DATABASE_URL`` says so.
The schema is managed by Alembic (``bot/migrations``); :func:`open_database` upgrades to head.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    """A 👍/👎 on an answer: who, for which question and which note."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    query: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(String(200))
    vote: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnswerRecord(Base):
    """An answer the bot sent, so a feedback button can refer to it by a short id."""

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


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a process crash; no fsync per commit
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def migrate(url: str) -> None:
    """Upgrade the schema at ``url`` to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


class Database:
    """An engine plus a session factory. ``with db.session() as s: ...`` commits on success."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self.url = url
        self.engine = create_engine(url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions.begin()  # type: ignore[return-value]

    def dispose(self) -> None:
        self.engine.dispose()

    # -------------------------------------------------------------- small helpers used by the bot

    def record_answer(self, user_id: int, chat_id: int, query: str, slug: str | None, lang: str) -> int:
        with self.session() as s:
            row = AnswerRecord(user_id=user_id, chat_id=chat_id, query=query[:2000], slug=slug, lang=lang)
            s.add(row)
            s.flush()
            return row.id

    def answer_record(self, answer_id: int) -> AnswerRecord | None:
        with self._sessions() as s:
            return s.get(AnswerRecord, answer_id)

    def add_feedback(self, user_id: int, chat_id: int, query: str, slug: str, vote: int) -> int:
        with self.session() as s:
            row = Feedback(user_id=user_id, chat_id=chat_id, query=query, slug=slug, vote=vote)
            s.add(row)
            s.flush()
            return row.id

    def feedback(self) -> list[Feedback]:
        with self._sessions() as s:
            return list(s.scalars(select(Feedback).order_by(Feedback.id)))


def open_database(url: str) -> Database:
    """Migrate the schema to head and return a :class:`Database`."""
    db = Database(url)
    migrate(db.url)
    return db
