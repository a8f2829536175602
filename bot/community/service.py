"""Meme submissions and their moderation: the library behind ``/submit``, the admin buttons and ``memebot admin``.

The steps, each one database transaction (see :mod:`bot.community.repository`)::

    create_draft → confirm (author) → approve | reject (admin) → publish → published

Publishing writes ``knowledge/memes/<slug>.md`` and its picture, rebuilds the index and only then
marks the row ``published``; the slug is fixed in the approve transaction, so after a crash at any
point :meth:`SubmissionService.recover` converges to exactly one note.

Example::

    service = SubmissionService(db, admins=frozenset({42}), home=home, notes_dir=Path("knowledge"))
    draft = service.create_draft(user_id, chat_id, "ru", image_bytes, "Оверфит на тесте")
    service.confirm(draft.id, user_id)
    view = service.approve(draft.id, admin_id=42)     # → status "published", view.slug
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.community import limits
from bot.community.errors import (
    InvalidEdit,
    InvalidImage,
    InvalidTitle,
    InvalidTransition,
    NotAllowed,
    NoteBodyMissing,
    PublishError,
    SubmissionError,
)
from bot.community.model import (
    APPROVED,
    CANCELLED,
    DRAFT,
    NOTE,
    PENDING,
    PUBLISHED,
    REJECTED,
    SYSTEM_ACTOR,
    AuditView,
    SubmissionView,
)
from bot.community.pictures import PictureStore
from bot.community.publishing import Publisher
from bot.community.repository import SubmissionRepository
from bot.community.validation import (
    slug_for,
    validate_aliases,
    validate_edits,
    validate_explanation,
    validate_reason,
    validate_title,
)
from bot.storage import Database, Submission
from bot.storage.outbox import ADMIN_CARD, CARD_UPDATE, VERDICT, card_key, owe
from bot.vision import ImageError, MemeImageIndex, load_image, perceptual_hash

logger = logging.getLogger(__name__)


class SubmissionService:
    """Submissions, moderation and publishing on top of :class:`bot.storage.Database`.

    ``home`` holds the uploaded pictures and the lock files that serialise publishing; ``notes_dir``
    is the knowledge directory published notes go to; ``rebuild_index()`` is called after a note is
    written (e.g. an incremental ``build_index``).
    """

    def __init__(
        self,
        db: Database,
        admins: frozenset[int],
        home: Path,
        notes_dir: Path,
        image_index_provider: Callable[[], MemeImageIndex | None] | None = None,
        daily_limit: int = 5,
        max_image_bytes: int = 10 * 1024 * 1024,
        rebuild_index: Callable[[], object] | None = None,
        on_published: Callable[[SubmissionView], object] | None = None,
    ):
        self.admins = frozenset(admins)
        self.pictures = PictureStore(home)
        self.store = SubmissionRepository(db, self.pictures.path)
        self.publisher = Publisher(notes_dir, rebuild_index)
        self.image_index_provider = image_index_provider
        self.daily_limit = daily_limit
        self.max_image_bytes = max_image_bytes
        self.recover_errors: dict[int, str] = {}
        # Called after a note is written and indexed, before the row is marked published (so a crash
        # in between repeats it on recovery): the learning loop resolves the questions it answers.
        self.on_published = on_published

    @property
    def notes_dir(self) -> Path:
        return self.publisher.notes_dir

    @property
    def home(self) -> Path:
        return self.pictures.home

    # ------------------------------------------------------------------ reading

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    def get(self, submission_id: int) -> SubmissionView:
        return self.store.get(submission_id)

    def submissions(self, status: str | None = None) -> list[SubmissionView]:
        """Submissions, oldest first, optionally only those with ``status``."""
        return self.store.submissions(status)

    def pending(self) -> list[SubmissionView]:
        return self.store.submissions(PENDING)

    def audit(self, submission_id: int | None = None) -> list[AuditView]:
        return self.store.audit_log(submission_id)

    def record_denied(self, actor_id: int, action: str, submission_id: int | None = None) -> None:
        self.store.record_denied(actor_id, action, submission_id)

    def mark_notified(self, submission_id: int) -> bool:
        return self.store.mark_notified(submission_id)

    def unmark_notified(self, submission_id: int) -> None:
        self.store.unmark_notified(submission_id)

    def _require_admin(self, actor_id: int, action: str, submission_id: int | None) -> None:
        if not self.is_admin(actor_id):
            self.store.record_denied(actor_id, action, submission_id)
            raise NotAllowed(action, actor_id)

    # ------------------------------------------------------------------ the author's side

    def _decode(self, image: bytes) -> tuple[bytes, Any, str]:
        if not isinstance(image, bytes | bytearray | memoryview):
            raise InvalidImage(TypeError("not bytes"))
        data = bytes(image)
        try:
            img = load_image(data, self.max_image_bytes)
        except ImageError as exc:
            raise InvalidImage(exc) from None
        return data, img, perceptual_hash(img)

    def _title_of(self, slug: str) -> dict[str, str] | None:
        title = self.publisher.catalog().titles.get(slug)
        return dict(title) if title else None

    def precheck(self, user_id: int, image: bytes) -> None:
        """The checks of :meth:`create_draft` that need only the picture, run before the user types more:
        raises :class:`InvalidImage`, :class:`DuplicateMeme` (naming the meme's title) or :class:`DailyLimitReached`."""
        _, img, phash = self._decode(image)
        index = self.image_index_provider() if self.image_index_provider is not None else None
        with self.store.db.session() as s:
            superseded = limits.open_duplicates(
                s, user_id, phash, limits.known_duplicate(index, img), self._title_of
            )
            limits.check_daily_limit(s, user_id, self.daily_limit, superseded)

    def create_draft(
        self,
        user_id: int,
        chat_id: int,
        lang: str,
        image: bytes,
        title: str,
        explanation: str = "",
        user_name: str | None = None,
    ) -> SubmissionView:
        """Validate and store a new submission as ``draft`` (committed at once; nothing is lost).

        Raises :class:`InvalidSubmission` (title, explanation, image), :class:`DailyLimitReached` or
        :class:`DuplicateMeme`; the limits are checked and the row inserted under one database lock
        (:mod:`bot.community.limits`). The user's own earlier draft of the same picture is superseded.
        A submission in English keeps its text as the English fields too.
        """
        lang = "ru" if str(lang or "").lower().startswith("ru") else "en"
        title = validate_title(title)
        explanation = validate_explanation(explanation)
        data, img, phash = self._decode(image)
        sha = hashlib.sha256(data).hexdigest()
        ext = self.pictures.extension(img, data)
        index = self.image_index_provider() if self.image_index_provider is not None else None
        known = limits.known_duplicate(index, img)
        orphans: set[str] = set()
        with self.pictures.lock("images"), self.store.db.session() as s:
            limits.take_lock(s)
            superseded = limits.open_duplicates(s, user_id, phash, known, self._title_of)
            limits.check_daily_limit(s, user_id, self.daily_limit, superseded)
            for old_id in superseded:
                old = self.store.cas(s, old_id, DRAFT, CANCELLED)
                if old is not None:
                    self.store.audit(
                        s, user_id, "supersede", old_id, {**old.snapshot(), "status": DRAFT}, old.snapshot()
                    )
                    orphans.add(old.image_sha256)
            english = lang == "en"
            row = Submission(
                user_id=user_id, chat_id=chat_id, user_lang=lang, title=title, explanation=explanation,
                image_sha256=sha, image_phash=phash, image_ext=ext, status=DRAFT, aliases=[], related=[], notified=0,
                user_name=(user_name or "")[:200] or None, title_en=title if english else None, explanation_en=explanation if english else None,
            )  # fmt: skip
            s.add(row)
            s.flush()
            self.store.audit(s, user_id, "create", row.id, None, row.snapshot())
            view = self.store.view(row)
            self.pictures.store(data, sha, ext)
        self.pictures.collect(orphans - {sha}, self.store.image_statuses, dead=CANCELLED)
        logger.info("submission %s drafted by user %s", view.id, user_id)
        return view

    def _owner_step(self, submission_id: int, user_id: int, action: str, new_status: str) -> SubmissionView:
        """The author moves their own draft on (compare-and-set from ``draft``); others are refused.
        Sending it to moderation owes every admin a card, in the same transaction."""
        if self.get(submission_id).user_id != user_id:
            self.store.record_denied(user_id, action, submission_id)
            raise NotAllowed(action, user_id, need="owner")
        self.store.step(
            submission_id,
            user_id,
            action,
            DRAFT,
            new_status,
            then=self._owe_cards if new_status == PENDING else None,
        )
        return self.get(submission_id)

    # ------------------------------------------------------------------ messages owed (the outbox)

    def _owe_cards(self, s: Session, row: Submission) -> None:
        for admin in sorted(self.admins):
            owe(s, card_key(row.id, admin), ADMIN_CARD, admin, row.id)

    def _owe_verdict(self, s: Session, row: Submission) -> None:
        """The submitter is owed the outcome; every admin's card is owed an update."""
        owe(s, f"verdict:{row.id}", VERDICT, row.chat_id, row.id)
        for admin in sorted(self.admins):
            owe(s, f"card-update:{row.id}:{admin}", CARD_UPDATE, admin, row.id)

    def confirm(self, submission_id: int, user_id: int) -> SubmissionView:
        """The author sends the draft to moderation: ``draft → pending``. Idempotent."""
        view = self._owner_step(submission_id, user_id, "confirm", PENDING)
        if view.status in (PENDING, APPROVED, PUBLISHED):
            return view
        raise InvalidTransition(view.status, "confirm", submission_id)

    def cancel(self, submission_id: int, user_id: int) -> None:
        """The author drops the draft: ``draft → cancelled`` (its picture is deleted). Idempotent."""
        view = self._owner_step(submission_id, user_id, "cancel", CANCELLED)
        if view.status != CANCELLED:
            raise InvalidTransition(view.status, "cancel", submission_id)
        self.pictures.collect({view.image_sha256}, self.store.image_statuses, dead=CANCELLED)

    # ------------------------------------------------------------------ the admins' side

    def _check_names(
        self, submission_id: int, title: str, aliases: list[str], title_en: str | None = None
    ) -> None:
        """A published note's titles and aliases must not belong to another note (the index would refuse it)."""
        catalog = self.publisher.catalog(exclude_submission=submission_id)
        titles = [title] + ([title_en] if title_en else [])
        for name, error in [*((t, InvalidTitle) for t in titles), *((a, InvalidEdit) for a in aliases)]:
            owner = catalog.owner(name)
            if owner is not None:
                raise error(
                    "sub_name_taken",
                    name=name,
                    title=dict(catalog.titles.get(owner, {"ru": owner, "en": owner})),
                    slug=owner,
                )

    def create_note_draft(
        self,
        admin_id: int,
        chat_id: int,
        lang: str,
        title: str,
        title_en: str,
        aliases: list[str],
        questions: list[dict[str, Any]],
    ) -> SubmissionView:
        """An admin starts a concept note from wanted questions: a ``pending`` submission without a picture
        and with an empty body, reviewed, edited and approved like a meme (only admins may)."""
        self._require_admin(admin_id, "draft_note", None)
        title, title_en, aliases = validate_title(title), validate_title(title_en), validate_aliases(aliases)
        with self.store.db.session() as s:
            row = Submission(
                user_id=admin_id, chat_id=chat_id, user_lang="ru" if str(lang).startswith("ru") else "en", title=title, explanation="",
                image_sha256="", image_phash="", image_ext="", status=PENDING, aliases=aliases, related=[], notified=1,
                kind=NOTE, title_en=title_en, questions=list(questions),
            )  # fmt: skip
            s.add(row)
            s.flush()
            self.store.audit(s, admin_id, "draft_note", row.id, None, row.snapshot())
            view = self.store.view(row)
        logger.info("note draft %s started by admin %s from %d questions", view.id, admin_id, len(questions))
        return view

    def edit(
        self,
        submission_id: int,
        admin_id: int,
        title: str | None = None,
        explanation: str | None = None,
        aliases: list[str] | None = None,
        related: list[str] | None = None,
        title_en: str | None = None,
        explanation_en: str | None = None,
    ) -> SubmissionView:
        """An admin corrects a pending submission (titles, explanations in ru/en, aliases, related slugs)."""
        self._require_admin(admin_id, "edit", submission_id)
        edits = validate_edits(
            title,
            explanation,
            aliases,
            related,
            {"title_en": title_en, "explanation_en": explanation_en},
            self.get(submission_id).kind,
            lambda: self.publisher.catalog().slugs,
        )
        with self.store.db.session() as s:
            row = self.store.cas(s, submission_id, PENDING, PENDING)
            if row is None:
                raise InvalidTransition(self.store.row(s, submission_id).status, "edit", submission_id)
            if {"title", "aliases", "title_en"} & set(edits):
                self._check_names(
                    submission_id,
                    edits.get("title", row.title),
                    edits.get("aliases", list(row.aliases or [])),
                    edits.get("title_en", row.title_en),
                )
            before = row.snapshot()
            for key, value in edits.items():
                setattr(row, key, value)
            self.store.audit(s, admin_id, "edit", submission_id, before, row.snapshot())
            return self.store.view(row)

    def approve(
        self,
        submission_id: int,
        admin_id: int,
        title: str | None = None,
        explanation: str | None = None,
        aliases: list[str] | None = None,
        related: list[str] | None = None,
        title_en: str | None = None,
        explanation_en: str | None = None,
    ) -> SubmissionView:
        """Approve (with optional edits) and publish. Idempotent and race-safe.

        ``pending → approved`` is one compare-and-set; the slug is fixed in the same transaction.
        Whoever loses a race (or approves twice) gets the published submission back: no error,
        no second note. Edits on a submission that is no longer pending are refused
        (:class:`InvalidTransition`), as is approving a rejected/cancelled/draft one.
        """
        self._require_admin(admin_id, "approve", submission_id)
        current = self.get(submission_id)
        edits = validate_edits(
            title,
            explanation,
            aliases,
            related,
            {"title_en": title_en, "explanation_en": explanation_en},
            current.kind,
            lambda: self.publisher.catalog().slugs,
        )
        if current.status == PENDING:
            self._check_names(
                submission_id,
                edits.get("title", current.title),
                edits.get("aliases", current.aliases),
                edits.get("title_en", current.title_en),
            )
            if current.kind == NOTE and not edits.get("explanation", current.explanation):
                raise NoteBodyMissing(submission_id)
        if not self._claim(submission_id, admin_id, edits):
            view = self.get(submission_id)
            if view.status not in (APPROVED, PUBLISHED) or edits:
                raise InvalidTransition(view.status, "approve", submission_id)
            logger.info(
                "submission %s was already %s; admin %s gets it as is", submission_id, view.status, admin_id
            )
            self.store.audit_repeat(admin_id, "approve_again", submission_id)
        return self.publish(submission_id)

    def _claim(self, submission_id: int, admin_id: int, edits: dict[str, Any]) -> bool:
        """``pending → approved`` with the edits and a fresh unique slug, in one transaction. False if lost."""
        refused: set[str] = set()
        for _ in range(50):
            slug = None
            try:
                with self.store.db.session() as s:
                    row = self.store.cas(s, submission_id, PENDING, APPROVED)
                    if row is None:
                        return False
                    before = {**row.snapshot(), "status": PENDING}
                    for key, value in edits.items():
                        setattr(row, key, value)
                    row.decided_by = admin_id
                    taken = refused | self.publisher.taken_names() | self.store.taken_slugs(s, row.id)
                    slug = row.slug = slug_for(row.kind, row.title, row.title_en, row.id, taken)
                    s.flush()
                    self.store.audit(s, admin_id, "approve", submission_id, before, row.snapshot())
                return True
            except IntegrityError:
                if slug is None:
                    raise
                logger.info(
                    "slug %s was taken concurrently; choosing another for submission %s", slug, submission_id
                )
                refused.add(slug)
        raise PublishError(submission_id, "no free slug could be chosen")

    def reject(self, submission_id: int, admin_id: int, reason: str) -> SubmissionView:
        """``pending → rejected`` with a reason the author will see (1..500 characters). Idempotent."""
        self._require_admin(admin_id, "reject", submission_id)
        reason = validate_reason(reason)
        with self.store.db.session() as s:
            row = self.store.cas(s, submission_id, PENDING, REJECTED)
            if row is not None:
                before = {**row.snapshot(), "status": PENDING}
                row.reason = reason
                row.decided_by = admin_id
                self.store.audit(s, admin_id, "reject", submission_id, before, row.snapshot())
                self._owe_verdict(s, row)
                return self.store.view(row)
        view = self.get(submission_id)
        if view.status == REJECTED:
            self.store.audit_repeat(admin_id, "reject_again", submission_id)
            return view
        raise InvalidTransition(view.status, "reject", submission_id)

    # ------------------------------------------------------------------ publishing

    def publish(self, submission_id: int) -> SubmissionView:
        """``approved → published``: picture and note written atomically, index rebuilt, row marked.

        Serialised by a lock in ``home``; every step skips work already done, so re-running after a
        crash anywhere converges to one note file and one published row.
        """
        with self.pictures.lock("publish"):
            view = self.get(submission_id)
            if view.status == PUBLISHED:
                return view
            if view.status != APPROVED:
                raise InvalidTransition(view.status, "publish", submission_id)
            view = self._ensure_slug_free(view)
            self.publisher.write(view)
            self.publisher.rebuild(view)
            if self.on_published is not None:
                self.on_published(view)
            actor = view.decided_by if view.decided_by is not None else SYSTEM_ACTOR
            self.store.step(view.id, actor, "publish", APPROVED, PUBLISHED, then=self._owe_verdict)
            published = self.get(submission_id)
        logger.info("submission %s published as %s", submission_id, published.slug)
        return published

    def _ensure_slug_free(self, view: SubmissionView) -> SubmissionView:
        """If someone put another note at our slug meanwhile, move to a new slug (stored before writing)."""
        if not self.publisher.slug_taken_by_another(view):
            return view
        with self.store.db.session() as s:
            row = self.store.cas(s, view.id, APPROVED, APPROVED)
            if row is None:
                return self.get(view.id)
            before = row.snapshot()
            taken = {view.slug or ""} | self.publisher.taken_names() | self.store.taken_slugs(s, row.id)
            row.slug = slug_for(row.kind, row.title, row.title_en, row.id, taken)
            self.store.audit(s, SYSTEM_ACTOR, "reslug", view.id, before, row.snapshot())
            logger.warning(
                "slug %s was taken by another note; submission %s moves to %s", view.slug, view.id, row.slug
            )
            return self.store.view(row)

    def recover(self) -> list[int]:
        """Finish every submission stuck in ``approved`` (a crash between the approval and the index).

        Returns the ids published now; failures are logged and kept in ``recover_errors``.
        """
        self.recover_errors = {}
        with self.pictures.lock("publish"):
            self.publisher.remove_stale_temporaries()
        finished: list[int] = []
        for view in self.submissions(APPROVED):
            try:
                self.publish(view.id)
            except Exception as exc:
                logger.exception("could not finish publishing submission %s", view.id)
                self.recover_errors[view.id] = (
                    exc.message("en") if isinstance(exc, SubmissionError) else f"{type(exc).__name__}: {exc}"
                )
            else:
                finished.append(view.id)
        return finished

    def render_note(self, view: SubmissionView) -> str:
        return self.publisher.render_note(view)
