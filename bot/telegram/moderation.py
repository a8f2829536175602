"""Admins moderate submissions: Approve / Reject (with a reason) / Edit buttons, and /queue.

Only admins can act: every button and command is checked by the service, which logs and audits
refused attempts.
"""

from __future__ import annotations

import asyncio
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ConversationHandler

from bot.community.errors import SubmissionError
from bot.telegram.context import BotContext, lang_of
from bot.telegram.notify import admin_keyboard, card_caption, notify_submitter
from bot.telegram.render import CB_ADMIN, callback, esc, keyboard, parse_callback
from bot.telegram.swap import hot_swap
from common.i18n import as_lang, t

# Conversation states of the admin conversation.
ADMIN_REASON, ADMIN_EDIT = range(10, 12)
CB_ADMIN_PATTERN = r"^a:"

QUICK_REASONS = ("dup", "offtopic", "quality", "rules")
REASONS = {
    "dup": {"ru": "такой мем уже есть", "en": "we already have this meme"},
    "offtopic": {"ru": "это не про машинное обучение", "en": "it is not about machine learning"},
    "quality": {"ru": "картинка плохо читается", "en": "the picture is hard to read"},
    "rules": {"ru": "нарушает правила сообщества", "en": "it breaks the community rules"},
}
EDIT_FIELD_RE = re.compile(r"^\s*(title_en|title|explanation|aliases|related)\s*:\s*(.*)$", re.IGNORECASE)


async def refuse(update: Update, context: BotContext, action: str, submission_id: int | None) -> None:
    """A non-admin pressed an admin button or command: nothing changes; logged and audited."""
    assert update.effective_user is not None
    lang = lang_of(update)
    await asyncio.to_thread(
        context.submissions.record_denied, update.effective_user.id, action, submission_id
    )
    if update.callback_query is not None:
        await update.callback_query.answer(t("not_allowed", lang), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(t("not_allowed", lang))


async def admin_button(update: Update, context: BotContext) -> int:
    """Approve / Reject / Edit / quick reasons. Checked for admin rights on every press."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None and context.user_data is not None
    parsed = parse_callback(query.data)
    lang = lang_of(update)
    if parsed is None or parsed.kind != CB_ADMIN:
        await query.answer()
        return ConversationHandler.END
    action, submission_id, arg = (
        parsed.fields["action"],
        int(parsed.fields["submission"]),
        parsed.fields.get("arg"),
    )
    if not context.submissions.is_admin(user.id):
        await refuse(update, context, action, submission_id)
        return ConversationHandler.END
    await query.answer()
    try:
        if action == "approve":
            await approve(update, context, submission_id)
        elif action == "reject":
            rows = [
                [(REASONS[code][lang], callback(CB_ADMIN, "reason", submission_id, code))]
                for code in QUICK_REASONS
            ]
            rows.append([(t("custom_reason", lang), callback(CB_ADMIN, "reason", submission_id, "custom"))])
            await context.bot.send_message(
                chat.id, t("choose_reason", lang, id=submission_id), reply_markup=keyboard(rows)
            )
        elif action == "reason" and arg in REASONS:
            await reject(update, context, submission_id, arg)
        elif action == "reason" and arg == "custom":
            context.user_data["admin_target"] = submission_id
            await context.bot.send_message(chat.id, t("ask_reason", lang, id=submission_id))
            return ADMIN_REASON
        elif action == "edit":
            context.user_data["admin_target"] = submission_id
            await context.bot.send_message(chat.id, t("ask_edit", lang, id=submission_id))
            return ADMIN_EDIT
    except SubmissionError as exc:
        await context.bot.send_message(chat.id, exc.message(lang))
    return ConversationHandler.END


async def approve(update: Update, context: BotContext, submission_id: int) -> None:
    """Approve → publish note → rebuild index → hot-swap it in → tell the admin and the submitter."""
    admin, chat = update.effective_user, update.effective_chat
    assert admin is not None and chat is not None
    service = context.submissions
    view = await asyncio.to_thread(service.approve, submission_id, admin.id)
    await hot_swap(context.application)
    message = t("published_admin", lang_of(update), id=view.id, slug=view.slug, admin=admin.id)
    await context.bot.send_message(chat.id, esc(message), parse_mode=ParseMode.HTML)
    await notify_submitter(context.bot, service, view)


async def reject(
    update: Update,
    context: BotContext,
    submission_id: int,
    reason_code: str | None,
    reason_text: str | None = None,
) -> None:
    """Reject with a quick reason (in the submitter's language) or the admin's own words."""
    admin, chat = update.effective_user, update.effective_chat
    assert admin is not None and chat is not None
    service = context.submissions
    current = await asyncio.to_thread(service.get, submission_id)
    reason = (
        reason_text
        if reason_text is not None
        else REASONS[reason_code or "rules"][as_lang(current.user_lang)]
    )
    view = await asyncio.to_thread(service.reject, submission_id, admin.id, reason)
    message = t("rejected_admin", lang_of(update), id=view.id, reason=reason)
    await context.bot.send_message(chat.id, esc(message), parse_mode=ParseMode.HTML)
    await notify_submitter(context.bot, service, view)


async def admin_reason(update: Update, context: BotContext) -> int:
    """The admin's own rejection reason."""
    assert update.effective_message is not None and context.user_data is not None
    submission_id = context.user_data.pop("admin_target", None)
    if submission_id is None:
        return ConversationHandler.END
    try:
        await reject(update, context, submission_id, None, (update.effective_message.text or "").strip())
    except SubmissionError as exc:
        await update.effective_message.reply_text(exc.message(lang_of(update)))
    return ConversationHandler.END


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


async def admin_edit(update: Update, context: BotContext) -> int:
    """The admin's corrections, then the decision buttons again."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and context.user_data is not None
    submission_id = context.user_data.pop("admin_target", None)
    lang = lang_of(update)
    if submission_id is None:
        return ConversationHandler.END
    edits = parse_edits(message.text or "")
    try:
        view = await asyncio.to_thread(context.submissions.edit, submission_id, user.id, **edits)  # type: ignore[arg-type]
    except SubmissionError as exc:
        await message.reply_text(exc.message(lang))
        return ConversationHandler.END
    caption = card_caption(view.title, view.explanation, t("edited", lang))
    await message.reply_text(caption, parse_mode=ParseMode.HTML, reply_markup=admin_keyboard(view.id, lang))
    return ConversationHandler.END


async def queue_command(update: Update, context: BotContext) -> None:
    """/queue: pending submissions (admins only)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang = lang_of(update)
    service = context.submissions
    if not service.is_admin(user.id):
        await refuse(update, context, "queue", None)
        return
    pending = await asyncio.to_thread(service.pending)
    if not pending:
        await message.reply_text(t("queue_empty", lang))
        return
    lines = [t("queue", lang)] + [f"№{v.id}: {v.title} (user {v.user_id})" for v in pending]
    rows = [
        [
            (f"✅ {v.id}", callback(CB_ADMIN, "approve", v.id)),
            (f"❌ {v.id}", callback(CB_ADMIN, "reject", v.id)),
        ]
        for v in pending[:20]
    ]
    await message.reply_text(esc("\n".join(lines)), parse_mode=ParseMode.HTML, reply_markup=keyboard(rows))
