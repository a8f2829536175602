"""The learning loop's parts without Telegram: keyed hashes, outcome statuses, the writer thread,
the rows (votes, forgetting, retention, the wanted pool), statistics, regression cases, draft names.

Database tests run on SQLite and, when ``MEMEBOT_TEST_POSTGRES_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

import logging
import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from bot.analytics.digest import render_wanted
from bot.analytics.drafting import propose
from bot.analytics.identity import UserHasher, load_or_create_key
from bot.analytics.loop import LearningLoop
from bot.analytics.outcomes import OutcomeRecord, new_token, status_of
from bot.analytics.phrases import core_phrase, latin
from bot.analytics.recorder import OutcomeRecorder
from bot.analytics.regressions import append_cases, read_cases
from bot.analytics.stats import compute, render, worst_first
from bot.analytics.store import FORGOTTEN, StatRow, WantedQuestion
from bot.analytics.wanted import make_clusters
from bot.config import ConfigError, load_settings
from bot.storage import AuditEntry, Database, Outcome, Submission, Vote, open_database, utcnow
from indexer.notes import NoteCatalog
from indexer.uncovered import TopicMatch
from tests.test_storage import database_url  # noqa: F401  (the SQLite/PostgreSQL fixture)

KEY = b"k" * 32


class NoEncoder:
    name, dim = "none", 2

    def encode(self, texts: list[str]):
        raise AssertionError("these tests do not cluster")


@pytest.fixture()
def db(database_url: str):  # noqa: F811
    database = open_database(database_url)
    yield database
    database.dispose()


@pytest.fixture()
def loop(db: Database, tmp_path: Path) -> LearningLoop:
    learning = LearningLoop(db, UserHasher(KEY), tmp_path / "regressions.jsonl", 90, encoder=NoEncoder)
    yield learning
    learning.close()


def record(loop: LearningLoop, user: int, query: str, status: str = "unknown", **fields: Any) -> str:
    token = new_token()
    loop.record(token, user, user, fields.pop("lang", "ru"), status, query, **fields)
    return token


# ---------------------------------------------------------------- identity and statuses


def test_the_key_is_generated_once_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "user-hash.key"
    first = load_or_create_key(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) == 64
    assert load_or_create_key(None, path) == first
    assert load_or_create_key("a configured key of 16+", path) == b"a configured key of 16+"


def test_hashes_are_keyed_stable_and_separate_users_from_chats() -> None:
    hasher, other = UserHasher(KEY), UserHasher(b"x" * 32)
    assert hasher.user(42) == UserHasher(KEY).user(42) != other.user(42)
    assert hasher.user(42) != hasher.chat(42) and len(hasher.user(42)) == 64
    assert "42" not in hasher.user(42)
    with pytest.raises(ValueError):
        UserHasher(b"short")


def test_settings_read_the_learning_loop_options(tmp_path: Path) -> None:
    settings = load_settings(
        {"MEMEBOT_HOME": str(tmp_path), "MEMEBOT_RETENTION_DAYS": "30", "MEMEBOT_DIGEST_WEEKDAY": "0"},
        dotenv=tmp_path / "none",
    )
    assert (settings.retention_days, settings.digest_weekday, settings.user_hash_key) == (30, 0, None)
    assert settings.regressions_file == tmp_path.resolve() / "regressions.jsonl"
    with pytest.raises(ConfigError, match="MEMEBOT_USER_HASH_KEY"):
        load_settings(
            {"MEMEBOT_HOME": str(tmp_path), "MEMEBOT_USER_HASH_KEY": "short"}, dotenv=tmp_path / "none"
        )
    with pytest.raises(ConfigError, match="MEMEBOT_RETENTION_DAYS"):
        load_settings(
            {"MEMEBOT_HOME": str(tmp_path), "MEMEBOT_RETENTION_DAYS": "0"}, dotenv=tmp_path / "none"
        )
    secret = load_settings(
        {"MEMEBOT_HOME": str(tmp_path), "MEMEBOT_USER_HASH_KEY": "s3cret-key-0123456789"},
        dotenv=tmp_path / "none",
    )
    assert "s3cret" not in repr(secret)


@dataclass
class FakeAnswer:
    intent: str | None = None
    note: Any = None
    demo: Any = None
    known: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (FakeAnswer("explain_concept", note=SimpleNamespace(kind="concept")), "answered"),
        (FakeAnswer("resources", note=SimpleNamespace(kind="resource")), "resources"),
        (FakeAnswer("explain_concept", known=False), "unknown"),
        (FakeAnswer(None, known=False), "unknown"),
        (FakeAnswer("off_topic", known=False), "off_topic"),
        (FakeAnswer("help"), "help"),
        (FakeAnswer("smalltalk"), "smalltalk"),
        (FakeAnswer("submit_meme"), "submit"),
        (FakeAnswer("run_demo", demo=SimpleNamespace(run=True, error=None)), "demo"),
        (FakeAnswer("run_demo"), "clarify"),
    ],
)
def test_status_of_names_every_kind_of_answer(answer: FakeAnswer, status: str) -> None:
    assert status_of(answer) == status


def test_status_of_prefers_the_answers_own_status() -> None:
    answer = SimpleNamespace(status="clarify", intent="explain_concept", note=None, demo=None)
    assert status_of(answer) == "clarify"


# ---------------------------------------------------------------- the writer thread


def _record(i: int = 0) -> OutcomeRecord:
    return OutcomeRecord(new_token(), "u", "c", "ru", "unknown", f"q{i}")


def test_recorder_writes_in_the_background_in_batches() -> None:
    batches: list[int] = []
    recorder = OutcomeRecorder(lambda batch: batches.append(len(batch)))
    for i in range(450):
        recorder.submit(_record(i))
    assert recorder.flush(5)
    assert sum(batches) == 450 == recorder.written and max(batches) <= 200
    recorder.close()


def test_a_dead_database_never_blocks_or_breaks_the_answer_path(caplog: pytest.LogCaptureFixture) -> None:
    attempts = []

    def down(batch: Any) -> None:
        attempts.append(len(batch))
        raise ConnectionError("database is down")

    recorder = OutcomeRecorder(down, limit=3, retry_delays=(0.01, 0.01))
    started = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="bot.analytics.recorder"):
        for i in range(10):
            recorder.submit(_record(i))  # never raises, never waits for the database
        submitting = time.perf_counter() - started
        assert recorder.flush(5)
    assert submitting < 0.05
    assert recorder.written == 0 and recorder.dropped >= 7 and len(attempts) >= 3
    assert any("dropped answer records" in r.getMessage() for r in caplog.records)
    recorder.close()


def test_recorder_retries_until_the_database_is_back() -> None:
    calls, written = [], []

    def flaky(batch: Any) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("not yet")
        written.extend(batch)

    recorder = OutcomeRecorder(flaky, retry_delays=(0.01, 0.01, 0.01))
    recorder.submit(_record())
    assert recorder.flush(5) and len(written) == 1 and recorder.dropped == 0
    recorder.close()
    recorder.submit(_record())  # after close: dropped, not raised
    assert recorder.dropped == 1


# ---------------------------------------------------------------- rows


def test_outcomes_are_stored_with_hashed_people_only(loop: LearningLoop, db: Database) -> None:
    token = record(
        loop,
        7_123_456_789,
        "что такое фильтр калмана",
        confidence=0.9,
        latency_ms=12.34,
        intent="explain_concept",
    )
    loop.recorder.flush()
    with db.session() as s:
        row = s.scalar(select(Outcome).where(Outcome.token == token))
        assert (row.query, row.status, row.lang, row.latency_ms) == (
            "что такое фильтр калмана",
            "unknown",
            "ru",
            12.3,
        )
        assert (
            row.user_hash == loop.hasher.user(7_123_456_789)
            and "7123456789" not in row.user_hash + row.chat_hash
        )


def test_a_vote_counts_once_per_person_and_a_change_of_mind_replaces_it(
    loop: LearningLoop, db: Database
) -> None:
    token = record(loop, 1, "что такое дропаут", "answered", slug="dropout")
    assert loop.vote(token, 1, 1, 1) == "saved"  # the record is written on demand if still queued
    assert loop.vote(token, 1, 1, 1) == "same"
    assert loop.vote(token, 2, 1, 1) == "saved"  # another person in the same chat
    assert loop.stats(1).votes == [("dropout", 2, 0)]
    assert loop.vote(token, 1, 1, -1) == "changed"
    assert loop.stats(1).votes == [("dropout", 1, 1)]
    with db.session() as s:
        assert len(s.scalars(select(Vote)).all()) == 2
    assert loop.vote(token, 1, 999, 1) == "stale"  # the button was copied into another chat
    assert loop.vote("no-such-token", 1, 1, 1) == "stale"
    unknown = record(loop, 1, "что такое калман")
    assert loop.vote(unknown, 1, 1, 1) == "stale"  # no note was shown: nothing to rate


def test_forget_deletes_a_users_records_and_their_submissions_personal_fields(
    loop: LearningLoop, db: Database
) -> None:
    mine = record(loop, 7, "что такое фильтр калмана", "answered", slug="kalman")
    theirs = record(loop, 8, "what is a kalman filter", "answered", slug="kalman")
    loop.recorder.flush()
    loop.vote(mine, 8, 7, 1)  # someone else's vote on my answer goes with it
    loop.vote(theirs, 8, 8, 1)
    with db.session() as s:
        s.add(
            Submission(
                user_id=7,
                chat_id=7,
                user_lang="ru",
                title="мой мем",
                explanation="",
                image_sha256="x",
                image_phash="0",
                aliases=[],
                related=[],
            )
        )
        s.flush()
        s.add(AuditEntry(actor_id=7, action="create", submission_id=1))
        s.add(AuditEntry(actor_id=7, action="approve", allowed=0))
    counts = loop.forget(7)
    assert counts["outcomes"] == 1 and counts["votes"] == 1 and counts["submissions"] == 1
    with db.session() as s:
        assert [o.query for o in s.scalars(select(Outcome))] == ["what is a kalman filter"]
        submission = s.scalar(select(Submission))
        assert (submission.user_id, submission.chat_id, submission.title) == (FORGOTTEN, FORGOTTEN, "мой мем")
        assert {e.actor_id for e in s.scalars(select(AuditEntry))} == {FORGOTTEN}
    assert loop.forget(7)["outcomes"] == 0


def test_retention_deletes_old_records_with_their_votes(loop: LearningLoop, db: Database) -> None:
    old = OutcomeRecord(
        new_token(),
        "u",
        "c",
        "ru",
        "answered",
        "old",
        slug="dropout",
        created_at=utcnow() - timedelta(days=91),
    )
    loop.recorder.submit(old)
    fresh = record(loop, 1, "new", "answered", slug="dropout")
    loop.recorder.flush()
    with db.session() as s:
        s.add(
            Vote(
                outcome_id=s.scalar(select(Outcome.id).where(Outcome.token == old.token)),
                user_hash="v",
                vote=1,
            )
        )
    assert loop.purge() == 1
    with db.session() as s:
        assert [o.token for o in s.scalars(select(Outcome))] == [fresh]
        assert s.scalars(select(Vote)).all() == []


def test_the_wanted_pool_is_unknown_guessed_and_downvoted_questions(loop: LearningLoop) -> None:
    record(loop, 1, "unknown one")
    record(loop, 1, "confident answer", "answered", slug="dropout", confidence=0.95)
    record(loop, 1, "guessed answer", "answered", slug="dropout", confidence=0.2)
    bad = record(loop, 1, "bad answer", "answered", slug="dropout", confidence=0.95)
    record(loop, 1, "hello there", "smalltalk")
    record(loop, 1, "a shown note", "answered", source="shown", slug="dropout", confidence=0.1)
    loop.vote(bad, 2, 1, -1)
    loop.recorder.flush()
    pool = loop.store.wanted(utcnow() - timedelta(days=1), 100)
    assert [(q.query, q.downvoted) for q in pool] == [
        ("unknown one", False),
        ("guessed answer", False),
        ("bad answer", True),
    ]
    assert loop.store.resolve([pool[0].id], ["bad answer"], "new-note") == 2
    assert [q.query for q in loop.store.wanted(utcnow() - timedelta(days=1), 100)] == ["guessed answer"]


def test_questions_in_an_open_note_draft_leave_the_wanted_pool(loop: LearningLoop, db: Database) -> None:
    record(loop, 1, "что такое фильтр калмана")
    record(loop, 2, "what is onnx")
    loop.recorder.flush()
    first = loop.store.wanted(utcnow() - timedelta(days=1), 10)[0]
    with db.session() as s:
        s.add(
            Submission(
                user_id=1,
                chat_id=1,
                title="Калман",
                image_sha256="",
                image_phash="",
                status="pending",
                aliases=[],
                related=[],
                kind="note",
                questions=[{"id": first.id, "q": first.query}],
            )
        )
    assert [q.query for q in loop.store.wanted(utcnow() - timedelta(days=1), 10)] == ["what is onnx"]


# ---------------------------------------------------------------- clusters, drafts, statistics, regressions


def _question(
    i: int, query: str, user: str, status: str = "unknown", downvoted: bool = False, lang: str = "ru"
) -> WantedQuestion:
    return WantedQuestion(
        i, query, lang, user, status, downvoted, datetime(2026, 11, 20) + timedelta(minutes=i)
    )


def test_clusters_rank_by_distinct_people_and_keep_the_oldest_id() -> None:
    questions = [
        _question(1, "what is onnx", "a", lang="en"),
        _question(2, "what is onnx", "a", lang="en"),
        _question(3, "what is onnx", "a", lang="en"),
        _question(4, "что такое фильтр калмана", "b"),
        _question(5, "what is a kalman filter", "c", "answered", lang="en"),
        _question(6, "как работает фильтр калмана", "d", "answered", downvoted=True),
    ]
    kalman, onnx = make_clusters(questions, [0, 0, 0, 1, 1, 1])  # three people beat one person asking thrice
    assert (kalman.id, kalman.users, kalman.asks, kalman.unknown, kalman.guessed, kalman.downvoted) == (
        4,
        3,
        3,
        1,
        1,
        1,
    )
    assert (onnx.id, onnx.users, onnx.asks, onnx.examples) == (1, 1, 3, ["what is onnx"])


def test_a_draft_is_named_after_what_people_asked(make_notes) -> None:
    cluster = make_clusters(
        [
            _question(10, "что такое фильтр калмана?", "a"),
            _question(11, "Что такое фильтр Калмана", "b"),
            _question(12, "объясни простыми словами калмановский фильтр", "c"),
            _question(13, "what is a kalman filter", "d", lang="en"),
            _question(14, "what is alpha", "e", lang="en"),  # a name another note has
            _question(
                15,
                "how does the kalman filter combine a prediction with a noisy measurement of the state",
                "f",
                lang="en",
            ),
        ],
        [0] * 6,
    )[0]
    catalog = NoteCatalog.scan(make_notes())
    proposal = propose(cluster, catalog, taken={"kalman-filter"})
    assert (proposal.title, proposal.title_en) == ("Фильтр калмана", "Kalman filter")
    assert "калмановский фильтр" in proposal.aliases and "alpha" not in proposal.aliases
    assert proposal.slug == "kalman-filter-2"
    assert [q["id"] for q in proposal.questions] == [10, 11, 12, 13, 14, 15]
    acronym = make_clusters([_question(1, "what is onnx", "a", lang="en")], [0])[0]
    assert propose(acronym, catalog, set()).title_en == "ONNX"


def _glossary(text: str) -> list[TopicMatch]:
    """A glossary that knows one topic without a note."""
    found = "dbscan" in text.lower() or "дбскан" in text.lower()
    return [TopicMatch("DBSCAN", "DBSCAN", "k-means")] if found else []


def test_a_cluster_most_of_whose_questions_name_a_topic_without_a_note_is_labelled_with_it(
    make_notes,
) -> None:
    """The wanted list says which topic lacks a note, and the draft takes the glossary's name for it
    (a note with that name takes the topic off the glossary at the next build)."""
    asked = [
        _question(1, "как работает dbscan", "a"),
        _question(2, "дбскан vs k-means что лучше", "b"),
        _question(3, "кластеры произвольной формы как найти", "c"),
    ]
    cluster = make_clusters(asked, [0, 0, 0], _glossary)[0]
    assert cluster.topic is not None and (cluster.topic.topic, cluster.topic.near) == ("DBSCAN", "k-means")
    assert propose(cluster, NoteCatalog.scan(make_notes()), set()).title_en == "DBSCAN"
    text = render_wanted([cluster], "ru")
    assert "Тема без заметки: DBSCAN (ближе всего: k-means)" in text
    # one question of three names it: no label
    assert (
        make_clusters([asked[0], asked[2], _question(4, "кластеры без k", "d")], [0, 0, 0], _glossary)[
            0
        ].topic
        is None
    )
    assert make_clusters(asked, [0, 0, 0])[0].topic is None  # no glossary


def test_core_phrase_drops_the_frame_of_a_question() -> None:
    assert core_phrase("Что такое фильтр Калмана?") == "фильтр калмана"
    assert core_phrase("объясни простыми словами как работает калмановский фильтр") == "калмановский фильтр"
    assert core_phrase("what is a Kalman filter") == "kalman filter"
    assert core_phrase("how does dbscan work") == "dbscan"
    assert core_phrase("что такое") == "что такое"  # nothing but a frame: kept
    assert latin("калман") == "kalman"


def test_stats_per_day_shares_latency_and_worst_notes_first() -> None:
    day = datetime(2026, 11, 20, 12)
    rows = [
        StatRow(day, "ru", "answered", 10.0),
        StatRow(day, "ru", "unknown", 20.0),
        StatRow(day + timedelta(days=1), "en", "off_topic", 30.0),
        StatRow(day + timedelta(days=1), "en", "answered", 40.0),
        StatRow(day + timedelta(days=1), "en", "demo", 5000.0),  # demo runs are not answer latency
    ]
    stats = compute(
        rows, [("good", 5, 0), ("bad", 1, 4), ("meh", 2, 2)], day - timedelta(days=1), day + timedelta(days=1)
    )
    assert [sum(c.values()) for c in stats.per_day.values()] == [0, 2, 3]
    assert (
        stats.total == 5
        and stats.share("answered") == pytest.approx(0.4)
        and stats.share("unknown", "ru") == 0.5
    )
    assert stats.latency["all"].p50 == 25.0 and stats.latency["en"].n == 2
    assert [slug for slug, _, _ in stats.votes] == ["bad", "meh", "good"]
    text = render(stats, "en")
    assert "all: 5 questions (answered 40%, unknown 20%, off-topic 20%, other 20%)" in text
    assert "bad: 👍 1 · 👎 4" in text.splitlines()[-3]
    assert "вопрос" in render(stats, "ru")
    assert worst_first([("a", 0, 0), ("b", 0, 1)])[0][0] == "b"


def test_the_chart_is_a_png() -> None:
    from bot.analytics.chart import stats_png

    day = datetime(2026, 11, 20, 12)
    stats = compute([StatRow(day, "ru", "answered", 10.0)], [("dropout", 1, 2)], day - timedelta(days=6), day)
    assert stats_png(stats, "ru").startswith(b"\x89PNG")
    assert stats_png(compute([], [], day, day), "en").startswith(b"\x89PNG")


def test_regression_cases_are_appended_once(tmp_path: Path) -> None:
    path = tmp_path / "regressions.jsonl"
    assert (
        append_cases(
            path,
            [
                ("что такое фильтр калмана", "ru"),
                ("what is a kalman filter", "en"),
                ("what is a kalman filter", "en"),
            ],
            "kalman-filter",
        )
        == 2
    )
    assert append_cases(path, [("what is a kalman filter", "en"), ("", "en")], "kalman-filter") == 0
    assert read_cases(path) == [
        {"q": "что такое фильтр калмана", "lang": "ru", "slugs": ["kalman-filter"]},
        {"q": "what is a kalman filter", "lang": "en", "slugs": ["kalman-filter"]},
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_concurrent_recording_from_many_threads(loop: LearningLoop, db: Database) -> None:
    def ask(user: int) -> None:
        for i in range(20):
            record(loop, user, f"question {i}")

    threads = [threading.Thread(target=ask, args=(u,)) for u in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    loop.recorder.flush()
    with db.session() as s:
        assert len(s.scalars(select(Outcome.id)).all()) == 100
