"""The learning loop's Telegram jobs without a network: the weekly digest reaches every admin with its
chart, the digest and retention are scheduled on PTB's JobQueue, and the digest text has its parts."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from telegram.ext import ApplicationBuilder

from bot.analytics.digest import digest_text, render_wanted
from bot.analytics.stats import compute
from bot.analytics.store import StatRow, WantedQuestion
from bot.analytics.wanted import make_clusters
from bot.config import Settings
from bot.telegram.learning import digest_job, schedule_learning

TOKEN = "123456789:" + "A" * 35


def clusters() -> list:
    day = datetime(2026, 11, 20)
    questions = [
        WantedQuestion(i, q, "ru", u, "unknown", False, day)
        for i, (q, u) in enumerate([("что такое фильтр калмана", "a"), ("фильтр калмана", "b")], 1)
    ]
    return make_clusters(questions, [0, 0])


def stats():
    day = datetime(2026, 11, 20, 12)
    return compute([StatRow(day, "ru", "unknown", 12.0)], [("dropout", 0, 1)], day - timedelta(days=6), day)


def test_the_digest_has_the_weeks_numbers_and_the_most_wanted_notes() -> None:
    text = digest_text(stats(), clusters(), "ru")
    assert text.startswith("Еженедельная сводка")
    assert "всего: 1 вопрос" in text and "dropout: 👍 0 · 👎 1" in text
    assert "№1: 2 человека, 2 вопроса — без ответа: 2" in text and "«что такое фильтр калмана»" in text
    assert render_wanted([], "en") == "No unanswered questions."


class FakeBot:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, Any]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> SimpleNamespace:
        self.sent.append(("text", chat_id, text))
        return SimpleNamespace(message_id=len(self.sent))

    async def send_photo(self, chat_id: int, photo: bytes, **kwargs: Any) -> SimpleNamespace:
        self.sent.append(("photo", chat_id, photo[:4]))
        return SimpleNamespace(message_id=len(self.sent))


async def test_the_weekly_digest_reaches_every_admin_with_the_chart(tmp_path: Path) -> None:
    loop = SimpleNamespace(stats=lambda days: stats(), wanted=SimpleNamespace(clusters=clusters))
    settings = Settings(
        home=tmp_path, knowledge_dir=tmp_path, database_url="sqlite://", admins_in_order=(7, 8)
    )
    bot = FakeBot()
    context: Any = SimpleNamespace(memebot=SimpleNamespace(learning=loop, settings=settings), bot=bot)
    await digest_job(context)
    assert [(kind, chat) for kind, chat, _ in bot.sent] == [
        ("text", 7),
        ("photo", 7),
        ("text", 8),
        ("photo", 8),
    ]
    assert "Еженедельная сводка" in bot.sent[0][2] and bot.sent[1][2] == b"\x89PNG"


def test_retention_and_the_digest_are_scheduled(tmp_path: Path) -> None:
    application = ApplicationBuilder().token(TOKEN).build()
    settings = Settings(
        home=tmp_path, knowledge_dir=tmp_path, database_url="sqlite://", digest_weekday=7, digest_hour=18
    )
    schedule_learning(application, settings)
    assert application.job_queue is not None
    jobs = {job.name: job for job in application.job_queue.jobs()}
    assert set(jobs) == {"retention", "weekly-digest"}
    trigger = str(jobs["weekly-digest"].trigger)
    assert "day_of_week='sun'" in trigger and "hour='18'" in trigger

    quiet = ApplicationBuilder().token(TOKEN).build()
    schedule_learning(
        quiet, Settings(home=tmp_path, knowledge_dir=tmp_path, database_url="sqlite://", digest_weekday=0)
    )
    assert quiet.job_queue is not None and [job.name for job in quiet.job_queue.jobs()] == ["retention"]
