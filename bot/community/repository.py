"""Submissions in the database: rows as views, compare-and-set status changes, the audit log.

Every status change is ``UPDATE … WHERE id = ? AND status = ?`` inside one transaction, so two
admins pressing *Approve* at once change the row once; every change is audited with the state
before and after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.community.errors import InvalidStatus, SubmissionNotFound
from bot.community.model import CANCELLED, MEME, STATUSES, SYSTEM_ACTOR, AuditView, SubmissionView
from bot.storage import AuditEntry, Database, Submission, utcnow

logger = logging.getLogger(__name__)


class SubmissionRepository:
    """Reads and writes submission rows; ``image_path(sha256, ext)`` locates a stored picture."""

    def __init__(self, db: Database, image_path: Callable[[str, str], Path]):
        self.db = db
        self.image_path = image_path

    def view(self, row: Submission) -> SubmissionView:
        return SubmissionView(
            id=row.id,
            user_id=row.user_id,
            chat_id=row.chat_id,
            user_lang=row.user_lang,
            title=row.title,
            explanation=row.explanation or "",
            status=row.status,
            reason=row.reason,
            slug=row.slug,
            aliases=list(row.aliases or []),
            related=list(row.related or []),
            image_path=self.image_path(row.image_sha256, row.image_ext),
            image_sha256=row.image_sha256,
            image_phash=row.image_phash,
            image_ext=row.image_ext,
            decided_by=row.decided_by,
            notified=bool(row.notified),
            user_name=row.user_name,
            title_en=row.title_en,
            explanation_en=row.explanation_en,
            created_at=row.created_at,
            updated_at=row.updated_at,
            kind=row.kind or "meme",
            questions=tuple(row.questions or ()),
        )

    # ------------------------------------------------------------ inside a transaction

    @staticmethod
    def audit(
        s: Session,
        actor_id: int,
        action: str,
        submission_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        allowed: bool = True,
    ) -> None:
        s.add(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                allowed=int(allowed),
                submission_id=submission_id,
                before=before,
                after=after,
            )
        )

    @staticmethod
    def row(s: Session, submission_id: int) -> Submission:
        row = s.execute(
            select(Submission).where(Submission.id == submission_id).execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if row is None:
            raise SubmissionNotFound(submission_id)
        return row

    @staticmethod
    def cas(s: Session, submission_id: int, expected: str, new: str) -> Submission | None:
        """Compare-and-set the status in one UPDATE; the row (now locked by this transaction) or None.

        ``expected == new`` just takes the row lock while the status is still ``expected``.
        """
        result = s.execute(
            update(Submission)
            .where(Submission.id == submission_id, Submission.status == expected)
            .values(status=new, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        return s.execute(
            select(Submission).where(Submission.id == submission_id).execution_options(populate_existing=True)
        ).scalar_one()

    # ------------------------------------------------------------ reading

    def get(self, submission_id: int) -> SubmissionView:
        with self.db.session() as s:
            return self.view(self.row(s, submission_id))

    def submissions(self, status: str | None = None) -> list[SubmissionView]:
        """Submissions, oldest first, optionally only those with ``status``."""
        if status is not None and status not in STATUSES:
            raise InvalidStatus("sub_bad_status", status=status[:40], known=", ".join(STATUSES))
        query = select(Submission).order_by(Submission.id)
        if status is not None:
            query = query.where(Submission.status == status)
        with self.db.session() as s:
            return [self.view(row) for row in s.scalars(query)]

    def audit_log(self, submission_id: int | None = None) -> list[AuditView]:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if submission_id is not None:
            query = query.where(AuditEntry.submission_id == submission_id)
        with self.db.session() as s:
            return [
                AuditView(
                    e.id,
                    e.actor_id,
                    e.action,
                    bool(e.allowed),
                    e.submission_id,
                    e.before,
                    e.after,
                    e.created_at,
                )
                for e in s.scalars(query)
            ]

    def recent(self, user_id: int, since: datetime, exclude: list[int]) -> tuple[int, datetime | None]:
        """How many submissions ``user_id`` made since ``since`` (cancelled ones and ``exclude`` don't count), and the oldest's time."""
        query = select(func.count(Submission.id), func.min(Submission.created_at)).where(
            Submission.user_id == user_id, Submission.created_at >= since, Submission.status != CANCELLED
        )
        if exclude:
            query = query.where(Submission.id.not_in(exclude))
        with self.db.session() as s:
            count, oldest = s.execute(query).one()
        return int(count), oldest

    def hashes(self, statuses: tuple[str, ...]) -> list[tuple[int, int, str, str, str | None, datetime]]:
        """``(id, user_id, status, phash, slug, created_at)`` of every meme submission in ``statuses``."""
        with self.db.session() as s:
            rows = s.execute(
                select(
                    Submission.id,
                    Submission.user_id,
                    Submission.status,
                    Submission.image_phash,
                    Submission.slug,
                    Submission.created_at,
                ).where(Submission.status.in_(statuses), Submission.kind == MEME)
            ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def image_statuses(self, sha256: str) -> list[tuple[str, str]]:
        """``(status, ext)`` of every submission whose picture has this sha256."""
        with self.db.session() as s:
            return [
                (st, ext)
                for st, ext in s.execute(
                    select(Submission.status, Submission.image_ext).where(Submission.image_sha256 == sha256)
                )
            ]

    # ------------------------------------------------------------ writing

    def record_denied(self, actor_id: int, action: str, submission_id: int | None = None) -> None:
        """Log and audit (``allowed=0``) an attempt by someone without the right; nothing else changes."""
        # INFO, not WARNING: a refusal is an expected outcome, audited below and reported to the actor.
        logger.info("refused: user %s may not %s submission %s", actor_id, action, submission_id)
        with self.db.session() as s:
            exists = submission_id is not None and s.get(Submission, submission_id) is not None
            before = None if exists or submission_id is None else {"submission_id": submission_id}
            self.audit(
                s, actor_id, action[:32], submission_id if exists else None, before, None, allowed=False
            )

    def audit_repeat(self, actor_id: int, action: str, submission_id: int) -> None:
        """A decision already taken (by this admin or another): recorded, nothing changes."""
        with self.db.session() as s:
            snapshot = self.row(s, submission_id).snapshot()
            self.audit(s, actor_id, action, submission_id, snapshot, snapshot)

    def step(
        self,
        submission_id: int,
        actor_id: int,
        action: str,
        expected: str,
        new: str,
        then: Callable[[Session, Submission], None] | None = None,
    ) -> bool:
        """``expected → new`` with an audit entry (and ``then(session, row)`` in the same transaction);
        False when the status was no longer ``expected``."""
        with self.db.session() as s:
            row = self.cas(s, submission_id, expected, new)
            if row is None:
                return False
            self.audit(
                s, actor_id, action, submission_id, {**row.snapshot(), "status": expected}, row.snapshot()
            )
            if then is not None:
                then(s, row)
            return True

    def mark_notified(self, submission_id: int) -> bool:
        """Claim telling the author the decision; True only for the one caller that claimed it."""
        with self.db.session() as s:
            result = s.execute(
                update(Submission)
                .where(Submission.id == submission_id, Submission.notified == 0)
                .values(notified=1)
            )
            claimed = getattr(result, "rowcount", 0)
            if claimed:
                self.audit(s, SYSTEM_ACTOR, "notified", submission_id, None, None)
            return bool(claimed)

    def unmark_notified(self, submission_id: int) -> None:
        """The author could not be reached: allow a later retry."""
        with self.db.session() as s:
            s.execute(update(Submission).where(Submission.id == submission_id).values(notified=0))

    def taken_slugs(self, s: Session, exclude_id: int) -> set[str]:
        slugs = s.scalars(
            select(Submission.slug).where(Submission.slug.is_not(None), Submission.id != exclude_id)
        )
        return {slug for slug in slugs if slug}
