"""The bot's database: engine, sessions and schema migrations (the tables are in :mod:`bot.storage.models`).

SQLite under ``MEMEBOT_HOME`` by default, PostgreSQL when ``MEMEBOT_DATABASE_URL`` says so.
The schema is managed by Alembic (``bot/storage/migrations``); :func:`open_database` upgrades to head.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from common.files import file_lock

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION_RE = re.compile(r'^(down_revision|revision) = (?:"([^"]*)"|None)$', re.M)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(
            "PRAGMA synchronous=NORMAL"
        )  # WAL: a commit survives a process crash; no fsync per commit
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def upsert_insert(dialect: str) -> Callable[..., Any]:
    """The ``insert`` whose statements take ``on_conflict_do_nothing/update`` for the ``dialect`` named
    (``"postgresql"`` or ``"sqlite"``). PostgreSQL's dialect is imported only for a PostgreSQL
    database: on SQLite its import was ~0.1 s of every bot start."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def head_revision() -> str | None:
    """The newest revision in ``migrations/versions``, read from the files' ``revision`` lines (no
    Alembic import); None when the chain is not one line of revisions (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_RE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """The database's Alembic version is the head already (a restart, another replica's schema)."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    except SQLAlchemyError:  # no table yet (a new database), or one this check cannot read: Alembic decides
        return False
    return versions == [head]


def migrate(url: str) -> None:
    """Upgrade the schema at ``url`` to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if url.startswith("sqlite:///"):
        # Two processes opening a fresh SQLite file at once: one migrates, the other waits (PostgreSQL: env.py locks).
        path = Path(url.removeprefix("sqlite:///"))
        with file_lock(path.parent / f".{path.name}.migrate.lock"):
            command.upgrade(config, "head")
        return
    command.upgrade(config, "head")


class Database:
    """An engine plus a session factory. ``with db.session() as s: ...`` commits on success."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self.url = url
        # A ping before every checkout finds server connections that died (PostgreSQL restarts); a
        # SQLite file cannot drop a connection, and the ping cost a query per transaction.
        sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, future=True, pool_pre_ping=not sqlite)
        if sqlite:
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions.begin()  # type: ignore[return-value]

    @contextmanager
    def transaction(self, session: Session | None = None) -> Iterator[Session]:
        """``session`` when the caller has one open (its commit is the caller's), else a new transaction."""
        if session is not None:
            yield session
            return
        with self.session() as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Migrate the schema to head and return a :class:`Database`.

    A database already at the head is left alone without importing Alembic, whose import costs a
    bot start ~0.2 s (with the PostgreSQL dialect it loads; bench/bench_bot.py ``--starts``).
    """
    db = Database(url)
    if not _at_head(db.engine):
        # The check's pooled SQLite connection predates the new schema, and a PRAGMA on it (index_list)
        # would not see the tables Alembic adds: new connections after the upgrade.
        db.engine.dispose()
        migrate(db.url)
    return db
