"""The limits a new submission must respect — one per picture, a few per user a day — checked atomically.

Checking and inserting happen in one transaction that first takes the ``submissions`` lock row
(:class:`bot.storage.models.NamedLock`): concurrent creators, in threads or in other processes,
SQLite or PostgreSQL, wait for each other, so twelve parallel submissions by one user with a cap of
five create exactly five, and one picture sent by six users at once is accepted once.
:func:`precheck` runs the same checks early (before the title is typed) without the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.community.errors import DailyLimitReached, DuplicateMeme
from bot.community.model import APPROVED, CANCELLED, DAY, DRAFT, DRAFT_TTL, PENDING, PUBLISHED
from bot.storage import Submission, utcnow
from bot.storage.models import NamedLock
from bot.storage.queue import insert_ignoring_duplicates
from bot.vision import MemeImageIndex, hash_distance
from bot.vision.phash import MATCH_MAX_DISTANCE

LOCK_NAME = "submissions"
TitleOf = Callable[[str], dict[str, str] | None]


def take_lock(s: Session) -> None:
    """Serialise submission creation until this transaction ends (the row lock / SQLite's write lock)."""
    touched = s.execute(update(NamedLock).where(NamedLock.name == LOCK_NAME).values(touched_at=utcnow()))
    if not getattr(touched, "rowcount", 0):
        insert_ignoring_duplicates(s, NamedLock, [{"name": LOCK_NAME, "touched_at": utcnow()}])
        s.execute(update(NamedLock).where(NamedLock.name == LOCK_NAME).values(touched_at=utcnow()))


def known_duplicate(index: MemeImageIndex | None, img: Any) -> tuple[int, str] | None:
    """``(distance, slug)`` of a known meme that looks like ``img``."""
    if index is None:
        return None
    hit = index.match(img)
    return (hit[1], hit[0]) if hit is not None else None


def open_duplicates(
    s: Session, user_id: int, phash: str, known: tuple[int, str] | None, title_of: TitleOf
) -> list[int]:
    """Raise :class:`DuplicateMeme` for a near-identical known meme or open submission; return the user's own
    drafts of this picture (superseded by the new one)."""
    found: list[
        tuple[int, int, str, str | int, dict[str, str] | None]
    ] = []  # (distance, order, kind, ref, title)
    if known is not None:
        found.append((known[0], 0, "known", known[1], None))
    superseded: list[int] = []
    stale = utcnow() - DRAFT_TTL
    rows = s.execute(
        select(
            Submission.id,
            Submission.user_id,
            Submission.status,
            Submission.image_phash,
            Submission.slug,
            Submission.created_at,
            Submission.title,
        ).where(Submission.status.in_((DRAFT, PENDING, APPROVED, PUBLISHED)))
    )
    for sid, owner, status, other, slug, created, title in rows:
        try:
            distance = hash_distance(phash, other)
        except (ValueError, TypeError):
            continue
        if distance > MATCH_MAX_DISTANCE:
            continue
        if status == DRAFT:
            if owner == user_id:
                superseded.append(sid)
                continue
            if created < stale:
                continue
        if status == PUBLISHED and slug:
            found.append((distance, 0, "known", slug, {"ru": title, "en": title}))
        else:
            found.append((distance, 1, "pending", sid, None))
    if found:
        distance, _, kind, ref, stored_title = min(found, key=lambda f: (f[0], f[1]))
        names = (title_of(str(ref)) or stored_title) if kind == "known" else None
        raise DuplicateMeme(kind, ref, distance, names)
    return superseded


def check_daily_limit(s: Session, user_id: int, limit: int, exclude: list[int]) -> None:
    """At most ``limit`` submissions in 24 hours; cancelled ones and drafts being replaced don't count."""
    count, oldest = recent(s, user_id, utcnow() - DAY, exclude)
    if count >= limit:
        raise DailyLimitReached(limit, oldest + DAY if oldest else None)


def recent(s: Session, user_id: int, since: datetime, exclude: list[int]) -> tuple[int, datetime | None]:
    query = select(func.count(Submission.id), func.min(Submission.created_at)).where(
        Submission.user_id == user_id, Submission.created_at >= since, Submission.status != CANCELLED
    )
    if exclude:
        query = query.where(Submission.id.not_in(exclude))
    count, oldest = s.execute(query).one()
    return int(count), oldest
