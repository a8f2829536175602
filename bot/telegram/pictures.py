"""A meme picture from a user: matched by perceptual hash, else its caption is read (OCR) and searched."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ChatAction, ParseMode

from bot.telegram.context import BotContext, lang_of
from bot.telegram.questions import addressed_to_bot, strip_mention
from bot.telegram.render import esc
from bot.telegram.replies import help_keyboard, send_html, send_note
from bot.vision import ImageError, ImageTooLargeError, recognise_meme
from common.i18n import t


async def on_photo(update: Update, context: BotContext) -> None:
    """A meme picture: match by perceptual hash, else read its text (OCR) and search with it."""
    message = update.effective_message
    if message is None or not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    caption = strip_mention(message, context.bot.username) if message.caption else ""
    lang = lang_of(update, caption or None)
    settings = context.settings
    item = message.photo[-1] if message.photo else message.document
    if item is None:
        return
    await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    try:
        if (item.file_size or 0) > settings.max_image_bytes:
            raise ImageTooLargeError(item.file_size or 0, settings.max_image_bytes)
        data = bytes(await (await context.bot.get_file(item.file_id)).download_as_bytearray())
        images = await asyncio.to_thread(context.memebot.wait_images)
        recognition = await asyncio.to_thread(recognise_meme, data, images, settings.max_image_bytes)
    except ImageError as exc:
        await context.bot.send_message(message.chat_id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    notes = context.services.retriever.notes
    if recognition.slug and recognition.slug in notes:
        await send_note(
            context, update, notes[recognition.slug], lang, caption or "[photo]", reply_to=message.message_id
        )
        return
    query = " ".join(x for x in (caption, recognition.ocr) if x).strip()
    answer = (
        await asyncio.to_thread(context.services.pipeline.answer, query, lang, None, True) if query else None
    )
    if answer is None or answer.note is None:
        await send_html(context, message.chat_id, esc(t("photo_unknown", lang)), help_keyboard(lang))
        return
    if recognition.ocr:
        await context.bot.send_message(
            message.chat_id, esc(t("photo_read", lang, text=recognition.ocr[:200])), parse_mode=ParseMode.HTML
        )
    await send_note(context, update, answer.note, lang, query, reply_to=message.message_id)
