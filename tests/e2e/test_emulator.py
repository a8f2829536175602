"""The Bot API emulator, driven by a real python-telegram-bot Application over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputMediaPhoto,
    InputTextMessageContent,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from .emulator import (
    BotApiEmulator,
    User,
    free_port,
    make_application,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    utf16_len,
)

pytestmark = pytest.mark.e2e

ALICE = User(id=1001, first_name="Alice", username="alice", language_code="en")
BORIS = User(id=1002, first_name="Борис", language_code="ru")
GROUP_ID = -1001234567890


def png(width: int = 400, height: int = 300, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


# -- a tiny bot ------------------------------------------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])
    await update.message.reply_text(
        f"echo: {html.escape(update.message.text)}", parse_mode="HTML", reply_markup=keyboard
    )


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    file = await context.bot.get_file(update.message.photo[-1].file_id)
    data = bytes(await file.download_as_bytearray())
    context.bot_data["downloaded"] = data
    await update.message.reply_text(f"got {len(data)} bytes")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("pressed")
    await query.edit_message_text(f"pressed {query.data}")


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    content = InputTextMessageContent(f"<b>{html.escape(query.query)}</b>", parse_mode="HTML")
    await query.answer(
        [InlineQueryResultArticle(id="1", title=f"About {query.query}", input_message_content=content)]
    )


def build_app(emu: BotApiEmulator, **builder_kwargs: object) -> Application:
    app = make_application(emu, **builder_kwargs)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(InlineQueryHandler(on_inline))
    return app


@contextlib.asynccontextmanager
async def polling(emu: BotApiEmulator, **builder_kwargs: object) -> AsyncIterator[Application]:
    app = build_app(emu, **builder_kwargs)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest_asyncio.fixture(loop_scope="function")
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


async def raw_call(
    emu: BotApiEmulator, method: str, token: str | None = None, **params: object
) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.base_url}{token or emu.token}/{method}", json=params) as response:
            return response.status, await response.json()


# -- the bot over long polling ---------------------------------------------------------------------------------


async def test_echo_over_long_polling(emu: BotApiEmulator) -> None:
    async with polling(emu) as app:
        assert app.bot.username == "memebot_test_bot"
        sent = emu.user_message(ALICE.id, ALICE, "hello <world> & co")
        await emu.wait_for("sendMessage", timeout=5)
    assert sent["chat"] == {"id": ALICE.id, "type": "private", "first_name": "Alice", "username": "alice"}
    [reply] = emu.sent_messages(ALICE.id)
    assert reply["text"] == "echo: hello <world> & co"
    assert reply["message_id"] == sent["message_id"] + 1
    assert reply["from"]["is_bot"] and reply["chat"]["id"] == ALICE.id
    assert isinstance(reply["date"], int) and reply["date"] < 10**11  # seconds, not milliseconds
    assert reply["reply_markup"] == {"inline_keyboard": [[{"text": "again", "callback_data": "again"}]]}
    [call] = emu.calls("sendMessage")
    assert call.params["chat_id"] == ALICE.id and call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "again"
    assert emu.calls("getMe") and emu.calls("deleteWebhook")
    polls = emu.calls("getUpdates")
    assert any(c.params.get("timeout") == 1 and c.ok and c.result for c in polls)  # long polling delivered it
    assert polls[0].params.get("offset") in (None, 0) and any(c.params.get("offset", 0) > 0 for c in polls)
    assert emu.pending_updates() == []  # the shutdown poll confirmed the update


async def test_commands_in_user_messages_get_entities(emu: BotApiEmulator) -> None:
    message = emu.user_message(
        GROUP_ID, BORIS, "/ask@memebot_test_bot что такое 😀 @alice", chat_type="supergroup"
    )
    assert message["chat"] == {"id": GROUP_ID, "type": "supergroup", "title": "Test Group"}
    assert message["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 21},
        {"type": "mention", "offset": 35, "length": 6},  # the emoji counts as two UTF-16 code units
    ]
    assert message["from"]["language_code"] == "ru"
    with pytest.raises(ValueError, match="user's id"):
        emu.user_message(5, ALICE, "not her chat")


async def test_long_polling_offset_limit_and_conflict(emu: BotApiEmulator) -> None:
    for text in ("one", "two", "three"):
        emu.user_message(ALICE.id, ALICE, text)
    status, body = await raw_call(emu, "getUpdates", limit=2)
    assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["one", "two"]
    first_id = body["result"][0]["update_id"]
    _, body = await raw_call(emu, "getUpdates", offset=first_id + 2)
    assert [u["message"]["text"] for u in body["result"]] == ["three"]
    _, body = await raw_call(emu, "getUpdates", offset=first_id + 3, timeout=0)
    assert body["result"] == []

    # A held poll is answered as soon as an update arrives.
    poll = asyncio.create_task(raw_call(emu, "getUpdates", offset=first_id + 3, timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    emu.user_message(ALICE.id, ALICE, "four")
    status, body = await asyncio.wait_for(poll, 2)
    assert status == 200 and body["result"][0]["message"]["text"] == "four"

    # A second poller terminates the first one, as on Telegram.
    held = asyncio.create_task(raw_call(emu, "getUpdates", offset=first_id + 4, timeout=5))
    await asyncio.sleep(0.2)
    await raw_call(emu, "getUpdates", offset=first_id + 4, timeout=0)
    status, body = await asyncio.wait_for(held, 2)
    assert status == 409 and body["description"].startswith("Conflict: terminated by other getUpdates")

    # allowed_updates filters kinds.
    emu.user_message(ALICE.id, ALICE, "five")
    _, body = await raw_call(emu, "getUpdates", offset=first_id + 4, allowed_updates=["callback_query"])
    assert body["result"] == []


async def test_tokens_and_unknown_methods(emu: BotApiEmulator) -> None:
    status, body = await raw_call(emu, "getMe", token="999:" + "x" * 35)
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await raw_call(emu, "getMe", token="not-a-token")
    assert status == 404
    status, body = await raw_call(emu, "GETME")  # method names are case-insensitive
    assert status == 200 and body["result"]["supports_inline_queries"] is True and body["result"]["is_bot"]
    with pytest.raises(InvalidToken):
        async with Bot("999:" + "y" * 35, base_url=emu.base_url):
            pass
    async with make_application(emu) as app:
        with pytest.raises(EndPointNotFound):
            await app.bot.do_api_request("sendTelepathy")
    assert [c.status for c in emu.calls("getMe")][:3] == [401, 404, 200]


# -- sending messages ------------------------------------------------------------------------------------------


async def test_message_length_is_counted_after_parsing_in_utf16(emu: BotApiEmulator) -> None:
    emu.register_chat(ALICE.id, ALICE)
    async with make_application(emu) as app:
        assert len((await app.bot.send_message(ALICE.id, "x" * 4096)).text) == 4096
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await app.bot.send_message(ALICE.id, "x" * 4097)
        await app.bot.send_message(ALICE.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
        await app.bot.send_message(ALICE.id, "😀" * 2048)
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await app.bot.send_message(ALICE.id, "😀" * 2049)  # 2049 characters, 4098 UTF-16 code units
        for empty in ("", "   \n "):
            with pytest.raises(BadRequest, match="(?i)message text is empty"):
                await app.bot.send_message(ALICE.id, empty)
        trimmed = await app.bot.send_message(ALICE.id, "  <i>padded</i>  \n", parse_mode="HTML")
        assert (
            trimmed.text == "padded" and trimmed.entities[0].offset == 0 and trimmed.entities[0].length == 6
        )
    assert len(emu.sent_messages(ALICE.id)) == 4
    assert [c.ok for c in emu.calls("sendMessage")] == [True, False, True, True, False, False, False, True]


async def test_html_must_be_valid_telegram_html(emu: BotApiEmulator) -> None:
    emu.register_chat(ALICE.id, ALICE)
    async with make_application(emu) as app:
        with pytest.raises(
            BadRequest, match='(?i)can\'t parse entities: unsupported start tag "" at byte offset 2'
        ):
            await app.bot.send_message(ALICE.id, "1 < 2", parse_mode="HTML")
        assert (
            await app.bot.send_message(ALICE.id, "1 &lt; 2 &amp;&#33;", parse_mode="HTML")
        ).text == "1 < 2 &!"
        assert (await app.bot.send_message(ALICE.id, "1 < 2 & co")).text == "1 < 2 & co"  # no parse mode
        for broken, reason in [
            ("Tom & Jerry", "does not start an html entity"),
            ("<b>bold", 'end tag corresponding to start tag "b"'),
            ("<div>x</div>", 'unsupported start tag "div"'),
            ("<b><i>x</b></i>", "unmatched end tag"),
            ("<br/>", 'unsupported start tag "br/"'),
            ('<span class="x">s</span>', 'must have class "tg-spoiler"'),
        ]:
            with pytest.raises(BadRequest, match=f"(?i)can't parse entities: .*{reason}"):
                await app.bot.send_message(ALICE.id, broken, parse_mode="HTML")
        rich = await app.bot.send_message(
            ALICE.id,
            '<b>Б</b> <a href="https://example.com/?a=1&amp;b=2">link</a> '
            '<pre><code class="language-python">x = 1</code></pre> <tg-spoiler>s</tg-spoiler>',
            parse_mode="HTML",
        )
    assert rich.text == "Б link x = 1 s"
    assert [(e.type, e.offset, e.length) for e in rich.entities] == [
        ("bold", 0, 1),
        ("text_link", 2, 4),
        ("pre", 7, 5),
        ("spoiler", 13, 1),
    ]
    assert rich.entities[1].url == "https://example.com/?a=1&b=2" and rich.entities[2].language == "python"


async def test_inline_keyboards_are_validated(emu: BotApiEmulator) -> None:
    emu.register_chat(ALICE.id, ALICE)

    def keyboard(**button: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("b", **button)]])

    async with make_application(emu) as app:
        await app.bot.send_message(ALICE.id, "ok", reply_markup=keyboard(callback_data="a" * 64))
        await app.bot.send_message(ALICE.id, "ok", reply_markup=keyboard(callback_data="я" * 32))  # 64 bytes
        for data in ("a" * 65, "я" * 33):
            with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
                await app.bot.send_message(ALICE.id, "no", reply_markup=keyboard(callback_data=data))
        with pytest.raises(BadRequest, match="(?i)BUTTON_URL_INVALID"):
            await app.bot.send_message(ALICE.id, "no", reply_markup=keyboard(url="not a url"))
    # The same refusals for a client that sends JSON bodies.
    for button, error in [
        (
            {"text": "t"},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        ({"text": "t", "callback_data": "x", "url": "https://a.io"}, "Bad Request: BUTTON_TYPE_INVALID"),
        ({"text": " ", "callback_data": "x"}, "Bad Request: BUTTON_TEXT_EMPTY"),
    ]:
        status, body = await raw_call(
            emu, "sendMessage", chat_id=ALICE.id, text="no", reply_markup={"inline_keyboard": [[button]]}
        )
        assert (status, body) == (400, {"ok": False, "error_code": 400, "description": error})
    assert [m["text"] for m in emu.sent_messages(ALICE.id)] == ["ok", "ok"]


async def test_replies_edits_deletes_and_chats(emu: BotApiEmulator) -> None:
    original = emu.user_message(ALICE.id, ALICE, "question")
    async with make_application(emu) as app:
        reply = await app.bot.send_message(ALICE.id, "answer", reply_to_message_id=original["message_id"])
        assert reply.reply_to_message.text == "question"
        with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
            await app.bot.send_message(ALICE.id, "x", reply_parameters=ReplyParameters(message_id=999))
        orphan = await app.bot.send_message(
            ALICE.id, "x", reply_parameters=ReplyParameters(message_id=999, allow_sending_without_reply=True)
        )
        assert orphan.reply_to_message is None
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await app.bot.send_message(424242, "who?")

        edited = await app.bot.edit_message_text("answer, edited", ALICE.id, reply.message_id)
        assert edited.text == "answer, edited" and edited.edit_date is not None
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await app.bot.edit_message_text("answer, edited", ALICE.id, reply.message_id)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await app.bot.edit_message_text("x", ALICE.id, 999)
        with pytest.raises(BadRequest, match="(?i)message can't be edited"):
            await app.bot.edit_message_text("x", ALICE.id, original["message_id"])

        markup = InlineKeyboardMarkup([[InlineKeyboardButton("more", callback_data="more")]])
        with_markup = await app.bot.edit_message_reply_markup(ALICE.id, reply.message_id, reply_markup=markup)
        assert with_markup.reply_markup == markup
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await app.bot.edit_message_reply_markup(ALICE.id, reply.message_id, reply_markup=markup)
        # editMessageText without reply_markup removes the keyboard, as on Telegram
        plain = await app.bot.edit_message_text("answer, final", ALICE.id, reply.message_id)
        assert plain.reply_markup is None

        assert await app.bot.delete_message(ALICE.id, orphan.message_id)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await app.bot.delete_message(ALICE.id, orphan.message_id)

        assert await app.bot.send_chat_action(ALICE.id, "typing")
        with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
            await app.bot.send_chat_action(ALICE.id, "dancing")

        emu.block(ALICE.id)
        with pytest.raises(Forbidden, match="(?i)blocked by the user"):
            await app.bot.send_message(ALICE.id, "still there?")
        emu.unblock(ALICE.id)

        assert await app.bot.set_my_commands([("ask", "Ask about a meme"), ("help", "Help")])
        assert [c.command for c in await app.bot.get_my_commands()] == ["ask", "help"]
        with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
            await app.bot.set_my_commands([("Ask", "Upper case is not allowed")])
    assert [m["text"] for m in emu.sent_messages(ALICE.id)] == ["answer, final"]
    assert [m["message_id"] for m in emu.messages(ALICE.id)] == [1, 2]


# -- files -----------------------------------------------------------------------------------------------------


async def test_send_photo_multipart_and_by_file_id(emu: BotApiEmulator) -> None:
    emu.register_chat(ALICE.id, ALICE)
    picture = png(1000, 500)
    async with make_application(emu) as app:
        message = await app.bot.send_photo(ALICE.id, picture, caption="<b>cap</b> ✓", parse_mode="HTML")
        [upload] = emu.calls("sendPhoto")
        assert upload.files == {"photo": picture} and "photo" not in upload.params
        assert upload.params["caption"] == "<b>cap</b> ✓"
        assert [(p.width, p.height) for p in message.photo] == [(90, 45), (320, 160), (800, 400), (1000, 500)]
        assert message.caption == "cap ✓" and message.caption_entities[0].type == "bold"
        assert emu.file_bytes(message.photo[-1].file_id) == picture

        again = await app.bot.send_photo(ALICE.id, message.photo[-1].file_id)
        assert again.photo[-1].file_unique_id == message.photo[-1].file_unique_id
        assert emu.calls("sendPhoto")[-1].files == {}

        with pytest.raises(BadRequest, match="(?i)IMAGE_PROCESS_FAILED"):
            await app.bot.send_photo(ALICE.id, b"not an image at all")
        with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
            await app.bot.send_photo(ALICE.id, "AgACAgIAAxkBAAnoSuchFile")
        with pytest.raises(BadRequest, match="(?i)message caption is too long"):
            await app.bot.send_photo(ALICE.id, picture, caption="c" * 1025)
        await app.bot.send_photo(ALICE.id, picture, caption="<i>" + "c" * 1024 + "</i>", parse_mode="HTML")

        document = await app.bot.send_document(
            ALICE.id, b"%PDF-1.4 minimal", filename="notes.pdf", caption="doc"
        )
        assert document.document.file_name == "notes.pdf" and document.document.mime_type == "application/pdf"
        assert emu.calls("sendDocument")[0].files["document"] == b"%PDF-1.4 minimal"
        downloaded = await (await app.bot.get_file(document.document.file_id)).download_as_bytearray()
        assert bytes(downloaded) == b"%PDF-1.4 minimal"
    assert len(emu.sent_messages(ALICE.id)) == 4


async def test_media_group_with_two_uploads(emu: BotApiEmulator) -> None:
    emu.register_chat(ALICE.id, ALICE)
    first, second = png(64, 64, (0, 0, 255)), png(80, 40, (0, 255, 0))
    async with make_application(emu) as app:
        messages = await app.bot.send_media_group(
            ALICE.id,
            [InputMediaPhoto(first, caption="<b>one</b>", parse_mode="HTML"), InputMediaPhoto(second)],
        )
        [call] = emu.calls("sendMediaGroup")
        media = call.params["media"]
        assert [m["media"].startswith("attach://") for m in media] == [True, True]
        assert [call.files[m["media"][len("attach://") :]] for m in media] == [first, second]
        assert len(messages) == 2 and messages[0].media_group_id == messages[1].media_group_id
        assert messages[0].caption == "one" and messages[1].caption is None
        assert (messages[1].photo[-1].width, messages[1].photo[-1].height) == (80, 40)

        with pytest.raises(BadRequest, match="2-10 items"):
            await app.bot.send_media_group(ALICE.id, [InputMediaPhoto(first)])
        with pytest.raises(BadRequest, match="(?i)too many messages"):
            await app.bot.send_media_group(ALICE.id, [InputMediaPhoto(first)] * 11)
        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await app.bot.send_media_group(
                ALICE.id, [InputMediaPhoto(first), InputMediaPhoto(second, caption="c" * 1025)]
            )
    assert len(emu.sent_messages(ALICE.id)) == 2


async def test_user_photo_is_downloadable_by_the_bot(emu: BotApiEmulator) -> None:
    picture = png(400, 300)
    async with polling(emu) as app:
        message = emu.user_message(ALICE.id, ALICE, photo=picture, caption="what is this meme?")
        await emu.wait_for("sendMessage", timeout=5)
    assert [(p["width"], p["height"]) for p in message["photo"]] == [(90, 68), (320, 240), (400, 300)]
    assert all(p["file_size"] > 0 and p["file_unique_id"] for p in message["photo"])
    assert message["caption"] == "what is this meme?"
    assert app.bot_data["downloaded"] == picture
    assert emu.sent_messages(ALICE.id)[-1]["text"] == f"got {len(picture)} bytes"
    [get_file] = emu.calls("getFile")
    assert get_file.result["file_path"].startswith("photos/") and [d.status for d in emu.downloads] == [200]


async def test_user_document_download_and_file_paths(emu: BotApiEmulator) -> None:
    data = b"col1,col2\n1,2\n"
    message = emu.user_message(ALICE.id, ALICE, document=("table.csv", data, None), caption="my data")
    assert message["document"]["file_name"] == "table.csv" and message["document"]["mime_type"] == "text/csv"
    async with make_application(emu) as app:
        file = await app.bot.get_file(message["document"]["file_id"])
        assert file.file_path.startswith(
            f"{emu.base_file_url}{emu.token}/documents/"
        ) and file.file_size == len(data)
        assert bytes(await file.download_as_bytearray()) == data
        with pytest.raises(BadRequest, match="(?i)invalid file_id"):
            await app.bot.get_file("BQACAgIAAxkBAAnoSuchFile")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.base_file_url}{emu.token}/documents/nothing.csv") as response:
            assert response.status == 404
        async with session.get(file.file_path.replace(emu.token, "999:" + "z" * 35)) as response:
            assert response.status == 401
    assert [d.status for d in emu.downloads] == [200, 404, 401]


# -- queries ---------------------------------------------------------------------------------------------------


async def test_callback_query_is_answered_once(emu: BotApiEmulator) -> None:
    async with polling(emu) as app:
        emu.user_message(ALICE.id, ALICE, "hi")
        [call] = await emu.wait_for("sendMessage", timeout=5)
        message_id = call.result["message_id"]
        with pytest.raises(ValueError, match="no button"):
            emu.press_button(ALICE.id, ALICE, message_id, "nope")
        query_id = emu.press_button(ALICE.id, ALICE, message_id, "again")
        await emu.wait_for("editMessageText", timeout=5)
        [answer] = emu.calls("answerCallbackQuery")
        assert answer.ok and answer.params == {"callback_query_id": query_id, "text": "pressed"}
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await app.bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await app.bot.answer_callback_query("12345")
    [message] = emu.sent_messages(ALICE.id)
    assert message["text"] == "pressed again" and "reply_markup" not in message
    assert emu.callback_answers[query_id]["text"] == "pressed"
    with pytest.raises(ValueError, match="no button"):  # the keyboard is gone after the edit
        emu.press_button(ALICE.id, ALICE, message_id, "again")


async def test_inline_query_is_answered(emu: BotApiEmulator) -> None:
    async with polling(emu):
        query_id = emu.inline_query(ALICE, "dropout")
        [call] = await emu.wait_for("answerInlineQuery", timeout=5)
    assert call.ok and call.params["inline_query_id"] == query_id
    [result] = call.params["results"]
    assert result["title"] == "About dropout"
    assert result["input_message_content"] == {"message_text": "<b>dropout</b>", "parse_mode": "HTML"}


async def test_inline_answers_are_validated(emu: BotApiEmulator) -> None:
    def article(result_id: str, text: str = "x", **kwargs: object) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(result_id, "title", InputTextMessageContent(text, **kwargs))

    async with make_application(emu) as app:  # not polling: the queries stay unanswered for the test
        query_id = emu.inline_query(ALICE, "q")
        cases = [
            ([article(str(i)) for i in range(51)], "(?i)RESULTS_TOO_MUCH"),
            ([article("1"), article("1")], "(?i)RESULT_ID_DUPLICATE"),
            ([article("i" * 65)], "(?i)RESULT_ID_INVALID"),
            ([article("1", "a < b", parse_mode="HTML")], "(?i)can't parse entities"),
        ]
        for results, error in cases:
            with pytest.raises(BadRequest, match=error):
                await app.bot.answer_inline_query(query_id, results)
        assert await app.bot.answer_inline_query(query_id, [article(str(i)) for i in range(50)])
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await app.bot.answer_inline_query(query_id, [])
    assert len(emu.inline_answers[query_id]["results"]) == 50


# -- failures --------------------------------------------------------------------------------------------------


async def test_rate_limiter_honours_retry_after(emu: BotApiEmulator) -> None:
    emu.fail_next("sendMessage", 429, retry_after=1)
    async with polling(emu, rate_limiter=AIORateLimiter(max_retries=1)):
        emu.user_message(ALICE.id, ALICE, "flood")
        first, retry = await emu.wait_for("sendMessage", count=2, timeout=8)
    assert first.status == 429 and first.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert retry.ok and retry.time - first.time >= 1.0
    assert emu.retry_violations == []
    assert [m["text"] for m in emu.sent_messages(ALICE.id)] == ["echo: flood"]


async def test_retry_before_retry_after_is_refused(emu: BotApiEmulator) -> None:
    emu.register_chat(ALICE.id, ALICE)
    emu.fail_next("sendMessage", 429, retry_after=1)
    emu.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted")
    async with make_application(emu) as app:
        with pytest.raises(RetryAfter):
            await app.bot.send_message(ALICE.id, "a")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(ALICE.id, "too early")
        await asyncio.sleep(1.05)
        sent = await app.bot.send_message(ALICE.id, "in time")
        with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
            await app.bot.delete_message(ALICE.id, sent.message_id)
        assert await app.bot.delete_message(ALICE.id, sent.message_id)
    assert [c.params["text"] for c in emu.retry_violations] == ["too early"]


# -- webhook ---------------------------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_token(emu: BotApiEmulator) -> None:
    port = free_port()
    app = build_app(emu)
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        try:
            [set_call] = emu.calls("setWebhook")
            assert set_call.params["secret_token"] == "s3cret"
            assert set_call.response["description"] == "Webhook was set"
            emu.user_message(ALICE.id, ALICE, "via webhook")
            await emu.wait_for("sendMessage", timeout=5)
            delivered = [d for d in emu.webhook_deliveries if d.status == 200]
            assert delivered and delivered[0].secret_token == "s3cret"
            assert delivered[0].url == f"http://127.0.0.1:{port}/hook"

            with pytest.raises(Conflict, match="(?i)webhook is active"):
                await app.bot.get_updates()

            forged = emu.user_message(ALICE.id, ALICE, "forged", deliver=False)
            update = {"update_id": 10**6, "message": forged}
            assert await emu.post_webhook(update, secret_token="wrong") == 403
            assert await emu.post_webhook(update, secret_token=None) == 403
            info = await app.bot.get_webhook_info()
            assert info.url == f"http://127.0.0.1:{port}/hook" and info.pending_update_count == 0
            await asyncio.sleep(0.2)
        finally:
            await app.updater.stop()
            await app.stop()
    assert [m["text"] for m in emu.sent_messages(ALICE.id)] == ["echo: via webhook"]
    assert [c.status for c in emu.calls("getUpdates")] == [409]  # only the refused one


async def test_failed_webhook_deliveries_are_retried_and_reported(emu: BotApiEmulator) -> None:
    status, body = await raw_call(emu, "setWebhook", url="http://example.com/hook")
    assert (status, body["description"]) == (
        400,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )
    dead = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
    status, body = await raw_call(emu, "setWebhook", url=dead, drop_pending_updates=True)
    assert status == 200 and body == {"ok": True, "result": True, "description": "Webhook was set"}
    emu.user_message(ALICE.id, ALICE, "anyone?")
    for _ in range(50):
        if len(emu.webhook_deliveries) >= 2:
            break
        await asyncio.sleep(0.05)
    assert len(emu.webhook_deliveries) >= 2 and all(d.status is None for d in emu.webhook_deliveries)
    _, info = await raw_call(emu, "getWebhookInfo")
    assert info["result"]["url"] == dead and info["result"]["pending_update_count"] == 1
    assert info["result"]["last_error_message"].startswith("Connection failed")
    status, _ = await raw_call(emu, "getUpdates")
    assert status == 409
    _, body = await raw_call(emu, "deleteWebhook")
    assert body["description"] == "Webhook was deleted"
    _, body = await raw_call(emu, "getUpdates")  # the undelivered update is still there
    assert [u["message"]["text"] for u in body["result"]] == ["anyone?"]


# -- the parsers on their own ----------------------------------------------------------------------------------


def test_parsers_follow_telegram() -> None:
    assert utf16_len("a😀б") == 4
    text, entities = parse_html("😀 <b>жирный</b> &#128512;<i>x</i>")
    assert text == "😀 жирный 😀x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 6},
        {"type": "italic", "offset": 12, "length": 1},
    ]
    assert parse_html("<blockquote expandable>q</blockquote>")[1] == [
        {"type": "expandable_blockquote", "offset": 0, "length": 1}
    ]
    assert parse_html("AT&T", strict_ampersand=False) == ("AT&T", [])
    assert parse_html('<a href="tg://user?id=42">Alice</a>')[1][0]["type"] == "text_mention"

    text, entities = parse_markdown_v2(r"*bold* _it_ __u__ ||sp|| `c` [l](https://e.com) 1\.5")
    assert text == "bold it u sp c l 1.5"
    assert [e["type"] for e in entities] == ["bold", "italic", "underline", "spoiler", "code", "text_link"]
    with pytest.raises(ValueError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("Version 1.5")
    with pytest.raises(ValueError, match="Can't find end of the entity starting at byte offset 0"):
        parse_markdown_v2("*open")
    assert parse_markdown("*b* _i_ `c`") == (
        "b i c",
        [
            {"type": "bold", "offset": 0, "length": 1},
            {"type": "italic", "offset": 2, "length": 1},
            {"type": "code", "offset": 4, "length": 1},
        ],
    )


async def test_control_routes_let_another_process_play_the_users() -> None:
    """``python -m tests.e2e.emulator`` serves these: a load test drives users from outside the bot's process."""
    async with BotApiEmulator(control_api=True) as emu, aiohttp.ClientSession() as http:
        user = {"id": 77, "first_name": "Ann", "language_code": "en"}
        async with http.post(
            f"{emu.url}/_emulator/message", json={"chat_id": 77, "user": user, "text": "hi"}
        ) as response:
            queued = (await response.json())["time"]
        waiting = asyncio.create_task(
            http.get(f"{emu.url}/_emulator/wait", params={"method": "sendMessage", "chat_id": "77"})
        )
        async with Bot(emu.token, base_url=emu.base_url) as bot:
            [update] = await bot.get_updates(timeout=1)
            assert update.message is not None and update.message.text == "hi"
            await bot.send_message(77, "hello")
        async with await waiting as response:
            [call] = (await response.json())["calls"]
        assert call["method"] == "sendMessage" and call["chat_id"] == 77 and call["time"] >= queued
        query = {"method": "sendMessage", "chat_id": "77", "count": "2", "timeout": "0.05"}
        async with http.get(f"{emu.url}/_emulator/wait", params=query) as response:
            assert response.status == 408
