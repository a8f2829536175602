"""Handlers that run before all others (group -1): the per-user rate limit."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop

from bot.telegram.context import BotContext, lang_of
from bot.telegram.render import esc
from common.i18n import t


async def rate_limit(update: Update, context: BotContext) -> None:
    """Stop handling when a user exceeds the per-minute limit (and tell them once)."""
    user = update.effective_user
    limiter = context.memebot.limiter
    if user is None or limiter is None or update.inline_query is not None:
        return
    allowed, first_refusal = limiter.allow(user.id)
    if allowed:
        return
    lang = lang_of(update)
    notice = t("rate_limited", lang, limit=limiter.per_minute)
    if update.callback_query is not None:
        await update.callback_query.answer(notice, show_alert=False)
    elif first_refusal and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, esc(notice), parse_mode=ParseMode.HTML)
    raise ApplicationHandlerStop
