"""/submit: a user proposes a meme — picture, title, explanation, preview, send (a ConversationHandler).

The submission lives in the database (:mod:`bot.community`); the conversation's state and
``user_data`` are persisted there too (:mod:`bot.telegram.persistence`), so a restart in the middle
goes on where it stopped. ``user_data`` keeps only JSON: the picture is remembered by its Telegram
``file_id`` and fetched again when the draft is stored. The picture is checked at once for
duplicates and the daily limit, before the user types anything more.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from telegram import InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.ext import ConversationHandler

from bot.community.errors import DuplicateMeme, InvalidExplanation, InvalidImage, SubmissionError
from bot.community.validation import validate_title
from bot.telegram.context import BotContext, lang_of
from bot.telegram.notify import card_caption
from bot.telegram.render import esc, keyboard
from bot.telegram.replies import send_note
from bot.vision import ImageError, ImageTooLargeError
from common.i18n import Lang, t

# Conversation states.
PICTURE, TITLE, EXPLANATION, CONFIRM = range(4)

CB_SUBMIT_START = r"^s:start:(ru|en)$"
CB_SUBMIT_DECIDE = r"^s:(confirm|cancel):\d+$"
SUBMIT_RE = re.compile(r"^s:(?P<action>start|confirm|cancel):(?P<arg>\d{1,12}|ru|en)$")


def _state(context: BotContext, update: Update) -> dict[str, Any]:
    state: dict[str, Any] = context.user_data.setdefault("submission", {"lang": lang_of(update)})  # type: ignore[union-attr]
    return state


def submit_button(lang: Lang) -> InlineKeyboardMarkup:
    return keyboard([[(t("start_button", lang), f"s:start:{lang}")]])


async def start_submission_from_question(update: Update, context: BotContext) -> None:
    """A `submit_meme` question: offer the submission button (the conversation starts from it)."""
    assert update.effective_chat is not None
    lang = lang_of(update)
    await context.bot.send_message(
        update.effective_chat.id,
        esc(t("submit_intro", lang)),
        parse_mode=ParseMode.HTML,
        reply_markup=submit_button(lang),
    )


async def submit_start(update: Update, context: BotContext) -> int:
    """/submit (or the submit button): ask for the picture."""
    assert update.effective_chat is not None and context.user_data is not None
    lang = lang_of(update)
    if update.callback_query is not None:
        await update.callback_query.answer()
    context.user_data["submission"] = {"lang": lang}
    await context.bot.send_message(
        update.effective_chat.id, esc(t("ask_picture", lang)), parse_mode=ParseMode.HTML
    )
    return PICTURE


def display_name(user: User) -> str:
    """How admins see a submitter: the Telegram name and @username."""
    return user.full_name + (f" @{user.username}" if user.username else "")


async def download(context: BotContext, file_id: str) -> bytes:
    return bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())


async def submit_picture(update: Update, context: BotContext) -> int:
    """A photo or image file: decoded, checked for duplicates and the daily limit now; remembered by file id."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    state = _state(context, update)
    lang = state["lang"]
    limit = context.settings.max_image_bytes
    item = message.photo[-1] if message.photo else message.document
    assert item is not None
    try:
        if (item.file_size or 0) > limit:
            raise ImageTooLargeError(item.file_size or 0, limit)
        data = await download(context, item.file_id)
        await asyncio.to_thread(
            context.submissions.precheck, user.id, data
        )  # decodes it (pixel budget first)
    except ImageError as exc:
        await message.reply_text(exc.message(lang))
        return PICTURE
    except InvalidImage as exc:
        await message.reply_text(exc.message(lang))
        return PICTURE
    except DuplicateMeme as exc:
        await _tell_duplicate(update, context, exc, lang)
        return ConversationHandler.END
    except SubmissionError as exc:  # the daily limit
        await message.reply_text(exc.message(lang))
        context.user_data.pop("submission", None)  # type: ignore[union-attr]
        return ConversationHandler.END
    state["file_id"] = item.file_id
    await message.reply_text(t("ask_title", lang))
    return TITLE


