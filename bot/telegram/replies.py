"""Sending what the bot has to say: HTML split under Telegram's limits, a note with its keyboard."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.telegram.context import BotContext
from bot.telegram.outcomes import answer_token, record_shown
from bot.telegram.render import (
    CB_ASK,
    CB_DEEPER,
    CB_DEMO,
    CB_NOTE,
    CB_VOTE,
    callback,
    esc,
    keyboard,
    note_markdown_to_html,
    split_message,
)
from common.i18n import Lang, t
from indexer.notes import Note

EXAMPLES: dict[Lang, list[str]] = {
    "ru": [
        "в чём прикол мема с котом у крана",
        "что такое дропаут",
        "покажи дропаут на примере, p=0.3",
        "что почитать по теории вероятностей",
    ],
    "en": [
        "what's the joke with the cat at the faucet",
        "what is dropout actually doing",
        "show dropout with p=0.3",
        "what should I read on probability",
    ],
}


def help_keyboard(lang: Lang) -> InlineKeyboardMarkup:
    """The example questions of /help as buttons."""
    return keyboard([[(q, callback(CB_ASK, i, lang))] for i, q in enumerate(EXAMPLES[lang])])


def note_html(note: Note, lang: Lang, deep: bool = False) -> str:
    body = note.deep(lang) if deep else note.short(lang)
    paragraphs = [note_markdown_to_html(p) for p in body.split("\n\n") if p.strip()]
    return "\n\n".join([f"<b>{esc(note.display_title(lang))}</b>", *paragraphs])


def answer_keyboard(
    note: Note, lang: Lang, related: list[Note], answer_id: str | None, deep: bool = False
) -> InlineKeyboardMarkup:
    """In depth, run the demo, related notes, 👍/👎."""
    rows: list[list[tuple[str, str]]] = []
    first: list[tuple[str, str]] = []
    if not deep:
        first.append((t("deeper", lang), callback(CB_DEEPER, note.slug, lang)))
    if note.demo:
        first.append((t("run_demo", lang), callback(CB_DEMO, note.demo, lang)))
    rows.append(first)
    for rel in related[:3]:
        rows.append([("→ " + rel.display_title(lang), callback(CB_NOTE, rel.slug, lang))])
    if answer_id is not None:
        rows.append([("👍", callback(CB_VOTE, answer_id, "+")), ("👎", callback(CB_VOTE, answer_id, "-"))])
    return keyboard(rows)


async def send_html(
    context: BotContext,
    chat_id: int,
    html_text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> Message:
    """Send HTML split into ≤4096-character parts; the keyboard goes under the last part."""
    parts = split_message(html_text)
    message: Message | None = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        message = await context.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup if last else None,
            reply_to_message_id=reply_to if i == 0 else None,
            disable_web_page_preview=True,
        )
    assert message is not None
    return message


async def send_text(context: BotContext, chat_id: int, key: str, lang: Lang, **params: object) -> Message:
    """One text of the table, escaped."""
    return await send_html(context, chat_id, esc(t(key, lang, **params)))


def related_notes(context: BotContext, note: Note) -> list[Note]:
    notes = context.services.retriever.notes
    return [notes[s] for s in note.related if s in notes][:3]


async def send_note(
    context: BotContext,
    update: Update,
    note: Note,
    lang: Lang,
    query: str,
    reply_to: int | None = None,
    token: str | None = None,
) -> None:
    """A note's short explanation with the answer keyboard (in depth, demo, related, feedback).

    ``token`` is the answer's (its caller records the outcome); without one the note counts as
    shown (by a button, a picture, /random) and is recorded here.
    """
    assert update.effective_chat is not None
    shown = token is None
    token = token or answer_token(context)
    markup = answer_keyboard(note, lang, related_notes(context, note), token)
    await send_html(context, update.effective_chat.id, note_html(note, lang), markup, reply_to)
    if shown and token is not None:
        record_shown(context, update, token, lang, note.slug, query)
