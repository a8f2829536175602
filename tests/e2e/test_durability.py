"""Nothing lost, nothing sent twice: conversations across restarts, owed messages with retries, admin cards
edited after a decision, the webhook's answers to bad requests, and answering with the database down.

These run the real Application in-process over the emulator on a small knowledge base (seconds to build);
tests/e2e/test_processes.py kills real bot processes.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy.exc import OperationalError

from bot.community.service import SubmissionService
from bot.services import Services
from bot.storage import Database, open_database
from bot.storage.outbox import OutboxStore
from bot.telegram.app import build_application
from bot.telegram.serve import WebhookServer, start_polling, stop_polling
from tests.e2e.conftest import ADMIN, EN_USER, RU_USER, Harness, button_data
from tests.e2e.durable import settings_for, small_services
from tests.e2e.emulator import BotApiEmulator, User, free_port
from tests.test_storage import png

pytestmark = pytest.mark.e2e

ADMIN2 = User(id=9002, first_name="Вера", last_name="Админова", language_code="en", username="vera")


@pytest.fixture()
def writable(small_knowledge: Path, small_index: Path, use_encoder, tmp_path: Path) -> tuple[Path, Services]:
    """A private copy of the notes and the index (approvals write notes and rebuild)."""
    knowledge = Path(shutil.copytree(small_knowledge, tmp_path / "knowledge"))
    index = Path(shutil.copytree(small_index, tmp_path / "index", symlinks=True))
    return knowledge, small_services(index, use_encoder)


@pytest_asyncio.fixture()
async def bots(
    writable: tuple[Path, Services], memebot_home: Path, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """``await bots(emu=None, **settings)``: a running bot on this test's database (restartable on one emulator)."""
    knowledge, services = writable
    running: list[Harness] = []
    emulators: list[BotApiEmulator] = []

    async def start(
        emu: BotApiEmulator | None = None, admins: tuple[User, ...] = (ADMIN,), **overrides: Any
    ) -> Harness:
        if emu is None:
            emu = BotApiEmulator()
            await emu.start()
            emulators.append(emu)
        for admin in admins:
            emu.register_chat(admin.id, admin)
        settings = settings_for(
            emu,
            memebot_home,
            knowledge,
            f"sqlite:///{tmp_path / 'bot.sqlite3'}",
            admins_in_order=tuple(a.id for a in admins),
            **overrides,
        )
        db = await asyncio.to_thread(open_database, settings.database_url)
        app = build_application(settings, services=services, db=db)
        await start_polling(app, timeout=1)
        app.bot_data.outbox.base_delay_s = 0.3
        harness = Harness(emu, app, settings, db, services)
        running.append(harness)
        return harness

    yield start
    for harness in running:
        if harness.app.running:
            await stop_polling(harness.app)
        harness.db.dispose()
    for emu in emulators:
        await emu.stop()


async def stop(bot: Harness) -> None:
    await stop_polling(bot.app)
    bot.db.dispose()


def to_chat(chat_id: int, words: str) -> Callable[[Any], bool]:
    return lambda c: (
        c.ok
        and str(c.params.get("chat_id")) == str(chat_id)
        and words in str(c.params.get("text") or c.params.get("caption") or "")
    )


async def submit(
    bot: Harness,
    user: User,
    picture: bytes,
    title: str = "Лыжник в локальном минимуме",
    explanation: str = "SGD застрял в яме.",
) -> int:
    await bot.say(user, "/submit")
    await bot.say(user, photo=picture)
    await bot.say(user, title)
    await bot.say(user, explanation, method="sendPhoto")
    message = bot.last_bot_message(user.id)
    data = next(d for d in button_data(message).values() if d.startswith("s:confirm:"))
    await bot.press(user, message, data, method="sendMessage")
    return int(data.rsplit(":", 1)[1])


async def card_of(bot: Harness, admin: User, submission_id: int) -> dict:
    await bot.emu.wait_for(
        "sendPhoto",
        timeout=30,
        predicate=lambda c: (
            str(c.params.get("chat_id")) == str(admin.id)
            and f"a:approve:{submission_id}" in str(c.params.get("reply_markup"))
        ),
    )
    return next(
        m
        for m in reversed(bot.emu.sent_messages(admin.id))
        if f"a:approve:{submission_id}" in button_data(m).values()
    )


# ------------------------------------------------------------------------------ conversations survive restarts


async def test_a_restart_in_the_middle_of_submit_continues_the_conversation(bots, monkeypatch) -> None:
    from bot.telegram.persistence import DatabasePersistence

    bot = await bots()
    await bot.say(RU_USER, "/submit")
    await bot.say(RU_USER, photo=png(11))
    (ask_explanation,) = await bot.say(RU_USER, "Лыжник в локальном минимуме")
    assert "/skip" in ask_explanation.params["text"]

    async def no_flush(self) -> None:
        self.take_staged()

    monkeypatch.setattr(DatabasePersistence, "flush", no_flush)
    await stop(bot)
    monkeypatch.undo()

    again = await bots(emu=bot.emu)
    (preview,) = await again.say(RU_USER, "/skip", method="sendPhoto")
    assert "Лыжник в локальном минимуме" in preview.params["caption"]
    assert "увидят админы" in preview.params["caption"]


async def test_explanation_after_a_restart_is_not_taken_for_a_question(bots) -> None:
    bot = await bots()
    await bot.say(EN_USER, "/submit")
    await bot.say(EN_USER, photo=png(12))
    await bot.say(EN_USER, "Stuck skier")
    await stop(bot)
    again = await bots(emu=bot.emu)
    (preview,) = await again.say(
        EN_USER, "what is attention", method="sendPhoto"
    )  # the explanation, not a question
    assert "what is attention" in preview.params["caption"]


# ------------------------------------------------------------------------------ owed messages (outbox)


async def test_a_failed_send_to_the_submitter_is_retried_and_arrives_once(bots) -> None:
    bot = await bots()
    submission_id = await submit(bot, RU_USER, png(13))
    card = await card_of(bot, ADMIN, submission_id)
    bot.emu.block(RU_USER.id)  # sendMessage to the submitter fails (403) from now on
    await bot.press(ADMIN, card, f"a:approve:{submission_id}")
    await bot.emu.wait_for(
        "sendMessage",
        timeout=60,
        predicate=lambda c: not c.ok and str(c.params.get("chat_id")) == str(RU_USER.id),
    )
    assert bot.app.bot_data.submissions.get(submission_id).status == "published"
    bot.emu.unblock(RU_USER.id)
    (told,) = await bot.emu.wait_for("sendMessage", timeout=60, predicate=to_chat(RU_USER.id, "одобрен"))
    await asyncio.sleep(1.5)
    assert len([c for c in bot.emu.calls("sendMessage") if to_chat(RU_USER.id, "одобрен")(c)]) == 1
    assert f"№{submission_id}" in told.params["text"]
    assert bot.app.bot_data.submissions.get(submission_id).notified


async def test_an_injected_send_error_during_rejection_is_retried(bots) -> None:
    bot = await bots()
    submission_id = await submit(bot, EN_USER, png(14), title="Stuck skier", explanation="SGD got stuck.")
    card = await card_of(bot, ADMIN, submission_id)
    await bot.press(ADMIN, card, f"a:reject:{submission_id}", method="sendMessage")
    reasons = bot.last_bot_message(ADMIN.id)
    bot.emu.block(EN_USER.id)
    await bot.press(ADMIN, reasons, f"a:reason:{submission_id}:offtopic")
    await bot.emu.wait_for(
        "sendMessage",
        timeout=30,
        predicate=lambda c: not c.ok and str(c.params.get("chat_id")) == str(EN_USER.id),
    )
    bot.emu.unblock(EN_USER.id)
    (told,) = await bot.emu.wait_for("sendMessage", timeout=60, predicate=to_chat(EN_USER.id, "rejected"))
    assert "not about machine learning" in told.params["text"]


