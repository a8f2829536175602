"""Scripted conversations with the real bot over HTTP (Bot API emulator on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import html

import aiohttp
import pytest

from bot.telegram.render import MESSAGE_LIMIT
from tests.e2e.conftest import ADMIN, EN_USER, RU_USER, button_data
from tests.e2e.emulator import User, free_port, utf16_len

pytestmark = pytest.mark.e2e

GROUP_ID = -100777


def plain(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def test_start_in_russian_and_english(start_bot) -> None:
    bot = await start_bot()
    (ru,) = await bot.say(RU_USER, "/start")
    assert "Я объясняю мемы про машинное обучение" in ru.params["text"]
    assert "что такое дропаут" in button_data(bot.last_bot_message(RU_USER.id))
    (en,) = await bot.say(EN_USER, "/help")
    assert "I explain machine-learning memes" in en.params["text"]
    assert "what is dropout actually doing" in button_data(bot.last_bot_message(EN_USER.id))


async def test_russian_question_then_in_depth_then_feedback(start_bot) -> None:
    bot = await start_bot()
    (reply,) = await bot.say(RU_USER, "что такое дропаут")
    assert reply.params["parse_mode"] == "HTML" and reply.params["text"].startswith("<b>Дропаут</b>")
    message = bot.last_bot_message(RU_USER.id)
    buttons = button_data(message)
    assert {"Подробнее", "▶ Запустить демо", "👍", "👎"} <= set(buttons)
    assert sum(label.startswith("→ ") for label in buttons) == 3
    assert all(len(data.encode()) <= 64 for data in buttons.values())

    await bot.press(RU_USER, message, buttons["Подробнее"], method="editMessageText")
    edited = bot.emu.message(RU_USER.id, message["message_id"])
    assert "Механизм" in edited["text"] and edited["text"] != plain(reply.params["text"])

    await bot.press(RU_USER, message, buttons["👍"])
    assert bot.emu.calls("answerCallbackQuery")[-1].params["text"] == "Спасибо за отзыв!"
    loop = bot.app.bot_data.learning
    await asyncio.to_thread(loop.recorder.flush)
    assert ("dropout", 1, 0) in loop.stats(1).votes


async def test_english_question_is_answered_in_english(start_bot) -> None:
    bot = await start_bot()
    (reply,) = await bot.say(EN_USER, "why is the cat at the faucet meme funny")
    assert reply.params["text"].startswith("<b>The fine-tuned cat at the faucet</b>")
    assert "In depth" in button_data(bot.last_bot_message(EN_USER.id))


async def test_demo_button_sends_plots(start_bot) -> None:
    bot = await start_bot()
    await bot.say(RU_USER, "что такое дропаут")
    message = bot.last_bot_message(RU_USER.id)
    before = len(bot.emu.calls("sendMediaGroup")) + len(bot.emu.calls("sendPhoto"))
    await bot.press(RU_USER, message, button_data(message)["▶ Запустить демо"])
    await bot.emu.wait_for(
        "sendMessage", count=1, timeout=60, predicate=lambda c: "language-python" in c.params.get("text", "")
    )
    assert any(c.params["action"] == "upload_photo" for c in bot.emu.calls("sendChatAction"))
    photos = bot.emu.calls("sendMediaGroup") + bot.emu.calls("sendPhoto")
    assert len(photos) > before and all(c.ok for c in photos)
    uploaded = [data for c in photos for data in c.files.values()]
    assert uploaded and all(data.startswith(b"\x89PNG") for data in uploaded)


async def test_demo_command_with_parameters_and_out_of_range(start_bot) -> None:
    bot = await start_bot()
    (error,) = await bot.say(EN_USER, "/demo dropout p=7")
    assert "0.95" in error.params["text"] and "7" in error.params["text"]
    await bot.say(EN_USER, "/demo dropout p=0.3", count=1, timeout=60, method="sendMessage")
    await bot.emu.wait_for(
        "sendMessage", timeout=60, predicate=lambda c: "language-python" in c.params.get("text", "")
    )
    (listing,) = await bot.say(EN_USER, "/demo")
    assert "Demos you can run" in listing.params["text"]


async def test_meme_picture_is_recognised(start_bot) -> None:
    from tests.conftest import KNOWLEDGE

    bot = await start_bot()
    picture = (KNOWLEDGE / "memes" / "images" / "meme-finetune-cat.png").read_bytes()
    (reply,) = await bot.say(RU_USER, photo=picture, caption="что это?")
    assert reply.params["text"].startswith("<b>Мем про кота")
    assert bot.emu.downloads, "the bot must download the photo through getFile"


async def test_inline_query_offers_explanations(start_bot) -> None:
    bot = await start_bot()
    bot.emu.inline_query(EN_USER, "dropout")
    (call,) = await bot.emu.wait_for("answerInlineQuery", timeout=20)
    results = call.params["results"]
    assert results[0]["id"] == "dropout" and results[0]["title"] == "Dropout"
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"


async def test_very_long_answer_is_split_under_the_limit(start_bot) -> None:
    bot = await start_bot()
    await bot.say(RU_USER, "/concepts")
    listing = bot.last_bot_message(RU_USER.id)
    while "Очень длинная заметка" not in button_data(listing):  # the list is paged: turn pages until it shows
        await bot.press(RU_USER, listing, button_data(listing)["▶"], method="editMessageText")
        listing = bot.emu.message(RU_USER.id, listing["message_id"])
    await bot.press(RU_USER, listing, button_data(listing)["Очень длинная заметка"], method="sendMessage")
    reply = bot.calls_to(RU_USER.id, "sendMessage")[-1]
    message = bot.last_bot_message(RU_USER.id)
    assert "&lt;и спецсимволами &amp; такими&gt;" in reply.params["text"]
    sent_before = len(bot.calls_to(RU_USER.id, "sendMessage"))
    await bot.press(RU_USER, message, button_data(message)["Подробнее"], method="editMessageText")
    await asyncio.sleep(1.0)
    extra = bot.calls_to(RU_USER.id, "sendMessage")[sent_before:]
    edited = bot.calls_to(RU_USER.id, "editMessageText")[-1]
    parts = [edited, *extra]
    assert len(parts) >= 3
    assert all(c.ok and utf16_len(plain(c.params["text"])) <= MESSAGE_LIMIT for c in parts)
    text = "\n\n".join(plain(c.params["text"]) for c in parts)
    assert all(f"Абзац {i}." in text for i in range(20))
    assert "reply_markup" in parts[-1].params, "the keyboard goes under the last part"


async def test_malformed_and_forged_callback_data_gets_a_polite_answer(start_bot) -> None:
    bot = await start_bot()
    await bot.say(EN_USER, "what is overfitting")
    message = bot.last_bot_message(EN_USER.id)
    for data in [
        "garbage",
        "d:../../etc:en",
        "v:999999:+",
        "n:no-such-note:en",
        "r:rm-rf:en",
        "a:approve:1",
        "x" * 64,
    ]:
        await bot.press(EN_USER, message, data, forged=True)
    answers = bot.emu.calls("answerCallbackQuery")[-7:]
    assert all(c.ok for c in answers)
    texts = [c.params.get("text", "") for c in answers]
    assert texts.count("This button has expired. Please ask again.") >= 4
    assert "Only admins can do that." in texts
    (reply,) = await bot.say(EN_USER, "what is bert")
    assert "BERT" in reply.params["text"], "the bot keeps working"


async def test_off_topic_gets_honest_answer_and_what_i_can_do(start_bot) -> None:
    bot = await start_bot()
    (reply,) = await bot.say(RU_USER, "какая погода завтра в москве")
    assert reply.params["text"].startswith("Это не про машинное обучение")
    assert "что такое дропаут" in button_data(bot.last_bot_message(RU_USER.id))
    (unsure,) = await bot.say(RU_USER, "рецепт борща со сметаной")
    assert unsure.params["text"].startswith("Это не про машинное обучение")
    assert "что такое дропаут" in button_data(bot.last_bot_message(RU_USER.id))


async def test_a_topic_without_a_note_is_named_and_its_closest_note_offered(start_bot) -> None:
    """The k-means note mentions DBSCAN, so search ranks it first; the refusal says DBSCAN has no note
    and offers k-means as a button."""
    bot = await start_bot()
    (reply,) = await bot.say(EN_USER, "how does dbscan find clusters of arbitrary shape")
    assert reply.params["text"].startswith("I have no note on DBSCAN yet. Closest:")
    buttons = button_data(bot.last_bot_message(EN_USER.id))
    assert any("k-means" in data for data in buttons.values()), buttons


async def test_rate_limit_answers_politely_once(start_bot) -> None:
    bot = await start_bot(rate_limit_per_minute=3)
    for _ in range(3):
        await bot.say(EN_USER, "what is dropout")
    (notice,) = await bot.say(EN_USER, "what is bert")
    assert notice.params["text"].startswith("Too many requests: at most 3 a minute")
    bot.emu.user_message(EN_USER.id, EN_USER, text="what is momentum")
    await asyncio.sleep(1.5)
    assert len(bot.calls_to(EN_USER.id, "sendMessage")) == 4, "over the limit: one notice, then silence"


async def test_telegram_429_is_retried_after_the_delay(start_bot) -> None:
    bot = await start_bot()
    bot.emu.fail_next("sendMessage", retry_after=1)
    (reply,) = await bot.say(EN_USER, "what is dropout", timeout=30)
    assert reply.params["text"].startswith("<b>Dropout</b>")
    attempts = [c for c in bot.emu.calls("sendMessage") if str(c.params.get("chat_id")) == str(EN_USER.id)]
    assert attempts[0].error_code == 429 and attempts[-1].ok
    assert attempts[-1].time - attempts[0].time >= 1.0
    assert not bot.emu.retry_violations


async def test_error_handler_apologises_and_the_bot_keeps_running(start_bot) -> None:
    bot = await start_bot(retries=0)
    bot.emu.fail_next("sendMessage", 400, "Bad Request: chat not found")
    (apology,) = await bot.say(EN_USER, "what is dropout")
    assert apology.params["text"] == "Sorry, something went wrong. Please try again."
    (reply,) = await bot.say(EN_USER, "what is dropout")
    assert reply.params["text"].startswith("<b>Dropout</b>")


async def test_group_answers_only_mentions_and_replies(start_bot) -> None:
    bot = await start_bot()
    username = bot.emu.bot_user["username"]
    bot.emu.user_message(
        GROUP_ID, RU_USER, text="что такое дропаут", chat_type="supergroup", chat_title="ML chat"
    )
    await asyncio.sleep(1.0)
    assert not bot.calls_to(GROUP_ID, "sendMessage")
    (reply,) = await bot.say(
        RU_USER,
        f"@{username} что такое дропаут",
        chat_id=GROUP_ID,
        chat_type="supergroup",
        chat_title="ML chat",
    )
    assert reply.params["text"].startswith("<b>Дропаут</b>")
    answer_id = bot.last_bot_message(GROUP_ID)["message_id"]
    (second,) = await bot.say(
        RU_USER,
        "а что такое переобучение?",
        chat_id=GROUP_ID,
        chat_type="supergroup",
        chat_title="ML chat",
        reply_to_message_id=answer_id,
    )
    assert second.params["text"].startswith("<b>Переобучение</b>")


async def test_twenty_users_at_once_are_all_served(start_bot) -> None:
    bot = await start_bot()
    users = [User(id=5000 + i, first_name=f"U{i}", language_code="en") for i in range(20)]
    for user in users:
        bot.emu.user_message(user.id, user, text="what is gradient descent")
    await bot.emu.wait_for(
        "sendMessage",
        count=20,
        timeout=60,
        predicate=lambda c: c.ok and c.params["text"].startswith("<b>Gradient"),
    )
    for user in users:
        replies = [
            c for c in bot.calls_to(user.id, "sendMessage") if c.params["text"].startswith("<b>Gradient")
        ]
        assert len(replies) == 1, f"user {user.id}: {len(replies)} replies"


async def test_webhook_mode_with_secret_and_healthz(bot_settings, e2e_services) -> None:
    from bot.storage import open_database
    from bot.telegram.app import build_application
    from bot.telegram.serve import WebhookServer
    from tests.e2e.emulator import BotApiEmulator

    port = free_port()
    async with BotApiEmulator() as emu:
        settings = bot_settings(
            emu, webhook_url=f"http://127.0.0.1:{port}/telegram/hook", webhook_secret="s3cret-token"
        )
        app = build_application(
            settings, services=e2e_services, db=open_database(settings.database_url), webhook=True
        )
        server = WebhookServer(app, settings, "127.0.0.1", port)
        await server.start()
        try:
            assert (
                emu.webhook["url"] == settings.webhook_url and emu.webhook["secret_token"] == "s3cret-token"
            )
            emu.user_message(EN_USER.id, EN_USER, text="what is dropout")
            (reply,) = await emu.wait_for("sendMessage", timeout=30)
            assert reply.params["text"].startswith("<b>Dropout</b>")
            assert (
                emu.webhook_deliveries
                and emu.webhook_deliveries[0].status == 200
                and emu.webhook_deliveries[0].secret_token == "s3cret-token"
            )
            forged = {
                "update_id": 99999,
                "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"},
            }
            assert await emu.post_webhook(forged, secret_token="wrong") == 403
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                body = await resp.json()
            assert (
                resp.status == 200
                and body["status"] == "ok"
                and body["index_version"] == e2e_services.retriever.version
            )
        finally:
            await server.stop()


async def test_admin_only_queue_for_non_admins(start_bot) -> None:
    bot = await start_bot()
    (refusal,) = await bot.say(EN_USER, "/queue")
    assert refusal.params["text"] == "Only admins can do that."
    (empty,) = await bot.say(ADMIN, "/queue")
    assert empty.params["text"] == "Очередь пуста."
