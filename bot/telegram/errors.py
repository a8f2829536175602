"""The one error handler: log with the update id and the traceback, apologise, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.telegram.context import BotContext, lang_of
from bot.telegram.render import esc
from common.i18n import t

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log with the update id and traceback; apologise to the user; keep running."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, esc(t("error", lang_of(update))))
        except TelegramError:
            logger.warning("could not send the apology for update %s", update_id, exc_info=True)
