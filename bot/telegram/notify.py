"""How the moderation messages look: the admins' cards (new, and after a decision) and the submitter's verdict.

Sending is the outbox worker's job (:mod:`bot.telegram.outbox`); these functions only render.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.community.model import PENDING, PUBLISHED, REJECTED, SubmissionView
from bot.telegram.render import CB_ADMIN, callback, esc, keyboard, truncate_caption
from common.i18n import Lang, as_lang, t


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
            [
                (t("approve", lang), callback(CB_ADMIN, "approve", submission_id)),
                (t("reject", lang), callback(CB_ADMIN, "reject", submission_id)),
            ],
            [(t("edit", lang), callback(CB_ADMIN, "edit", submission_id))],
        ]
    )


def decision_line(view: SubmissionView, lang: Lang, decided_by: str) -> str:
    """What became of the submission, for a card whose buttons are gone."""
    if view.status == PUBLISHED:
        return t("card_published", lang, id=view.id, slug=view.slug or "", admin=decided_by)
    if view.status == REJECTED:
        return t("card_rejected", lang, id=view.id, reason=view.reason or "", admin=decided_by)
    return t("card_closed", lang, id=view.id, state=t(f"status_{view.status}", lang))


def admin_card(
    view: SubmissionView, lang: Lang, decided_by: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card an admin gets: caption, and the decision buttons while the submission waits."""
    lines = [t("admin_new", lang, id=view.id, user=view.display_name)]
    if view.title_en and view.title_en != view.title:
        lines.append(f"EN: {view.title_en}")
    if view.status == PENDING:
        if not view.explanation_en and view.user_lang == "ru":
            lines.append(t("card_no_english", lang))
        return card_caption(view.title, view.explanation, "\n".join(lines)), admin_keyboard(view.id, lang)
    lines.append(decision_line(view, lang, decided_by))
    return card_caption(view.title, view.explanation, "\n".join(lines)), None


def verdict_text(view: SubmissionView) -> str | None:
    """The message telling the submitter the outcome (in their language), or None while undecided."""
    if view.status not in (PUBLISHED, REJECTED):
        return None
    key = "approved_user" if view.status == PUBLISHED else "rejected_user"
    return esc(t(key, as_lang(view.user_lang), id=view.id, title=view.title, reason=view.reason or ""))
