"""The database on SQLite and on a real PostgreSQL server: migrations, compare-and-set,
concurrent approvals and crash recovery.

The PostgreSQL half runs when ``MEMEBOT_TEST_POSTGRES_URL`` is set (``scripts/pg-test.sh start DIR``
prints one); each test gets its own freshly created database on that server.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from bot.community.model import APPROVED, PENDING, PUBLISHED
from bot.community.publishing import Publisher
from bot.community.repository import SubmissionRepository
from bot.community.service import SubmissionService
from bot.storage import Database, Submission, open_database
from indexer.notes import load_notes
from tests.conftest import KNOWLEDGE

if TYPE_CHECKING:
    from alembic.config import Config

ADMINS = frozenset({1001, 1002})
AUTHOR = 501
PG_ENV = "MEMEBOT_TEST_POSTGRES_URL"


def _psycopg(url: str):
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a database created for this test on the server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'memebot.sqlite3'}"
        return
    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(f"{PG_ENV} is not set; start a server with: scripts/pg-test.sh start DIR")
    name = f"memebot_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_psycopg(server), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture()
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.dispose()


def png(seed: int, size: int = 256) -> bytes:
    """A random black-and-white block picture: different seeds give far-apart perceptual hashes."""
    blocks = np.random.default_rng(seed).integers(0, 2, size=(8, 8), dtype=np.uint8) * 255
    image = Image.fromarray(blocks, mode="L").resize((size, size), Image.NEAREST).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture()
def notes_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge"))


def notes_from(notes_dir: Path, submission_id: int) -> list[Path]:
    return [
        p
        for p in (notes_dir / "memes").glob("*.md")
        if f"source: submission {submission_id}\n" in p.read_text("utf-8")
    ]


def pending_submission(
    service: SubmissionService, seed: int = 1, title: str = "Лосс ушёл в NaN на пятничном деплое"
) -> int:
    draft = service.create_draft(
        AUTHOR,
        AUTHOR,
        "ru",
        png(seed),
        title,
        "Градиенты взорвались, и лосс стал NaN. Смешно всем, кто деплоил в пятницу.",
    )
    return service.confirm(draft.id, AUTHOR).id


# --------------------------------------------------------------------------- schema and feedback


def _alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration of the project's migrations (for ``url``, when given)."""
    from alembic.config import Config

    from bot.storage.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def test_migrations_apply_and_are_idempotent(database_url: str) -> None:
    db = open_database(database_url)
    db.dispose()
    db = open_database(database_url)  # a second upgrade is a no-op
    try:
        inspector = inspect(db.engine)
        tables = {
            "answers",
            "feedback",
            "submissions",
            "audit_log",
            "alembic_version",
            "inbox",
            "update_replies",
            "outbox",
            "bot_state",
            "people",
            "locks",
            "outcomes",
            "votes",
        }
        assert tables <= set(inspector.get_table_names())
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head_revision()
            )
        indexes = {ix["name"]: ix for ix in inspector.get_indexes("submissions")}
        assert indexes["uq_submissions_slug"]["unique"]
        columns = {c["name"] for c in inspector.get_columns("submissions")}
        assert {
            "status",
            "slug",
            "image_phash",
            "aliases",
            "related",
            "notified",
            "kind",
            "title_en",
            "questions",
        } <= columns
        assert {c["name"] for c in inspector.get_unique_constraints("votes")} == {"uq_votes_outcome_user"}
    finally:
        db.dispose()


def test_learning_loop_migration_goes_down_and_up_again(database_url: str) -> None:
    from alembic import command

    db = open_database(database_url)
    try:
        config = _alembic_config(db.url)
        command.downgrade(config, "0002")
        assert not {"outcomes", "votes"} & set(inspect(db.engine).get_table_names())
        assert "kind" not in {c["name"] for c in inspect(db.engine).get_columns("submissions")}
        command.upgrade(config, "head")
        assert {"outcomes", "votes"} <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_the_head_read_from_the_files_is_alembics() -> None:
    from bot.storage.database import head_revision

    assert head_revision() == _head_revision()


