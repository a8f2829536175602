"""Meme submissions over Telegram (a ConversationHandler) and admin moderation buttons.

The state lives in the database (:mod:`bot.submissions`); handlers only collect input, call the
service off the event loop and tell people what happened. Only admins can act: every admin button
and command is checked by the service, which logs and audits refused attempts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.render import CB_ADMIN, callback, esc, keyboard, parse_callback, truncate_caption
from bot.texts import text

logger = logging.getLogger(__name__)
# Our conversations key on (chat, user), not on one message: the per_message hint does not apply.
warnings.filterwarnings("ignore", message=r".*per_message=False.*CallbackQueryHandler", category=PTBUserWarning)

# Conversation states.
PICTURE, TITLE, EXPLANATION, CONFIRM = range(4)
ADMIN_REASON, ADMIN_EDIT = range(10, 12)

CB_SUBMIT = "s"
SUBMIT_RE = re.compile(r"^s:(?P<action>start|confirm|cancel):(?P<arg>\d{1,12}|ru|en)$")
QUICK_REASONS = ("dup", "offtopic", "quality", "rules")

REASONS = {
    "dup": {"ru": "такой мем уже есть", "en": "we already have this meme"},
    "offtopic": {"ru": "это не про машинное обучение", "en": "it is not about machine learning"},
    "quality": {"ru": "картинка плохо читается", "en": "the picture is hard to read"},
    "rules": {"ru": "нарушает правила сообщества", "en": "it breaks the community rules"},
}


def _lang(update: Update) -> str:
    from bot.app import user_lang

    return user_lang(update, update.effective_message.text if update.effective_message else None)


def _service(context):  # noqa: ANN001, ANN202
    return context.bot_data.submissions


def submit_button(lang: str):  # noqa: ANN201
    return keyboard([[(text("start_button", lang), f"s:start:{lang}")]])


# --------------------------------------------------------------------------- user conversation


async def submit_start(update: Update, context) -> int:  # noqa: ANN001
    """/submit (or the submit button): ask for the picture."""
    lang = _lang(update)
    if update.callback_query is not None:
        await update.callback_query.answer()
    context.user_data["submission"] = {"lang": lang}
    await context.bot.send_message(update.effective_chat.id, esc(text("ask_picture", lang)), parse_mode=ParseMode.HTML)
    return PICTURE


async def submit_picture(update: Update, context) -> int:  # noqa: ANN001
    """A photo or image file: checked by decoding, kept until the draft is stored."""
    from bot.images import ImageError, ImageTooLargeError, load_image

    message = update.effective_message
    state = context.user_data.setdefault("submission", {"lang": _lang(update)})
    lang = state["lang"]
    limit = context.bot_data.settings.max_image_bytes
    item = message.photo[-1] if message.photo else message.document
    try:
        if (item.file_size or 0) > limit:
            raise ImageTooLargeError(item.file_size, limit)
        data = bytes(await (await context.bot.get_file(item.file_id)).download_as_bytearray())
        await asyncio.to_thread(load_image, data, limit)
    except ImageError as exc:
        await message.reply_text(exc.message(lang))
        return PICTURE
    state["image"] = data
    await message.reply_text(text("ask_title", lang))
    return TITLE


async def submit_not_picture(update: Update, context) -> int:  # noqa: ANN001
    """Anything but a picture while one is expected."""
    lang = context.user_data.get("submission", {}).get("lang", _lang(update))
    await update.effective_message.reply_text(text("need_picture", lang))
    return PICTURE


async def submit_title(update: Update, context) -> int:  # noqa: ANN001
    """The title (validated by the service when the draft is stored)."""
    from bot.submissions import SubmissionError, validate_title

    state = context.user_data["submission"]
    try:
        state["title"] = validate_title(update.effective_message.text)
    except SubmissionError as exc:
        await update.effective_message.reply_text(exc.message(state["lang"]))
        return TITLE
    await update.effective_message.reply_text(text("ask_explanation", state["lang"]))
    return EXPLANATION


async def submit_explanation(update: Update, context) -> int:  # noqa: ANN001
    """The explanation (or /skip): the draft is stored now, then the preview is shown."""
    from bot.submissions import DuplicateMeme, SubmissionError

    state = context.user_data["submission"]
    lang = state["lang"]
    message = update.effective_message
    explanation = "" if (message.text or "").startswith("/skip") else (message.text or "")
    user = update.effective_user
    try:
        view = await asyncio.to_thread(
            _service(context).create_draft, user.id, update.effective_chat.id, lang, state["image"], state["title"], explanation
        )
    except DuplicateMeme as exc:
        await message.reply_text(exc.message(lang))
        notes = context.bot_data.services.retriever.notes
        if exc.kind == "known" and exc.ref in notes:
            from bot.app import send_note

            await send_note(context, update, notes[exc.ref], lang, "[duplicate]")
        context.user_data.pop("submission", None)
        return ConversationHandler.END
    except SubmissionError as exc:
        await message.reply_text(exc.message(lang))
        return EXPLANATION if "explanation" in type(exc).__name__.lower() else ConversationHandler.END
    state["id"] = view.id
    caption = _caption(view.title, view.explanation, text("preview", lang))
    buttons = keyboard([[(text("send", lang), f"s:confirm:{view.id}"), (text("cancel", lang), f"s:cancel:{view.id}")]])
    await context.bot.send_photo(update.effective_chat.id, state["image"], caption=caption, parse_mode=ParseMode.HTML, reply_markup=buttons)
    return CONFIRM


def _caption(title: str, explanation: str, footer: str = "") -> str:
    body = f"<b>{esc(title)}</b>"
    if explanation:
        body += "\n\n" + esc(explanation)
    if footer:
        body += "\n\n" + esc(footer)
    return truncate_caption(body)


async def submit_confirm(update: Update, context) -> int:  # noqa: ANN001
    """Send or cancel the stored draft."""
    query = update.callback_query
    state = context.user_data.get("submission", {})
    lang = state.get("lang", _lang(update))
    match = SUBMIT_RE.match(query.data or "")
    if match is None or not match.group("arg").isdigit():
        await query.answer()
        return CONFIRM
    from bot.submissions import SubmissionError

    submission_id = int(match.group("arg"))
    service = _service(context)
    await query.answer()
    await query.edit_message_reply_markup(None)
    try:
        if match.group("action") == "cancel":
            await asyncio.to_thread(service.cancel, submission_id, update.effective_user.id)
            await context.bot.send_message(update.effective_chat.id, text("cancelled", lang))
        else:
            view = await asyncio.to_thread(service.confirm, submission_id, update.effective_user.id)
            await context.bot.send_message(update.effective_chat.id, text("submitted", lang, id=view.id))
            await notify_admins(context, view)
    except SubmissionError as exc:
        await context.bot.send_message(update.effective_chat.id, exc.message(lang))
    context.user_data.pop("submission", None)
    return ConversationHandler.END


async def submit_cancel(update: Update, context) -> int:  # noqa: ANN001
    """/cancel at any step; a stored draft is marked cancelled."""
    from bot.submissions import SubmissionError

    state = context.user_data.pop("submission", {})
    lang = state.get("lang", _lang(update))
    if "id" in state:
        try:
            await asyncio.to_thread(_service(context).cancel, state["id"], update.effective_user.id)
        except SubmissionError as exc:  # already sent or decided: say so instead of "cancelled"
            await update.effective_message.reply_text(exc.message(lang))
            return ConversationHandler.END
    await update.effective_message.reply_text(text("cancelled", lang))
    return ConversationHandler.END


# --------------------------------------------------------------------------- admins


def admin_keyboard(submission_id: int, lang: str):  # noqa: ANN201
    return keyboard(
        [
            [(text("approve", lang), callback(CB_ADMIN, "approve", submission_id)), (text("reject", lang), callback(CB_ADMIN, "reject", submission_id))],
            [(text("edit", lang), callback(CB_ADMIN, "edit", submission_id))],
        ]
    )


async def notify_admins(context, view) -> None:  # noqa: ANN001
    """Send a new submission to every admin with the picture and the decision buttons."""
    service = _service(context)
    image = await asyncio.to_thread(view.image_path.read_bytes)
    for admin_id in sorted(service.admins):
        lang = "ru"
        caption = _caption(view.title, view.explanation, text("admin_new", lang, id=view.id, user=view.user_id))
        try:
            await context.bot.send_photo(admin_id, image, caption=caption, parse_mode=ParseMode.HTML, reply_markup=admin_keyboard(view.id, lang))
        except TelegramError:
            logger.warning("could not reach admin %s about submission %s", admin_id, view.id, exc_info=True)


async def _refuse(update: Update, context, action: str, submission_id: int | None) -> None:  # noqa: ANN001
    """A non-admin pressed an admin button or command: nothing changes; logged and audited."""
    lang = _lang(update)
    await asyncio.to_thread(_service(context).record_denied, update.effective_user.id, action, submission_id)
    if update.callback_query is not None:
        await update.callback_query.answer(text("not_allowed", lang), show_alert=True)
    else:
        await update.effective_message.reply_text(text("not_allowed", lang))


async def admin_button(update: Update, context) -> int | None:  # noqa: ANN001
    """Approve / Reject / Edit / quick reasons. Checked for admin rights on every press."""
    from bot.submissions import InvalidTransition, SubmissionError

    query = update.callback_query
    parsed = parse_callback(query.data)
    lang = _lang(update)
    if parsed is None or parsed.kind != CB_ADMIN:
        await query.answer()
        return ConversationHandler.END
    action, submission_id, arg = parsed.fields["action"], int(parsed.fields["submission"]), parsed.fields.get("arg")
    service = _service(context)
    if not service.is_admin(update.effective_user.id):
        await _refuse(update, context, action, submission_id)
        return ConversationHandler.END
    await query.answer()
    try:
        if action == "approve":
            await approve(update, context, submission_id)
        elif action == "reject":
            rows = [[(REASONS[code][lang], callback(CB_ADMIN, "reason", submission_id, code))] for code in QUICK_REASONS]
            rows.append([(text("custom_reason", lang), callback(CB_ADMIN, "reason", submission_id, "custom"))])
            await context.bot.send_message(update.effective_chat.id, text("choose_reason", lang, id=submission_id), reply_markup=keyboard(rows))
        elif action == "reason" and arg in REASONS:
            await reject(update, context, submission_id, arg)
        elif action == "reason" and arg == "custom":
            context.user_data["admin_target"] = submission_id
            await context.bot.send_message(update.effective_chat.id, text("ask_reason", lang, id=submission_id))
            return ADMIN_REASON
        elif action == "edit":
            context.user_data["admin_target"] = submission_id
            await context.bot.send_message(update.effective_chat.id, text("ask_edit", lang, id=submission_id))
            return ADMIN_EDIT
    except InvalidTransition as exc:
        await context.bot.send_message(update.effective_chat.id, exc.message(lang))
    except SubmissionError as exc:
        await context.bot.send_message(update.effective_chat.id, exc.message(lang))
    return ConversationHandler.END


async def approve(update: Update, context, submission_id: int) -> None:  # noqa: ANN001
    """Approve → publish note → rebuild index → hot-swap it in → tell the admin and the submitter."""
    from bot.app import hot_swap

    service = _service(context)
    admin = update.effective_user
    view = await asyncio.to_thread(service.approve, submission_id, admin.id)
    await hot_swap(context.application)
    await context.bot.send_message(
        update.effective_chat.id, esc(text("published_admin", _lang(update), id=view.id, slug=view.slug, admin=admin.id)), parse_mode=ParseMode.HTML
    )
    await notify_submitter(context.bot, service, view)


async def reject(update: Update, context, submission_id: int, reason_code: str | None, reason_text: str | None = None) -> None:  # noqa: ANN001
    service = _service(context)
    current = await asyncio.to_thread(service.get, submission_id)
    reason = reason_text or REASONS[reason_code][current.user_lang]
    view = await asyncio.to_thread(service.reject, submission_id, update.effective_user.id, reason)
    await context.bot.send_message(update.effective_chat.id, esc(text("rejected_admin", _lang(update), id=view.id, reason=reason)), parse_mode=ParseMode.HTML)
    await notify_submitter(context.bot, service, view)


async def notify_submitter(bot, service, view) -> None:  # noqa: ANN001
    """Tell the submitter the outcome, once (the claim in the database makes it once)."""
    if view.status not in ("published", "rejected"):
        return
    if not await asyncio.to_thread(service.mark_notified, view.id):
        return
    key = "approved_user" if view.status == "published" else "rejected_user"
    message = text(key, view.user_lang, id=view.id, title=view.title, reason=view.reason or "")
    try:
        await bot.send_message(view.chat_id, esc(message), parse_mode=ParseMode.HTML)
    except TelegramError:
        logger.warning("could not notify the submitter of %s", view.id, exc_info=True)
        await asyncio.to_thread(service.unmark_notified, view.id)


async def admin_reason(update: Update, context) -> int:  # noqa: ANN001
    """The admin's own rejection reason."""
    from bot.submissions import SubmissionError

    submission_id = context.user_data.pop("admin_target", None)
    if submission_id is None:
        return ConversationHandler.END
    try:
        await reject(update, context, submission_id, None, (update.effective_message.text or "").strip())
    except SubmissionError as exc:
        await update.effective_message.reply_text(exc.message(_lang(update)))
    return ConversationHandler.END


EDIT_FIELD_RE = re.compile(r"^\s*(title|explanation|aliases|related)\s*:\s*(.*)$", re.IGNORECASE)


def parse_edits(text: str) -> dict[str, object]:
    """``title: …`` / ``explanation: …`` / ``aliases: a, b`` / ``related: x, y`` lines into edits."""
    edits: dict[str, object] = {}
    current: str | None = None
    for line in text.splitlines():
        match = EDIT_FIELD_RE.match(line)
        if match:
            current = match.group(1).lower()
            edits[current] = match.group(2).strip()
        elif current == "explanation":
            edits[current] = f"{edits[current]}\n{line}".strip()
    for key in ("aliases", "related"):
        if key in edits:
            edits[key] = [item.strip() for item in str(edits[key]).split(",") if item.strip()]
    return edits


async def admin_edit(update: Update, context) -> int:  # noqa: ANN001
    """The admin's corrections, then the decision buttons again."""
    from bot.submissions import SubmissionError

    submission_id = context.user_data.pop("admin_target", None)
    lang = _lang(update)
    if submission_id is None:
        return ConversationHandler.END
    edits = parse_edits(update.effective_message.text or "")
    try:
        view = await asyncio.to_thread(_service(context).edit, submission_id, update.effective_user.id, **edits)
    except SubmissionError as exc:
        await update.effective_message.reply_text(exc.message(lang))
        return ConversationHandler.END
    caption = _caption(view.title, view.explanation, text("edited", lang))
    await update.effective_message.reply_text(caption, parse_mode=ParseMode.HTML, reply_markup=admin_keyboard(view.id, lang))
    return ConversationHandler.END


async def queue_command(update: Update, context) -> None:  # noqa: ANN001
    """/queue: pending submissions (admins only)."""
    lang = _lang(update)
    service = _service(context)
    if not service.is_admin(update.effective_user.id):
        await _refuse(update, context, "queue", None)
        return
    pending = await asyncio.to_thread(service.pending)
    if not pending:
        await update.effective_message.reply_text(text("queue_empty", lang))
        return
    lines = [text("queue", lang)] + [f"№{v.id}: {v.title} (user {v.user_id})" for v in pending]
    rows = [[(f"✅ {v.id}", callback(CB_ADMIN, "approve", v.id)), (f"❌ {v.id}", callback(CB_ADMIN, "reject", v.id))] for v in pending[:20]]
    await update.effective_message.reply_text(esc("\n".join(lines)), parse_mode=ParseMode.HTML, reply_markup=keyboard(rows))


async def start_submission_from_question(update: Update, context) -> None:  # noqa: ANN001
    """A `submit_meme` question: offer the submission button (the conversation starts from it)."""
    lang = _lang(update)
    await context.bot.send_message(update.effective_chat.id, esc(text("submit_intro", lang)), parse_mode=ParseMode.HTML, reply_markup=submit_button(lang))


def register_moderation(application: Application) -> None:
    """Add the submission conversation, the admin conversation and /queue."""
    image = filters.PHOTO | filters.Document.IMAGE
    submission = ConversationHandler(
        entry_points=[CommandHandler("submit", submit_start), CallbackQueryHandler(submit_start, pattern=r"^s:start:(ru|en)$")],
        states={
            PICTURE: [MessageHandler(image, submit_picture), MessageHandler(~filters.COMMAND, submit_not_picture)],
            TITLE: [MessageHandler(filters.TEXT & ~filters.COMMAND, submit_title)],
            EXPLANATION: [MessageHandler(filters.TEXT & ~filters.COMMAND, submit_explanation), CommandHandler("skip", submit_explanation)],
            CONFIRM: [CallbackQueryHandler(submit_confirm, pattern=r"^s:(confirm|cancel):\d+$")],
        },
        fallbacks=[CommandHandler("cancel", submit_cancel)],
        name="submission",
        conversation_timeout=30 * 60,
        allow_reentry=True,
    )
    admin = ConversationHandler(
        entry_points=[CallbackQueryHandler(admin_button, pattern=r"^a:")],
        states={
            ADMIN_REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, admin_reason)],
            ADMIN_EDIT: [MessageHandler(filters.TEXT & ~filters.COMMAND, admin_edit)],
        },
        fallbacks=[CommandHandler("cancel", submit_cancel)],
        name="moderation",
        conversation_timeout=30 * 60,
        allow_reentry=True,
    )
    application.add_handler(submission)
    application.add_handler(admin)
    application.add_handler(CommandHandler("queue", queue_command))
