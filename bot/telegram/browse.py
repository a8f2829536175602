"""Browsing the collection: /memes and /concepts as a paged list of buttons, /random for a random meme."""

from __future__ import annotations

import asyncio
import random

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.telegram.context import BotContext, lang_of
from bot.telegram.outcomes import answer_token, record_shown
from bot.telegram.render import (
    CB_NOTE,
    CB_PAGE,
    callback,
    esc,
    keyboard,
    note_markdown_to_html,
    parse_callback,
    truncate_caption,
)
from bot.telegram.replies import answer_keyboard, related_notes, send_html, send_note
from common.i18n import Lang, as_lang, t
from indexer.notes import Note

PAGE_SIZE = 8
PAGE_PATTERN = rf"^{CB_PAGE}:"
KINDS = ("meme", "concept")


def _sorted_notes(context: BotContext, kind: str, lang: Lang) -> list[Note]:
    notes = context.services.retriever.notes.values()
    return sorted((n for n in notes if n.kind == kind), key=lambda n: n.display_title(lang).casefold())


def list_page(notes: list[Note], kind: str, page: int, lang: Lang) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of one page: a button per note, then ◀ page/pages ▶."""
    pages = max(1, -(-len(notes) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = notes[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [[(n.display_title(lang)[:60], callback(CB_NOTE, n.slug, lang))] for n in shown]
    nav: list[tuple[str, str]] = []
    if page > 0:
        nav.append(("◀", callback(CB_PAGE, kind, page - 1, lang)))
    if pages > 1:
        nav.append((f"{page + 1}/{pages}", callback(CB_PAGE, kind, page, lang)))
    if page < pages - 1:
        nav.append(("▶", callback(CB_PAGE, kind, page + 1, lang)))
    rows.append(nav)
    header = t("memes_page" if kind == "meme" else "concepts_page", lang, n=len(notes))
    return esc(header), keyboard(rows)


async def list_command(update: Update, context: BotContext) -> None:
    """/memes and /concepts: what the bot knows, a page of buttons at a time."""
    assert update.effective_chat is not None and update.effective_message is not None
    lang = lang_of(update)
    kind = "meme" if (update.effective_message.text or "").lstrip("/").startswith("meme") else "concept"
    text, markup = list_page(_sorted_notes(context, kind, lang), kind, 0, lang)
    await send_html(context, update.effective_chat.id, text, markup)


async def on_page(update: Update, context: BotContext) -> None:
    """◀/▶ under a list: the same message shows another page."""
    query = update.callback_query
    assert query is not None
    parsed = parse_callback(query.data if isinstance(query.data, str) else None)
    if parsed is None or parsed.kind != CB_PAGE:
        await query.answer(t("stale", lang_of(update)))
        return
    await query.answer()
    kind, page, lang = parsed.fields["kind"], int(parsed.fields["page"]), as_lang(parsed.fields["lang"])
    text, markup = list_page(_sorted_notes(context, kind, lang), kind, page, lang)
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:  # pressing the current page's number changes nothing
        if "not modified" not in str(exc).lower():
            raise


async def random_command(update: Update, context: BotContext) -> None:
    """/random: a random meme — its picture with the short explanation, and the usual buttons."""
    chat = update.effective_chat
    assert chat is not None
    lang = lang_of(update)
    memes = [n for n in context.services.retriever.notes.values() if n.kind == "meme"]
    note = random.choice(sorted(memes, key=lambda n: n.slug))
    picture = note.image_path
    if picture is None or not picture.is_file():
        await send_note(context, update, note, lang, "/random")
        return
    token = answer_token(context)
    caption = f"<b>{esc(note.display_title(lang))}</b>\n\n{note_markdown_to_html(note.short(lang))}"
    markup = answer_keyboard(note, lang, related_notes(context, note), token)
    data = await asyncio.to_thread(picture.read_bytes)
    await context.bot.send_photo(
        chat.id, data, caption=truncate_caption(caption), parse_mode=ParseMode.HTML, reply_markup=markup
    )
    if token is not None:
        record_shown(context, update, token, lang, note.slug, "/random")