async def test_a_decision_taken_while_the_bot_was_down_is_told_after_the_start(
    bots, writable, memebot_home: Path, tmp_path: Path
) -> None:
    """The state change and the debt are one transaction: a kill right after it loses nothing."""
    bot = await bots()
    submission_id = await submit(bot, RU_USER, png(15))
    await card_of(bot, ADMIN, submission_id)
    await stop(bot)
    db = open_database(bot.settings.database_url)
    service = SubmissionService(db, frozenset({ADMIN.id}), memebot_home, writable[0])
    service.reject(submission_id, ADMIN.id, "картинка не про ML")  # the bot is down: only the outbox knows
    owed = [r.key for r in OutboxStore(db).rows() if r.state == "pending"]
    assert f"verdict:{submission_id}" in owed and f"card-update:{submission_id}:{ADMIN.id}" in owed
    db.dispose()
    again = await bots(emu=bot.emu)
    (told,) = await again.emu.wait_for("sendMessage", timeout=60, predicate=to_chat(RU_USER.id, "отклонён"))
    assert "картинка не про ML" in told.params["text"]


async def test_every_admin_card_loses_its_buttons_after_a_decision(bots) -> None:
    bot = await bots(admins=(ADMIN, ADMIN2))
    await bot.say(ADMIN2, "hello")  # the bot learns Vera's language (English)
    submission_id = await submit(bot, RU_USER, png(16))
    first, second = await card_of(bot, ADMIN, submission_id), await card_of(bot, ADMIN2, submission_id)
    assert "Маша @masha" in first["caption"] and "Новая заявка" in first["caption"]
    assert "New submission" in second["caption"], "the card is in the admin's language"
    await bot.press(ADMIN, first, f"a:approve:{submission_id}")
    edits = await bot.emu.wait_for("editMessageCaption", count=2, timeout=60)
    assert {str(c.params["chat_id"]) for c in edits} == {str(ADMIN.id), str(ADMIN2.id)}
    for admin in (ADMIN, ADMIN2):
        card = next(m for m in bot.emu.sent_messages(admin.id) if m.get("photo"))
        assert not card.get("reply_markup", {}).get("inline_keyboard"), "no buttons left after the decision"
    assert "published" in bot.emu.message(ADMIN2.id, second["message_id"])["caption"]


# ------------------------------------------------------------------------------ early checks, menus, fallbacks


async def test_daily_cap_is_reported_right_after_the_picture(bots) -> None:
    bot = await bots(daily_submissions=1)
    await submit(bot, EN_USER, png(17), title="First", explanation="one")
    await bot.say(EN_USER, "/submit")
    (refused,) = await bot.say(EN_USER, photo=png(18))
    assert "at most 1 meme a day" in refused.params["text"]


async def test_a_duplicate_picture_is_named_by_title_before_the_title_is_asked(bots) -> None:
    bot = await bots()
    submission_id = await submit(bot, RU_USER, png(19))
    await bot.say(EN_USER, "/submit")
    (refused,) = await bot.say(EN_USER, photo=png(19))
    assert f"#{submission_id}" in refused.params["text"] and "called" not in refused.params["text"]


async def test_commands_are_published_in_russian_and_english(bots) -> None:
    bot = await bots()
    await bot.emu.wait_for("setMyCommands", count=3, timeout=10)
    ru, en = bot.emu.commands(language_code="ru"), bot.emu.commands(language_code="en")
    assert (
        {c["command"] for c in ru}
        == {c["command"] for c in en}
        >= {"start", "help", "submit", "cancel", "memes"}
    )
    assert any("мем" in c["description"] for c in ru) and any("meme" in c["description"] for c in en)


async def test_files_and_unknown_commands_get_a_short_answer(bots) -> None:
    bot = await bots()
    (file_reply,) = await bot.say(EN_USER, document=("paper.pdf", b"%PDF-1.4 tiny", "application/pdf"))
    assert "stickers, voice" in file_reply.params["text"]
    (command_reply,) = await bot.say(RU_USER, "/frobnicate")
    assert "/frobnicate" in command_reply.params["text"] and "/help" in command_reply.params["text"]
    (skip_reply,) = await bot.say(RU_USER, "/skip")
    assert "/skip" in skip_reply.params["text"]


def test_stickers_voice_and_video_count_as_unsupported() -> None:
    from telegram import Update

    from bot.telegram.fallbacks import UNSUPPORTED

    base = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "A"},
    }
    kinds = {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
        "voice": {"file_id": "v", "file_unique_id": "v", "duration": 3},
        "video_note": {"file_id": "n", "file_unique_id": "n", "length": 240, "duration": 3},
    }
    for kind, payload in kinds.items():
        update = Update.de_json({"update_id": 1, "message": {**base, kind: payload}}, None)
        assert UNSUPPORTED.check_update(update), kind


