"""Short answers to what the bot can't use: stickers, voice, video, files, unknown /commands."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.telegram.context import BotContext, lang_of
from bot.telegram.questions import addressed_to_bot
from common.i18n import t

UNSUPPORTED = (
    filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | (filters.Document.ALL & ~filters.Document.IMAGE)
    | filters.LOCATION
    | filters.CONTACT
    | filters.POLL
)


async def unsupported_media(update: Update, context: BotContext) -> None:
    """A sticker, voice message, video or non-picture file: say what the bot understands."""
    message = update.effective_message
    if message is None or not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    await message.reply_text(t("unsupported_media", lang_of(update)))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A /command no handler knows (in groups only when it names this bot)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0]
    name, _, target = command.partition("@")
    if message.chat.type != ChatType.PRIVATE and target.lower() != context.bot.username.lower():
        return
    await message.reply_text(t("unknown_command", lang_of(update), command=name[:40]))
