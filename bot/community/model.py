"""The submission's life cycle and the read-only views handlers get.

A submission moves through ``draft → pending → approved → published`` (or ``rejected`` /
``cancelled``). Every step is one database transaction guarded by a compare-and-set, written to
the audit log with the state before and after (:mod:`bot.community.repository`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DRAFT, PENDING, APPROVED, PUBLISHED, REJECTED, CANCELLED = (
    "draft",
    "pending",
    "approved",
    "published",
    "rejected",
    "cancelled",
)
STATUSES = (DRAFT, PENDING, APPROVED, PUBLISHED, REJECTED, CANCELLED)
# What a submission becomes: a meme note with its picture, or a concept note drafted by an admin from
# questions users asked and the bot could not answer (no picture; ``explanation`` is the note's body).
MEME, NOTE = "meme", "note"

DAY = timedelta(days=1)
DRAFT_TTL = timedelta(days=1)  # someone else's unconfirmed draft blocks a duplicate only this long
SYSTEM_ACTOR = 0  # actor_id of steps the service takes on its own (publish after a crash, notifications)


@dataclass(frozen=True)
class SubmissionView:
    """A submission as the handlers see it (a detached copy of the row)."""

    id: int
    user_id: int
    chat_id: int
    user_lang: str
    title: str
    explanation: str
    status: str
    reason: str | None
    slug: str | None
    aliases: list[str]
    related: list[str]
    image_path: Path
    image_sha256: str
    image_phash: str
    image_ext: str
    decided_by: int | None
    notified: bool
    created_at: datetime
    updated_at: datetime
    user_name: str | None = None
    title_en: str | None = None
    explanation_en: str | None = None
    kind: str = MEME
    questions: tuple[dict[str, Any], ...] = ()

    @property
    def display_name(self) -> str:
        """Who sent it, as admins see it: the Telegram name, else the user id."""
        return self.user_name or f"id {self.user_id}"


@dataclass(frozen=True)
class AuditView:
    """One audit-log entry: who (``actor_id``) did what (``action``) to which submission, when."""

    id: int
    actor_id: int
    action: str
    allowed: bool
    submission_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime
