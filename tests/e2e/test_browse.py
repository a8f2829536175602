"""Browsing the collection over the Bot API emulator: /memes page by page, /random with its picture."""

from __future__ import annotations

import html
import re

import pytest

from bot.telegram.browse import PAGE_SIZE
from tests.e2e.conftest import EN_USER, RU_USER, button_data

pytestmark = pytest.mark.e2e


async def test_memes_list_pages_forward_and_back_and_opens_a_meme(start_bot) -> None:
    bot = await start_bot()
    memes = sorted(
        (n for n in bot.services.retriever.notes.values() if n.kind == "meme"),
        key=lambda n: n.title.casefold(),
    )
    pages = -(-len(memes) // PAGE_SIZE)
    (reply,) = await bot.say(RU_USER, "/memes")
    assert f"Я знаю {len(memes)} мем" in reply.params["text"]
    listing = bot.last_bot_message(RU_USER.id)
    first = button_data(listing)
    assert [label for label in first if not label.startswith(("◀", "▶")) and "/" not in label] == [
        m.title[:60] for m in memes[:PAGE_SIZE]
    ]
    assert f"1/{pages}" in first and "▶" in first and "◀" not in first

    await bot.press(RU_USER, listing, first["▶"], method="editMessageText")
    second = button_data(bot.emu.message(RU_USER.id, listing["message_id"]))
    assert f"2/{pages}" in second and "◀" in second
    assert memes[PAGE_SIZE].title[:60] in second and memes[0].title[:60] not in second

    await bot.press(RU_USER, listing, second["◀"], method="editMessageText")
    back = button_data(bot.emu.message(RU_USER.id, listing["message_id"]))
    assert back == first

    await bot.press(RU_USER, listing, back[memes[1].title[:60]], method="sendMessage")
    opened = bot.calls_to(RU_USER.id, "sendMessage")[-1]
    assert opened.params["text"].startswith(f"<b>{memes[1].title}")


async def test_a_forged_page_is_refused_as_stale(start_bot) -> None:
    bot = await start_bot()
    await bot.say(EN_USER, "/memes")
    listing = bot.last_bot_message(EN_USER.id)
    await bot.press(EN_USER, listing, "p:meme:x:en", forged=True)
    assert (
        bot.emu.calls("answerCallbackQuery")[-1].params.get("text")
        == "This button has expired. Please ask again."
    )


async def test_random_sends_a_meme_picture_with_its_short_explanation(start_bot) -> None:
    bot = await start_bot()
    notes = bot.services.retriever.notes
    (photo,) = await bot.say(EN_USER, "/random", method="sendPhoto")
    caption = photo.params["caption"]
    title = html.unescape(caption.split("</b>")[0].removeprefix("<b>"))
    (note,) = [n for n in notes.values() if n.kind == "meme" and n.title_en == title]
    text = html.unescape(re.sub(r"<[^>]+>", "", caption))
    assert re.sub(r"[`*_]", "", note.short("en"))[:30] in text
    (uploaded,) = photo.files.values()
    assert note.image_path is not None and uploaded == note.image_path.read_bytes()
    assert {"In depth", "👍", "👎"} <= set(button_data(bot.last_bot_message(EN_USER.id)))