# ------------------------------------------------------------------------------ the database down


async def test_questions_are_answered_while_the_database_is_down(bots, monkeypatch) -> None:
    bot = await bots()
    (before,) = await bot.say(RU_USER, "что такое дропаут")
    assert "Дропаут" in before.params["text"]

    def down(self):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(Database, "session", down)
    (during,) = await bot.say(EN_USER, "what is overfitting", timeout=30)
    assert "Overfitting" in during.params["text"]
    monkeypatch.undo()
    (after,) = await bot.say(EN_USER, "what is attention", timeout=30)
    assert "Attention" in after.params["text"]


# ------------------------------------------------------------------------------ the webhook


async def test_webhook_refuses_bad_requests_with_4xx(writable, memebot_home: Path, tmp_path: Path) -> None:
    knowledge, services = writable
    async with BotApiEmulator() as emu:
        port = free_port()
        settings = settings_for(
            emu,
            memebot_home,
            knowledge,
            f"sqlite:///{tmp_path / 'hook.sqlite3'}",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            webhook_secret="s3cret",
        )
        db = open_database(settings.database_url)
        server = WebhookServer(
            build_application(settings, services=services, db=db), settings, "127.0.0.1", port
        )
        await server.start()
        url = f"http://127.0.0.1:{port}/hook"
        try:
            async with aiohttp.ClientSession() as http:

                async def post(body: bytes, secret: bytes = b"s3cret") -> int:
                    headers = {
                        "X-Telegram-Bot-Api-Secret-Token": secret.decode("latin-1"),
                        "Content-Type": "application/json",
                    }
                    async with http.post(url, data=body, headers=headers) as response:
                        return response.status

                assert await post(b"{}", secret="сек".encode()) == 403
                assert await post(b"{}", secret=b"wrong") == 403
                assert await post(b"not json") == 400
                assert await post(b"[1, 2]") == 400
                assert await post(b'{"update_id": "7"}') == 400
                assert await post(b'{"update_id": 7, "message": 5}') == 400
                assert await post(b'{"update_id": 8}') == 200
        finally:
            await server.stop()
            db.dispose()


async def test_a_conversation_goes_on_whichever_replica_gets_the_next_message(
    writable, memebot_home: Path, tmp_path: Path
) -> None:
    """Two webhook replicas on one database behind a round-robin balancer: /submit, the picture, the title
    and the explanation each land on the other replica, and the conversation still completes."""
    from tests.e2e.durable import RoundRobin

    knowledge, services = writable
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    lb_port, ports = free_port(), [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{p}/hook" for p in ports])
    await balancer.start(lb_port)
    servers: list[WebhookServer] = []
    databases: list[Database] = []
    async with BotApiEmulator() as emu:
        emu.register_chat(ADMIN.id, ADMIN)
        try:
            for port in ports:
                settings = settings_for(
                    emu,
                    memebot_home,
                    knowledge,
                    url,
                    webhook_url=f"http://127.0.0.1:{lb_port}/hook",
                    webhook_secret="s3cret",
                )
                databases.append(await asyncio.to_thread(open_database, url))
                server = WebhookServer(
                    build_application(settings, services=services, db=databases[-1]),
                    settings,
                    "127.0.0.1",
                    port,
                )
                await server.start()
                servers.append(server)
            bot = Harness(emu, servers[0].application, servers[0].settings, databases[0], services)
            await bot.say(RU_USER, "/submit")
            await bot.say(RU_USER, photo=png(31))
            await bot.say(RU_USER, "Лыжник на двух репликах")
            (preview,) = await bot.say(RU_USER, "Объяснение пришло на другую реплику.", method="sendPhoto")
            assert "Лыжник на двух репликах" in preview.params["caption"]
            # Each step reached the other replica (which replica's worker then handles it from the
            # shared inbox is a race; the conversation must complete either way).
            assert len(balancer.delivered) == 2, f"steps reached both replicas: {balancer.delivered}"
        finally:
            for server in servers:
                await server.stop()
            for database in databases:
                database.dispose()
            await balancer.stop()
