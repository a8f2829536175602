"""Browsing the collection: /memes and /concepts as buttons, /random for a random meme."""

from __future__ import annotations

import random

from telegram import Update

from bot.telegram.context import BotContext, lang_of
from bot.telegram.render import CB_NOTE, callback, esc, keyboard
from bot.telegram.replies import send_html, send_note
from common.i18n import t


async def random_command(update: Update, context: BotContext) -> None:
    """/random: a random meme explanation."""
    lang = lang_of(update)
    notes = context.services.retriever.notes
    memes = sorted(s for s, n in notes.items() if n.kind == "meme")
    await send_note(context, update, notes[random.choice(memes)], lang, "/random")


async def list_command(update: Update, context: BotContext) -> None:
    """/memes and /concepts: what the bot knows, as buttons."""
    assert update.effective_chat is not None and update.effective_message is not None
    lang = lang_of(update)
    kind = "meme" if (update.effective_message.text or "").lstrip("/").startswith("meme") else "concept"
    notes = sorted((n for n in context.services.retriever.notes.values() if n.kind == kind), key=lambda n: n.display_title(lang))
    rows = [[(n.display_title(lang)[:60], callback(CB_NOTE, n.slug, lang))] for n in notes]
    text_key = "memes" if kind == "meme" else "concepts"
    await send_html(context, update.effective_chat.id, esc(t(text_key, lang)), keyboard(rows))