def test_serving_on_sqlite_does_not_import_the_postgresql_dialect(tmp_path: Path) -> None:
    """A restart on SQLite (the schema at head) that imports the serving modules and writes through
    every upsert leaves the PostgreSQL dialect unimported (~0.1 s of a bot start); :func:`upsert_insert`
    loads it on demand."""
    repo = Path(__file__).resolve().parents[1]
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    open_database(url).dispose()  # migrated here: Alembic's own import loads the dialect
    probe = f"""
import sys
import bot.cli.serving, bot.telegram.serve
from bot.storage.database import open_database
from bot.storage.inbox import InboxStore
from bot.storage.people import PeopleStore
from bot.storage.state import StateStore
db = open_database({url!r})
inbox = InboxStore(db, owner="probe")
inbox.record([(1, 7, {{"update_id": 1}})])
(claimed,) = inbox.claim(5)
inbox.record_reply(claimed.update_id, 0, "sendMessage", {{"ok": True}})
StateStore(db).write({{("dialogue", "7"): {{"note": "dropout"}}}}, "probe")
PeopleStore(db).remember(7, "Ann", "ru")
assert StateStore(db).load([("dialogue", "7")])[("dialogue", "7")][0] == {{"note": "dropout"}}
print(sorted(m for m in sys.modules if m.startswith("sqlalchemy.dialects.postgresql")))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_a_database_at_head_opens_without_alembic_and_an_older_one_is_upgraded(database_url: str) -> None:
    """A restart skips Alembic's import (~0.2 s of a bot start) only when the schema is at head: a
    database one revision behind is still upgraded."""
    from alembic import command

    repo = Path(__file__).resolve().parents[1]
    probe = (
        "import sys; from bot.storage.database import open_database; "
        f"open_database({database_url!r}).dispose(); print('alembic' in sys.modules)"
    )

    def opened_with_alembic() -> bool:
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=True
        )
        return out.stdout.strip() == "True"

    assert opened_with_alembic()  # a new database is migrated
    assert not opened_with_alembic()  # at head: nothing to do
    db = open_database(database_url)
    try:
        command.downgrade(_alembic_config(db.url), "0004")
        assert opened_with_alembic()
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head_revision()
            )
    finally:
        db.dispose()


def test_a_claim_reads_only_the_unfinished_rows_of_a_chat(database_url: str) -> None:
    """A claim checks that no earlier row of the chat is unfinished; finished rows are kept two days,
    so the queues' chat index holds the state and the check seeks the unfinished rows alone (with
    ``(chat_key, id)`` it read them all: bench/bench_queue.py)."""
    from sqlalchemy import event

    from bot.storage.inbox import InboxStore

    db = open_database(database_url)
    try:
        for table in ("inbox", "outbox"):
            indexes = {tuple(ix["column_names"]) for ix in inspect(db.engine).get_indexes(table)}
            assert ("chat_key", "state", "id") in indexes and ("chat_key", "id") not in indexes
        if not db.url.startswith("sqlite"):
            return
        store = InboxStore(db, owner="test")
        store.record([(1, 7, {"update_id": 1}), (2, 7, {"update_id": 2})])
        statements: list[tuple[str, object]] = []
        listener = lambda *a: statements.append((a[2], a[3]))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert [c.update_id for c in store.claim(limit=8)] == [1]  # 2 waits for 1 of its chat
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        sql, params = next((q, v) for q, v in statements if q.lstrip().upper().startswith("UPDATE"))
        with db.engine.connect() as connection:
            plan = " ".join(
                str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            )
        assert "ix_inbox_chat_state (chat_key=? AND state=? AND id<?)" in plan
    finally:
        db.dispose()


def test_big_telegram_ids_and_json_columns_round_trip(
    db: Database, notes_dir: Path, memebot_home: Path
) -> None:
    service = SubmissionService(db, ADMINS, memebot_home, notes_dir)
    big = 7_000_000_000  # Telegram ids exceed 32 bits
    draft = service.create_draft(big, -1001234567890, "en", png(3), "Attention is all you need ✨")
    view = service.edit(
        service.confirm(draft.id, big).id,
        1001,
        aliases=["attention meme", "внимание — всё"],
        related=["bert"],
    )
    again = service.get(view.id)
    assert (again.user_id, again.chat_id) == (big, -1001234567890)
    assert again.aliases == ["attention meme", "внимание — всё"] and again.related == ["bert"]
    assert service.audit(view.id)[-1].after["aliases"] == ["attention meme", "внимание — всё"]


# --------------------------------------------------------------------------- compare-and-set


def test_compare_and_set_lets_exactly_one_writer_win(
    database_url: str, notes_dir: Path, memebot_home: Path
) -> None:
    """Writer A claims the row and holds its transaction open; writer B's UPDATE waits, then finds
    the status changed and updates nothing. Each writer has its own engine (connection pool)."""
    setup = open_database(database_url)
    service = SubmissionService(setup, ADMINS, memebot_home, notes_dir)
    sid = pending_submission(service)
    first, second = Database(database_url), Database(database_url)
    claimed = threading.Event()
    results: dict[str, object] = {}

    def writer_a() -> None:
        with first.session() as s:
            results["a"] = SubmissionRepository.cas(s, sid, PENDING, APPROVED)
            claimed.set()
            time.sleep(0.5)  # B is now blocked on the row (PostgreSQL) or the write lock (SQLite)

    def writer_b() -> None:
        claimed.wait(10)
        started = time.perf_counter()
        with second.session() as s:
            results["b"] = SubmissionRepository.cas(s, sid, PENDING, APPROVED)
        results["b_waited"] = time.perf_counter() - started

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert results["a"] is not None and results["a"].status == APPROVED
        assert results["b"] is None
        assert results["b_waited"] >= 0.2, "B must wait for A's transaction, not read a stale row"
        assert service.get(sid).status == APPROVED
        with second.session() as s:  # and once decided, a second claim is refused immediately
            assert SubmissionRepository.cas(s, sid, PENDING, APPROVED) is None
    finally:
        for database in (first, second, setup):
            database.dispose()


def test_concurrent_approvals_publish_one_note(
    database_url: str, notes_dir: Path, memebot_home: Path, tmp_path: Path
) -> None:
    """Two admins, two processes' worth of state (own Database and service each), one moment."""
    setup = open_database(database_url)
    sid = pending_submission(SubmissionService(setup, ADMINS, memebot_home, notes_dir))
    rebuilds: list[int] = []

    def rebuild() -> None:
        rebuilds.append(1)
        load_notes(notes_dir)  # what the index build checks first: the notes must stay valid

    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def approve(admin: int) -> None:
        database = Database(database_url)
        try:
            service = SubmissionService(database, ADMINS, memebot_home, notes_dir, rebuild_index=rebuild)
            barrier.wait(10)
            results[admin] = service.approve(sid, admin)
        except Exception as exc:
            results[admin] = exc
        finally:
            database.dispose()

    threads = [threading.Thread(target=approve, args=(admin,)) for admin in sorted(ADMINS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        views = list(results.values())
        assert all(not isinstance(v, Exception) for v in views), views
        assert [v.status for v in views] == [PUBLISHED, PUBLISHED]
        assert views[0].slug == views[1].slug and views[0].slug.startswith("meme-los")
        assert [p.stem for p in notes_from(notes_dir, sid)] == [views[0].slug]
        assert len(list((notes_dir / "memes" / "images").glob(f"{views[0].slug}.*"))) == 1
        with setup.session() as s:
            assert s.scalars(select(Submission.status).where(Submission.id == sid)).one() == PUBLISHED
        actions = [e.action for e in SubmissionService(setup, ADMINS, memebot_home, notes_dir).audit(sid)]
        assert actions.count("approve") == 1 and actions.count("publish") == 1
        assert len(rebuilds) == 1
        load_notes(notes_dir)
    finally:
        setup.dispose()


def test_two_submissions_with_the_same_slug_do_not_collide(
    db: Database, notes_dir: Path, memebot_home: Path
) -> None:
    service = SubmissionService(db, ADMINS, memebot_home, notes_dir)
    first = pending_submission(service, seed=11, title="Overfit!")
    second = pending_submission(service, seed=12, title="overfit?")
    a, b = service.approve(first, 1001), service.approve(second, 1002)
    assert (a.slug, b.slug) == ("meme-overfit", "meme-overfit-2")
    load_notes(notes_dir)


def test_crash_after_commit_is_recovered_on_this_backend(
    db: Database, notes_dir: Path, memebot_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = SubmissionService(db, ADMINS, memebot_home, notes_dir)
    sid = pending_submission(service)

    def crash(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Publisher, "write", crash)
    with pytest.raises(RuntimeError):
        service.approve(sid, 1001)
    assert service.get(sid).status == APPROVED and notes_from(notes_dir, sid) == []
    monkeypatch.undo()
    assert SubmissionService(db, ADMINS, memebot_home, notes_dir).recover() == [sid]
    assert service.get(sid).status == PUBLISHED and len(notes_from(notes_dir, sid)) == 1
