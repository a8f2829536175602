"""The learning loop end to end over HTTP: users ask what no note covers → /wanted shows it clustered →
an admin drafts, writes and approves a note → the same questions are answered by it → /stats shows it,
👍 twice counts once, /forget removes the user's rows. Refusals for non-admins and forged ids.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.telegram.lifecycle as lifecycle
from bot.analytics.regressions import read_cases
from bot.services import Services
from bot.storage import Outcome, Vote
from indexer.search import Retriever
from tests.e2e.conftest import ADMIN, EN_USER, RU_USER, button_data
from tests.e2e.emulator import User

pytestmark = pytest.mark.e2e

THIRD = User(id=1003, first_name="Петя", language_code="ru", username="petya")
KALMAN = [
    (RU_USER, "что такое фильтр калмана"),
    (EN_USER, "what is a kalman filter"),
    (THIRD, "как работает фильтр калмана"),
]
BODY = (
    "explanation: ## Коротко\n"
    "Фильтр Калмана смешивает прогноз модели и зашумлённое измерение, доверяя больше тому, что точнее.\n"
    "## Подробнее\n"
    "На каждом шаге он предсказывает состояние и его неопределённость, а затем поправляет прогноз измерением "
    "с весом — коэффициентом Калмана.\n"
    "## In short\n"
    "A Kalman filter blends a model's prediction with a noisy measurement, trusting whichever is more certain."
)


@pytest.fixture()
def writable_services(
    e2e_knowledge: Path, e2e_index: Path, encoder, intent_router, tmp_path: Path, monkeypatch
) -> Services:
    """A private copy of the notes and the index: an approval writes a note and rebuilds the index."""
    from demos.registry import list_demos

    knowledge, index = tmp_path / "knowledge", tmp_path / "index"
    shutil.copytree(e2e_knowledge, knowledge)
    shutil.copytree(e2e_index, index, symlinks=True)
    monkeypatch.setenv("MEMEBOT_KNOWLEDGE", str(knowledge))
    # Transitional (see the helper brief): notes on main name demos that don't exist yet, so the bot's
    # rebuild checks no demo names here, like the e2e index itself.
    real_build = lifecycle.build_index
    monkeypatch.setattr(
        lifecycle, "build_index", lambda *args, **kwargs: real_build(*args, **{**kwargs, "known_demos": None})
    )
    return Services(Retriever.load(index, encoder), intent_router, list_demos(), index_root=index)


async def rows(bot, at_least: int = 0) -> list[Outcome]:
    """The answer records; an answer is recorded just after its reply is sent, so wait for ``at_least``."""
    loop = bot.app.bot_data.learning
    for _ in range(100):
        await asyncio.to_thread(loop.recorder.flush)
        with bot.db.session() as s:
            found = list(s.scalars(select(Outcome).order_by(Outcome.id)))
        if len(found) >= at_least:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(found)} answer records, expected at least {at_least}")


def text_of(call) -> str:
    return call.params.get("text") or call.params.get("caption") or ""


async def test_unanswered_questions_become_a_note_that_answers_them(start_bot, writable_services) -> None:
    bot = await start_bot(services=writable_services)
    bot.emu.register_chat(ADMIN.id, ADMIN)
    loop = bot.app.bot_data.learning

    # Users ask what no note covers; a wrong guess gets a 👎.
    for user, question in [*KALMAN, (RU_USER, "что такое федеративное обучение")]:
        await bot.say(user, question)
        message = bot.last_bot_message(user.id)
        if "👎" in button_data(message):
            await bot.press(user, message, button_data(message)["👎"])
    recorded = await rows(bot, 4)
    assert [r.query for r in recorded] == [q for _, q in KALMAN] + ["что такое федеративное обучение"]
    assert all(r.source == "question" and r.latency_ms is not None and r.latency_ms > 0 for r in recorded)
    assert len({r.user_hash for r in recorded}) == 3 and all(
        str(RU_USER.id) not in r.user_hash for r in recorded
    )

    # /wanted shows them clustered: three people asked about the Kalman filter.
    (listing,) = await bot.say(ADMIN, "/wanted")
    text = listing.params["text"]
    assert "Каких заметок не хватает (2 темы):" in text
    first = text.split("\n\n")[1]
    assert "3 человека, 3 вопроса" in first and "фильтр калмана" in first and "федеративное" not in first
    buttons = button_data(bot.last_bot_message(ADMIN.id))
    cluster_id = recorded[0].id
    assert buttons[f"✍ Черновик из №{cluster_id}"] == f"w:draft:{cluster_id}"

    # The admin drafts a note: names from the questions, an empty body, the moderation buttons.
    await bot.press(ADMIN, bot.last_bot_message(ADMIN.id), f"w:draft:{cluster_id}", method="sendMessage")
    card = bot.last_bot_message(ADMIN.id)
    assert (
        "slug: kalman-filter" in card["text"]
        and "title: Фильтр калмана" in card["text"]
        and "title_en: Kalman filter" in card["text"]
    )
    submission_id = int(
        next(d for d in button_data(card).values() if d.startswith("a:approve:")).rsplit(":", 1)[1]
    )
    assert "фильтр калмана" not in (await bot.say(ADMIN, "/wanted"))[0].params["text"]  # being drafted

    # Approving it empty is refused; the admin writes the text (Edit) and approves.
    await bot.press(ADMIN, card, f"a:approve:{submission_id}", method="sendMessage")
    assert "ещё нет текста" in bot.calls_to(ADMIN.id, "sendMessage")[-1].params["text"]
    await bot.press(ADMIN, card, f"a:edit:{submission_id}", method="sendMessage")
    await bot.say(ADMIN, BODY)
    await bot.press(ADMIN, bot.last_bot_message(ADMIN.id), f"a:approve:{submission_id}")
    published = await bot.emu.wait_for(  # the index is rebuilt and swapped in first
        "sendMessage", timeout=240, predicate=lambda c: "опубликован как kalman-filter" in text_of(c)
    )
    assert published
    assert "kalman-filter" in bot.app.bot_data.services.retriever.notes

    # The same questions are now answered by it, and they are regression cases in the eval data.
    for user, question in KALMAN:
        (reply,) = await bot.say(user, question)
        title = "Kalman filter" if user.language_code == "en" else "Фильтр калмана"
        assert reply.params["text"].startswith(f"<b>{title}</b>"), reply.params["text"][:200]
    home = bot.settings.home
    assert {c["q"] for c in read_cases(home / "regressions.jsonl")} == {q for _, q in KALMAN}
    assert all(r.resolved_slug == "kalman-filter" for r in (await rows(bot, 7))[:3])
    assert "фильтр калмана" not in (await bot.say(ADMIN, "/wanted"))[0].params["text"]

    # 👍 twice counts once.
    answer = bot.last_bot_message(THIRD.id)
    await bot.press(THIRD, answer, button_data(answer)["👍"])
    await bot.press(THIRD, answer, button_data(answer)["👍"])
    assert bot.emu.calls("answerCallbackQuery")[-1].params["text"] == "Спасибо за отзыв!"
    assert ("kalman-filter", 1, 0) in loop.stats(1).votes

    # /stats reflects it: 7 questions, the answered ones, the vote, the chart.
    before = len(bot.emu.calls("sendPhoto"))
    (stats,) = await bot.say(ADMIN, "/stats 7")
    assert (
        "всего: 7 вопросов" in stats.params["text"] and "kalman-filter: 👍 1 · 👎 0" in stats.params["text"]
    )
    photo = (await bot.emu.wait_for("sendPhoto", count=before + 1, timeout=60))[-1]
    assert photo.ok and next(iter(photo.files.values())).startswith(b"\x89PNG")

    # /forget removes the user's rows (and only theirs).
    hashes = {r.user_hash for r in await rows(bot, 7)}
    (done,) = await bot.say(RU_USER, "/forget")
    assert done.params["text"].startswith("Готово: стёр 3 вопроса")
    left = await rows(bot)
    assert len({r.user_hash for r in left}) == 2 and len(hashes) == 3 and len(left) == 4
    assert all(r.query != "что такое федеративное обучение" for r in left)
    with bot.db.session() as s:
        voters = {v.user_hash for v in s.scalars(select(Vote))}
    assert loop.hasher.user(THIRD.id) in voters and loop.hasher.user(RU_USER.id) not in voters


async def test_non_admins_and_forged_ids_are_refused(start_bot, writable_services) -> None:
    bot = await start_bot(services=writable_services)
    bot.emu.register_chat(ADMIN.id, ADMIN)
    await bot.say(RU_USER, "что такое фильтр калмана")
    cluster_id = (await rows(bot, 1))[0].id

    for command in ("/wanted", "/stats"):
        (refused,) = await bot.say(EN_USER, command)
        assert refused.params["text"] == "Only admins can do that."
    await bot.press(EN_USER, bot.last_bot_message(EN_USER.id), f"w:draft:{cluster_id}", forged=True)
    assert bot.emu.calls("answerCallbackQuery")[-1].params["text"] == "Only admins can do that."
    service = bot.app.bot_data.submissions
    denied = [(a.actor_id, a.action) for a in service.audit() if not a.allowed]
    assert denied == [(EN_USER.id, "wanted"), (EN_USER.id, "stats"), (EN_USER.id, "draft_note")]
    assert service.submissions() == []

    (listing,) = await bot.say(ADMIN, "/wanted")
    await bot.press(
        ADMIN, bot.last_bot_message(ADMIN.id), "w:draft:999999", forged=True, method="sendMessage"
    )
    assert "Нет кластера вопросов №999999" in bot.calls_to(ADMIN.id, "sendMessage")[-1].params["text"]
    await bot.press(ADMIN, bot.last_bot_message(ADMIN.id), "w:drop:1", forged=True)
    assert bot.emu.calls("answerCallbackQuery")[-1].params["text"] == "Эта кнопка устарела. Спросите ещё раз."
    assert service.submissions() == []

    # A vote on a button from another chat, or a forged token, is stale; nothing is stored.
    await bot.say(RU_USER, "что такое дропаут")
    answer = bot.last_bot_message(RU_USER.id)
    await bot.press(EN_USER, bot.last_bot_message(EN_USER.id), button_data(answer)["👍"], forged=True)
    await bot.press(RU_USER, answer, "v:AAAAAAAAAAAA:+", forged=True)
    assert [c.params["text"] for c in bot.emu.calls("answerCallbackQuery")[-2:]] == [
        "This button has expired. Please ask again."
    ] + ["Эта кнопка устарела. Спросите ещё раз."]
    await asyncio.sleep(0)
    with bot.db.session() as s:
        assert s.scalars(select(Vote)).all() == []
