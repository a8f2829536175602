"""Questions in text and the buttons under answers: in depth, related note, demo, 👍/👎, example questions."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.exc import SQLAlchemyError
from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest

from bot.telegram.answers import dialogue_of, note_shown, remember, send_answer
from bot.telegram.context import BotContext, lang_of
from bot.telegram.cpu import cpu_call
from bot.telegram.demos import run_demo
from bot.telegram.render import (
    CB_ASK,
    CB_DEEPER,
    CB_DEMO,
    CB_NOTE,
    CB_VOTE,
    esc,
    parse_callback,
    split_message,
)
from bot.telegram.replies import (
    EXAMPLES,
    answer_keyboard,
    help_keyboard,
    note_html,
    related_notes,
    send_html,
    send_note,
)
from common.i18n import as_lang, t
from indexer.notes import Note

logger = logging.getLogger(__name__)


def strip_mention(message: Message, username: str) -> str:
    raw = message.text or message.caption or ""
    return raw.replace(f"@{username}", " ").strip()


def addressed_to_bot(message: Message, bot_id: int, username: str) -> bool:
    """In groups the bot answers only mentions of it and replies to its messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    entities = (
        message.parse_entities([MessageEntityType.MENTION])
        if message.text
        else message.parse_caption_entities([MessageEntityType.MENTION])
    )
    return any(value.lower() == f"@{username.lower()}" for value in entities.values())


async def start_command(update: Update, context: BotContext) -> None:
    """/start and /help: what the bot does, with example questions as buttons."""
    assert update.effective_chat is not None
    lang = lang_of(update)
    await send_html(context, update.effective_chat.id, esc(t("help", lang)), help_keyboard(lang))


async def on_text(update: Update, context: BotContext) -> None:
    """Any text: route → retrieve → answer (in groups only when addressed to the bot)."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None or not message.text:
        return
    if not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    query = strip_mention(message, context.bot.username)
    # No "typing…" here: a text answer takes milliseconds, and every call counts against
    # Telegram's 30-per-second flood limit that AIORateLimiter enforces.
    state = dialogue_of(context)
    answer = await cpu_call(context.services.pipeline.answer, query, None, state)
    remember(context, state)
    reply_to = message.message_id if message.chat.type != ChatType.PRIVATE else None
    await send_answer(context, update, answer, reply_to, started=started)


async def on_callback(update: Update, context: BotContext) -> None:
    """Inline buttons: in depth, related note, run demo, feedback, example questions."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    lang = lang_of(update)
    parsed = parse_callback(query.data if isinstance(query.data, str) else None)
    if parsed is None or parsed.kind not in (CB_DEEPER, CB_NOTE, CB_DEMO, CB_VOTE, CB_ASK):
        logger.warning(
            "stale or forged callback data %r from user %s",
            query.data,
            update.effective_user.id if update.effective_user else None,
        )
        await query.answer(t("stale", lang))
        return
    fields = parsed.fields
    lang = as_lang(fields.get("lang", lang))
    if parsed.kind == CB_VOTE:
        await on_vote(update, context, fields["answer"], 1 if fields["vote"] == "+" else -1)
        return
    if parsed.kind == CB_DEMO:
        if fields["demo"] not in {d.id for d in context.services.demo_specs}:
            await query.answer(t("stale", lang))
            return
        await query.answer()
        spec = next(d for d in context.services.demo_specs if d.id == fields["demo"])
        note_shown(context, spec.note_slug, demo=spec.id)
        await run_demo(context, chat.id, fields["demo"], {}, lang)
        return
    if parsed.kind == CB_ASK:
        index = int(fields["index"])
        if index >= len(EXAMPLES[lang]):
            await query.answer(t("stale", lang))
            return
        await query.answer()
        started = time.perf_counter()
        state = dialogue_of(context)
        answer = await cpu_call(context.services.pipeline.answer, EXAMPLES[lang][index], lang, state)
        remember(context, state)
        await send_answer(context, update, answer, started=started)
        return
    note = context.services.retriever.notes.get(fields["slug"])
    if note is None:
        await query.answer(t("no_such_note", lang))
        return
    await query.answer()
    if parsed.kind == CB_NOTE:
        note_shown(context, note.slug)
        await send_note(context, update, note, lang, f"[{note.slug}]")
        return
    note_shown(context, note.slug, depth="deep")
    await show_deeper(update, context, note, lang)


async def show_deeper(update: Update, context: BotContext, note: Note, lang: str) -> None:
    """Edit the explanation into the in-depth section (extra parts follow as new messages)."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    language = as_lang(lang)
    parts = split_message(note_html(note, language, deep=True))
    message = query.message if isinstance(query.message, Message) else None
    markup = answer_keyboard(note, language, related_notes(context, note), answer_id_of(message), deep=True)
    try:
        await query.edit_message_text(
            parts[0],
            parse_mode=ParseMode.HTML,
            reply_markup=None if len(parts) > 1 else markup,
            disable_web_page_preview=True,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    for i, part in enumerate(parts[1:], start=2):
        await context.bot.send_message(
            chat.id, part, parse_mode=ParseMode.HTML, reply_markup=markup if i == len(parts) else None
        )


def answer_id_of(message: Message | None) -> str | None:
    """The answer id behind the 👍/👎 buttons of a message we sent, so edits keep the feedback buttons."""
    markup = message.reply_markup if message is not None else None
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            parsed = parse_callback(button.callback_data if isinstance(button.callback_data, str) else None)
            if parsed is not None and parsed.kind == CB_VOTE:
                return parsed.fields["answer"]
    return None


async def on_vote(update: Update, context: BotContext, token: str, vote: int) -> None:
    """👍/👎: one vote per person and answer (pressing again or changing one's mind replaces it)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    lang = lang_of(update)
    loop = context.memebot.learning
    try:
        result = (
            await asyncio.to_thread(loop.vote, token, user.id, chat.id, vote) if loop is not None else "stale"
        )
    except SQLAlchemyError:
        logger.warning("could not store a vote", exc_info=True)
        await query.answer(t("vote_failed", lang))
        return
    await query.answer(t("stale" if result == "stale" else "thanks", lang))
