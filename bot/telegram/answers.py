"""Showing one pipeline answer in Telegram, and keeping the chat's dialogue context.

The chat's :class:`~bot.answer.dialogue.DialogueState` lives in ``context.chat_data`` (persisted with
the rest of the bot's data), so «подробнее», «а пример?» and «теперь p=0.2» follow the last answer.
"""

from __future__ import annotations

import time

from telegram import Update

from bot.answer import Answer, DialogueState
from bot.answer.render import unknown_heading
from bot.telegram.context import BotContext
from bot.telegram.demos import run_demo
from bot.telegram.outcomes import answer_token, record_answer
from bot.telegram.render import CB_DEMO, CB_NOTE, callback, esc, keyboard
from bot.telegram.replies import (
    answer_keyboard,
    help_keyboard,
    note_html,
    related_notes,
    send_html,
    send_note,
)
from bot.telegram.submit import start_submission_from_question
from common.i18n import t

DIALOGUE_KEY = "dialogue"
# Replies after which the example questions help: the user didn't get what they wanted.
HELPFUL_KEYBOARD = ("help", "off_topic", "clarify", "unknown")


def dialogue_of(context: BotContext) -> DialogueState:
    """This chat's dialogue context (empty for a new chat or after a malformed save)."""
    data = context.chat_data if context.chat_data is not None else {}
    return DialogueState.from_dict(data.get(DIALOGUE_KEY))


def remember(context: BotContext, state: DialogueState) -> None:
    if context.chat_data is not None:
        context.chat_data[DIALOGUE_KEY] = state.to_dict()


def note_shown(context: BotContext, slug: str, depth: str = "short", demo: str | None = None) -> None:
    """A button showed a note (or ran a demo): the chat is now about it."""
    state = dialogue_of(context)
    if demo is not None:
        state.demo, state.params = demo, {}
    elif slug != state.note:
        state.demo, state.params = None, {}
    state.note, state.depth, state.at = slug, depth, time.time()
    remember(context, state)


async def send_answer(
    context: BotContext,
    update: Update,
    answer: Answer,
    reply_to: int | None = None,
    started: float | None = None,
) -> None:
    """Render one pipeline answer, then record its outcome (``started``: when the question arrived)."""
    token = answer_token(context)
    await _send(context, update, answer, reply_to, token)
    record_answer(context, update, answer, token, started)


async def _send(
    context: BotContext, update: Update, answer: Answer, reply_to: int | None, token: str | None
) -> None:
    """A demo run, a note (short or in depth), or a short text with buttons."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    lang = answer.lang
    suggestions = [
        [("→ " + (h.title if lang == "ru" else h.title_en), callback(CB_NOTE, h.slug, lang))]
        for h in answer.suggestions
    ]
    if answer.status == "demo" and answer.demo is not None:
        if answer.demo.run:
            await run_demo(context, chat_id, answer.demo.id, answer.demo.params, lang)
            return
        # Bad parameters: say which range is allowed, offer the defaults.
        markup = keyboard([[(t("run_demo", lang), callback(CB_DEMO, answer.demo.id, lang))]])
        await send_html(context, chat_id, esc(answer.demo.error or answer.text), markup, reply_to)
        return
    if answer.status == "submit":
        await start_submission_from_question(update, context)
        return
    note = answer.note
    if note is not None and answer.status in ("answered", "resources"):
        if answer.end_of_note:
            rows = [[("→ " + r.display_title(lang), callback(CB_NOTE, r.slug, lang))] for r in answer.related]
            await send_html(context, chat_id, esc(answer.text), keyboard(rows), reply_to)
        elif answer.depth == "deep":
            markup = answer_keyboard(note, lang, related_notes(context, note), token, deep=True)
            await send_html(context, chat_id, note_html(note, lang, deep=True), markup, reply_to)
        else:
            await send_note(context, update, note, lang, answer.query, reply_to, token=token)
        if suggestions:
            await send_html(context, chat_id, esc(t("did_you_mean", lang)), keyboard(suggestions))
    elif suggestions:
        await send_html(context, chat_id, esc(unknown_heading(answer)), keyboard(suggestions), reply_to)
    else:
        extra = help_keyboard(lang) if answer.status in HELPFUL_KEYBOARD else None
        await send_html(context, chat_id, esc(answer.text), extra, reply_to)
