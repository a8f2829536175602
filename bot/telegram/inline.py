"""Inline mode: ``@bot <words>`` in any chat offers the matching explanations as articles."""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.telegram.context import BotContext
from bot.telegram.render import split_message
from bot.telegram.replies import note_html
from common.i18n import detect_lang

INLINE_RESULTS = 5


async def on_inline_query(update: Update, context: BotContext) -> None:
    """@bot <words> in any chat: matching explanations as articles."""
    inline = update.inline_query
    assert inline is not None
    query = inline.query.strip()
    if not query:
        await inline.answer([], cache_time=5)
        return
    lang = detect_lang(query)
    hits = await asyncio.to_thread(context.services.retriever.search, query, INLINE_RESULTS)
    notes = context.services.retriever.notes
    results = []
    for hit in hits:
        if not hit.relevant:
            continue
        note = notes[hit.slug]
        results.append(
            InlineQueryResultArticle(
                id=hit.slug[:64],
                title=note.display_title(lang),
                description=note.short(lang)[:200],
                input_message_content=InputTextMessageContent(
                    split_message(note_html(note, lang))[0], parse_mode=ParseMode.HTML
                ),
            )
        )
    await inline.answer(results, cache_time=30)
