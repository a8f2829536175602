"""Messages the moderation workflow owes people: the submitter's verdict, the admins' cards."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.community.model import PUBLISHED, REJECTED, SubmissionView
from bot.community.service import SubmissionService
from bot.telegram.render import CB_ADMIN, callback, esc, keyboard, truncate_caption
from common.i18n import Lang, as_lang, t

logger = logging.getLogger(__name__)


def card_caption(title: str, explanation: str, footer: str = "") -> str:
    """A submission as an HTML caption: bold title, the explanation, a footer line."""
    body = f"<b>{esc(title)}</b>"
    if explanation:
        body += "\n\n" + esc(explanation)
    if footer:
        body += "\n\n" + esc(footer)
    return truncate_caption(body)


def admin_keyboard(submission_id: int, lang: Lang) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [(t("approve", lang), callback(CB_ADMIN, "approve", submission_id)), (t("reject", lang), callback(CB_ADMIN, "reject", submission_id))],
            [(t("edit", lang), callback(CB_ADMIN, "edit", submission_id))],
        ]
    )


async def notify_admins(bot: Bot, service: SubmissionService, view: SubmissionView) -> None:
    """Send a new submission to every admin with the picture and the decision buttons."""
    image = await asyncio.to_thread(view.image_path.read_bytes)
    for admin_id in sorted(service.admins):
        lang: Lang = "ru"
        caption = card_caption(view.title, view.explanation, t("admin_new", lang, id=view.id, user=view.user_id))
        try:
            await bot.send_photo(admin_id, image, caption=caption, parse_mode=ParseMode.HTML, reply_markup=admin_keyboard(view.id, lang))
        except TelegramError:
            logger.warning("could not reach admin %s about submission %s", admin_id, view.id, exc_info=True)


async def notify_submitter(bot: Bot, service: SubmissionService, view: SubmissionView) -> None:
    """Tell the submitter the outcome, once (the claim in the database makes it once)."""
    if view.status not in (PUBLISHED, REJECTED):
        return
    if not await asyncio.to_thread(service.mark_notified, view.id):
        return
    key = "approved_user" if view.status == PUBLISHED else "rejected_user"
    message = t(key, as_lang(view.user_lang), id=view.id, title=view.title, reason=view.reason or "")
    try:
        await bot.send_message(view.chat_id, esc(message), parse_mode=ParseMode.HTML)
    except TelegramError:
        logger.warning("could not notify the submitter of %s", view.id, exc_info=True)
        await asyncio.to_thread(service.unmark_notified, view.id)
