"""Showing one pipeline answer in Telegram: a demo run, a note, a submission offer, or a short text."""

from __future__ import annotations

from telegram import Update

from bot.answer import Answer
from bot.telegram.context import BotContext
from bot.telegram.demos import run_demo
from bot.telegram.outcomes import answer_token, record_answer
from bot.telegram.render import CB_DEMO, CB_NOTE, callback, esc, keyboard
from bot.telegram.replies import help_keyboard, send_html, send_note
from bot.telegram.submit import start_submission_from_question
from common.i18n import t


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
    """A demo run, a note, or a short text with buttons."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    lang = answer.lang
    if answer.demo is not None and answer.demo.run:
        await run_demo(context, chat_id, answer.demo.id, answer.demo.params, lang)
        return
    if answer.intent == "submit_meme":
        await start_submission_from_question(update, context)
        return
    suggestions = [
        [("→ " + (h.title if lang == "ru" else h.title_en), callback(CB_NOTE, h.slug, lang))]
        for h in answer.suggestions
    ]
    if answer.demo is not None and answer.demo.error:
        # Bad parameters: say which range is allowed, offer the defaults.
        markup = keyboard([[(t("run_demo", lang), callback(CB_DEMO, answer.demo.id, lang))]])
        await send_html(context, chat_id, esc(answer.demo.error), markup, reply_to)
    elif answer.note is not None:
        await send_note(context, update, answer.note, lang, answer.query, reply_to, token=token)
        if suggestions:
            await send_html(context, chat_id, esc(t("did_you_mean", lang)), keyboard(suggestions))
    elif suggestions:
        await send_html(context, chat_id, esc(t("unknown", lang)), keyboard(suggestions), reply_to)
    else:  # help, off-topic, unknown without suggestions: a short honest text and what I can do
        await send_html(context, chat_id, esc(answer.text), help_keyboard(lang), reply_to)