async def _tell_duplicate(update: Update, context: BotContext, exc: DuplicateMeme, lang: Lang) -> None:
    """Say which meme it is (by its title) and show it when we know it."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(exc.message(lang))
    notes = context.services.retriever.notes
    if exc.kind == "known" and exc.ref in notes:
        await send_note(context, update, notes[str(exc.ref)], lang, "[duplicate]")
    context.user_data.pop("submission", None)  # type: ignore[union-attr]


async def submit_not_picture(update: Update, context: BotContext) -> int:
    """Anything but a picture while one is expected."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t("need_picture", _state(context, update)["lang"]))
    return PICTURE


async def submit_title(update: Update, context: BotContext) -> int:
    """The title (validated by the service when the draft is stored)."""
    assert update.effective_message is not None
    state = _state(context, update)
    try:
        state["title"] = validate_title(update.effective_message.text)
    except SubmissionError as exc:
        await update.effective_message.reply_text(exc.message(state["lang"]))
        return TITLE
    await update.effective_message.reply_text(t("ask_explanation", state["lang"]))
    return EXPLANATION


async def submit_explanation(update: Update, context: BotContext) -> int:
    """The explanation (or /skip): the draft is stored now, then the preview is shown."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None and context.user_data is not None
    state = _state(context, update)
    lang = state["lang"]
    if "file_id" not in state or "title" not in state:  # a conversation from before an upgrade: start over
        context.user_data.pop("submission", None)
        await message.reply_text(t("ask_picture", lang))
        context.user_data["submission"] = {"lang": lang}
        return PICTURE
    explanation = "" if (message.text or "").startswith("/skip") else (message.text or "")
    try:
        image = await download(context, state["file_id"])
        view = await asyncio.to_thread(
            context.submissions.create_draft,
            user.id,
            chat.id,
            lang,
            image,
            state["title"],
            explanation,
            display_name(user),
        )
    except DuplicateMeme as exc:
        await _tell_duplicate(update, context, exc, lang)
        return ConversationHandler.END
    except SubmissionError as exc:
        await message.reply_text(exc.message(lang))
        return EXPLANATION if isinstance(exc, InvalidExplanation) else ConversationHandler.END
    state["id"] = view.id
    caption = card_caption(view.title, view.explanation, t("preview", lang))
    buttons = keyboard(
        [[(t("send", lang), f"s:confirm:{view.id}"), (t("cancel", lang), f"s:cancel:{view.id}")]]
    )
    await context.bot.send_photo(
        chat.id, state["file_id"], caption=caption, parse_mode=ParseMode.HTML, reply_markup=buttons
    )
    return CONFIRM


async def submit_confirm(update: Update, context: BotContext) -> int:
    """Send or cancel the stored draft."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None and context.user_data is not None
    lang = context.user_data.get("submission", {}).get("lang", lang_of(update))
    match = SUBMIT_RE.match(query.data or "")
    await query.answer()
    if match is None or not match.group("arg").isdigit():
        return CONFIRM
    submission_id = int(match.group("arg"))
    service = context.submissions
    await query.edit_message_reply_markup(None)
    try:
        if match.group("action") == "cancel":
            await asyncio.to_thread(service.cancel, submission_id, user.id)
            await context.bot.send_message(chat.id, t("cancelled", lang))
        else:
            view = await asyncio.to_thread(service.confirm, submission_id, user.id)
            await context.bot.send_message(chat.id, t("submitted", lang, id=view.id))
            wake_outbox(context)  # the admins' cards were owed in the same transaction
    except SubmissionError as exc:
        await context.bot.send_message(chat.id, exc.message(lang))
    context.user_data.pop("submission", None)
    return ConversationHandler.END


def wake_outbox(context: BotContext) -> None:
    """Owed messages were just stored: send them now rather than at the next poll."""
    if context.memebot.outbox is not None:
        context.memebot.outbox.wake()


async def submit_cancel(update: Update, context: BotContext) -> int:
    """/cancel at any step; a stored draft is marked cancelled."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and context.user_data is not None
    state = context.user_data.pop("submission", {})
    lang = state.get("lang", lang_of(update))
    if "id" in state:
        try:
            await asyncio.to_thread(context.submissions.cancel, state["id"], user.id)
        except SubmissionError as exc:  # already sent or decided: say so instead of "cancelled"
            await message.reply_text(exc.message(lang))
            return ConversationHandler.END
    await message.reply_text(t("cancelled", lang))
    return ConversationHandler.END
