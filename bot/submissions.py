"""Meme submissions and their moderation: the library behind ``/submit`` and the admin buttons.

A submission moves through ``draft → pending → approved → published`` (or ``rejected`` /
``cancelled``). Every step is one database transaction guarded by a compare-and-set
(``UPDATE … WHERE id = ? AND status = ?``), so two admins pressing *Approve* at once publish one
note, and every step is written to the audit log with the state before and after.

Publishing writes ``knowledge/memes/<slug>.md`` and its picture, rebuilds the index and only then
marks the row ``published``. Each of those steps is idempotent (the slug is fixed in the approve
transaction; files are replaced atomically and left alone when already identical), so after a
crash at any point :meth:`SubmissionService.recover` converges to exactly one note.

No Telegram here: errors are :class:`SubmissionError` subclasses whose ``message(lang)`` is the
sentence to show the user in Russian or English. The library never prints.

Example::

    service = SubmissionService(db, admins=frozenset({42}), home=home, notes_dir=knowledge_dir())
    draft = service.create_draft(user_id, chat_id, "ru", image_bytes, "Оверфит на тесте")
    service.confirm(draft.id, user_id)
    view = service.approve(draft.id, admin_id=42)     # → status "published", view.slug
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import io
import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import images
from bot.storage import AuditEntry, Database, Submission, utcnow
from indexer.notes import KINDS, SLUG_RE, Note, normalize_alias, note_paths, parse_note

logger = logging.getLogger(__name__)

DRAFT, PENDING, APPROVED, PUBLISHED, REJECTED, CANCELLED = "draft", "pending", "approved", "published", "rejected", "cancelled"
STATUSES = (DRAFT, PENDING, APPROVED, PUBLISHED, REJECTED, CANCELLED)

TITLE_MAX = 120
EXPLANATION_MAX = 2000
REASON_MAX = 500
ALIAS_MAX = 120
MAX_ALIASES = 20
MAX_RELATED = 10
SLUG_MAX = 48
SLUG_PREFIX = "meme-"
SHORT_MAX = 400  # the "Коротко" section: the first sentences of the explanation up to this length
DAY = timedelta(days=1)
DRAFT_TTL = timedelta(days=1)  # someone else's unconfirmed draft blocks a duplicate only this long
# Parsed notes by (folder, file name, sha256 of the content); only names and source are read from them.
_NOTE_CACHE: dict[tuple[str, str, str], Note | None] = {}
SYSTEM_ACTOR = 0  # actor_id of steps the service takes on its own (publish after a crash, notifications)

STATUS_NAMES = {
    DRAFT: ("черновик (ещё не отправлена)", "a draft (not sent yet)"),
    PENDING: ("ждёт модерации", "waiting for moderation"),
    APPROVED: ("одобрена и публикуется", "approved and being published"),
    PUBLISHED: ("уже опубликована", "already published"),
    REJECTED: ("отклонена", "rejected"),
    CANCELLED: ("отменена", "cancelled"),
}

IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tiff"}

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip

EMPTY_EXPLANATION = {
    "ru_short": "Этот мем прислал участник сообщества, и его одобрили модераторы. Объяснения, почему это смешно, пока нет: оно появится позже.",
    "ru_deep": "Заявку на мем прислали без подробного объяснения. Если вы знаете, в чём шутка, расскажите модераторам, и они дополнят заметку.",
    "en_short": "A community member sent this meme and the moderators approved it. There is no explanation of the joke yet; it will be added later.",
}


def _say(lang: str, ru: str, en: str) -> str:
    return ru if lang == "ru" else en


def _plural_ru(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


# --------------------------------------------------------------------------- errors


class SubmissionError(Exception):
    """Base of every submission error; ``message(lang)`` is a sentence for the user (ru or en)."""

    def __init__(self, ru: str, en: str):
        self._ru, self._en = ru, en
        super().__init__(en)

    def message(self, lang: str) -> str:
        return _say(lang, self._ru, self._en)


class InvalidSubmission(SubmissionError):
    """A field is unacceptable; the message names the problem and the fix. ``field`` says which."""

    field = "submission"

    def __init__(self, ru: str, en: str, field: str | None = None):
        super().__init__(ru, en)
        if field is not None:
            self.field = field


class InvalidTitle(InvalidSubmission):
    field = "title"


class InvalidExplanation(InvalidSubmission):
    field = "explanation"


class InvalidReason(InvalidSubmission):
    field = "reason"


class InvalidEdit(InvalidSubmission):
    """An admin's alias or related slug is unacceptable."""

    field = "edit"


class InvalidImage(InvalidSubmission):
    """The picture is not an image or is too large; wraps :class:`bot.images.ImageError`."""

    field = "image"

    def __init__(self, error: Exception):
        self.error = error
        message = getattr(error, "message", None)
        ru = message("ru") if callable(message) else "Это не похоже на картинку. Пришлите фото или файл PNG/JPEG."
        en = message("en") if callable(message) else "That does not look like a picture. Send a photo or a PNG/JPEG file."
        super().__init__(ru, en)


class DailyLimitReached(SubmissionError):
    def __init__(self, limit: int, retry_at: datetime | None = None):
        self.limit = limit
        self.retry_at = retry_at
        when_ru = f" после {retry_at:%H:%M} UTC" if retry_at else ""
        when_en = f" after {retry_at:%H:%M} UTC" if retry_at else ""
        word = _plural_ru(limit, "мем", "мема", "мемов")
        super().__init__(
            f"За сутки можно прислать не больше {limit} {word}, и лимит исчерпан. Попробуйте снова{when_ru or ' завтра'}.",
            f"You can send at most {limit} memes a day and you have reached that. Try again{when_en or ' tomorrow'}.",
        )


class DuplicateMeme(SubmissionError):
    """The picture is (nearly) the same as a known meme (``kind="known"``, ``ref`` = its slug)
    or as a submission waiting for moderation (``kind="pending"``, ``ref`` = its id)."""

    def __init__(self, kind: str, slug_or_id: str | int, distance: int | None = None):
        self.kind = kind
        self.ref = slug_or_id
        self.distance = distance
        if kind == "known":
            ru = f"Этот мем уже есть в базе ({slug_or_id}). Спросите меня о нём, и я объясню!"
            en = f"This meme is already in my collection ({slug_or_id}). Ask me about it and I'll explain!"
        else:
            ru = f"Такую картинку уже прислали (заявка №{slug_or_id}), она ждёт решения модераторов."
            en = f"This picture has already been sent (submission #{slug_or_id}) and is waiting for the moderators."
        super().__init__(ru, en)

    @property
    def slug_or_id(self) -> str | int:
        return self.ref


class NotAllowed(SubmissionError):
    """The actor may not do this: not an admin (``need="admin"``) or not the author (``need="owner"``)."""

    def __init__(self, action: str, actor_id: int, need: str = "admin"):
        self.action, self.actor_id, self.need = action, actor_id, need
        if need == "owner":
            super().__init__("Это не ваша заявка, её может изменить только автор.", "This is not your submission; only its author can do that.")
        else:
            super().__init__("Это могут делать только админы.", "Only admins can do that.")


class SubmissionNotFound(SubmissionError):
    def __init__(self, submission_id: object):
        self.submission_id = submission_id
        super().__init__(
            f"Заявки №{submission_id} нет. Проверьте номер (список: /queue).",
            f"There is no submission #{submission_id}; check the number (list them with /queue or 'memebot admin list').",
        )


class InvalidTransition(SubmissionError):
    """The submission is not in a state that allows the action (``current_status`` says which it is in)."""

    def __init__(self, current_status: str, action: str = "", submission_id: int | None = None):
        self.current_status, self.action, self.submission_id = current_status, action, submission_id
        ru_state, en_state = STATUS_NAMES.get(current_status, (current_status, current_status))
        number = f" №{submission_id}" if submission_id is not None else ""
        number_en = f" #{submission_id}" if submission_id is not None else ""
        super().__init__(
            f"Заявка{number} {ru_state}, это действие к ней уже неприменимо.",
            f"Submission{number_en} is {en_state}; that action no longer applies to it.",
        )


class PublishError(SubmissionError):
    """The note could not be written or indexed; the submission stays ``approved`` for ``recover``."""

    def __init__(self, submission_id: int, detail: str):
        self.submission_id, self.detail = submission_id, detail
        super().__init__(
            f"Заявка №{submission_id} одобрена, но опубликовать заметку не удалось: {detail}. "
            "После исправления запустите 'memebot admin recover'.",
            f"Submission #{submission_id} is approved but its note could not be published: {detail}. "
            "Fix that and run 'memebot admin recover'.",
        )


# --------------------------------------------------------------------------- validation


def _check_unicode(text: object, error: type[InvalidSubmission], what_ru: str, what_en: str) -> str:
    if not isinstance(text, str):
        raise error(f"{what_ru} должно быть текстом.", f"The {what_en} must be text.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise error(
            f"В поле «{what_ru}» испорченные символы юникода; наберите текст заново.",
            f"The {what_en} contains broken unicode (lone surrogates); type it again.",
        ) from None
    return unicodedata.normalize("NFC", text)


def _reject_controls(text: str, error: type[InvalidSubmission], what_ru: str, what_en: str, allowed: str = "") -> None:
    bad = next((ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in allowed), None)
    if bad is not None:
        code = f"U+{ord(bad):04X}"
        raise error(
            f"В поле «{what_ru}» есть управляющий символ ({code}); уберите его и отправьте обычный текст.",
            f"The {what_en} contains a control character ({code}); remove it and send plain text.",
        )


def _has_visible(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LNS" for ch in text)


def _one_line(text: object, limit: int, error: type[InvalidSubmission], what_ru: str, what_en: str) -> str:
    text = _check_unicode(text, error, what_ru, what_en)
    text = " ".join(text.split())
    _reject_controls(text, error, what_ru, what_en)
    if not text or not _has_visible(text):
        raise error(
            f"Поле «{what_ru}» пустое: напишите хотя бы одно слово.",
            f"The {what_en} is empty: write at least one word.",
        )
    if len(text) > limit:
        word = _plural_ru(len(text), "символ", "символа", "символов")
        raise error(
            f"Поле «{what_ru}» слишком длинное: {len(text)} {word}, а можно не больше {limit}. Сократите его.",
            f"The {what_en} is too long: {len(text)} characters, the limit is {limit}. Shorten it.",
        )
    return text


def _multi_line(text: object, limit: int, error: type[InvalidSubmission], what_ru: str, what_en: str) -> str:
    text = _check_unicode(text if text is not None else "", error, what_ru, what_en)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    _reject_controls(text, error, what_ru, what_en, allowed="\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > limit:
        word = _plural_ru(len(text), "символ", "символа", "символов")
        raise error(
            f"Поле «{what_ru}» слишком длинное: {len(text)} {word}, а можно не больше {limit}. Сократите его.",
            f"The {what_en} is too long: {len(text)} characters, the limit is {limit}. Shorten it.",
        )
    return text


def validate_title(title: object) -> str:
    """The cleaned title (NFC, whitespace collapsed, 1..120 characters); raises :class:`InvalidTitle`."""
    return _one_line(title, TITLE_MAX, InvalidTitle, "название", "title")


def validate_explanation(explanation: object) -> str:
    """The cleaned explanation (may be empty, at most 2000 characters); raises :class:`InvalidExplanation`."""
    return _multi_line(explanation, EXPLANATION_MAX, InvalidExplanation, "объяснение", "explanation")


def validate_reason(reason: object) -> str:
    """The cleaned rejection reason (1..500 characters); raises :class:`InvalidReason`."""
    text = _multi_line(reason, REASON_MAX, InvalidReason, "причина", "reason")
    if not _has_visible(text):
        raise InvalidReason(
            "Напишите причину отказа: автор увидит её.", "Write the reason for the rejection: the author will see it."
        )
    return text


def validate_aliases(aliases: object) -> list[str]:
    """Cleaned, de-duplicated aliases (each like a title); raises :class:`InvalidEdit`."""
    if isinstance(aliases, str) or not isinstance(aliases, list | tuple):
        raise InvalidEdit("Синонимы нужно передать списком.", "Aliases must be given as a list.")
    result: list[str] = []
    seen: set[str] = set()
    for alias in aliases:
        clean = _one_line(alias, ALIAS_MAX, InvalidEdit, "синоним", "alias")
        key = normalize_alias(clean)
        if key not in seen:
            seen.add(key)
            result.append(clean)
    if len(result) > MAX_ALIASES:
        raise InvalidEdit(
            f"Слишком много синонимов: {len(result)}, можно не больше {MAX_ALIASES}.",
            f"Too many aliases: {len(result)}, at most {MAX_ALIASES}.",
        )
    return result


def slugify(title: str, limit: int = SLUG_MAX - len(SLUG_PREFIX)) -> str:
    """Lowercase latin words joined by ``-``: Cyrillic transliterated, accents dropped, the rest removed.

    ``slugify("Оверфит на тесте!")`` → ``"overfit-na-teste"``. May return ``""`` (e.g. emoji only).
    """
    text = "".join(CYRILLIC.get(ch, ch) for ch in unicodedata.normalize("NFC", title).lower())
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut and cut.rfind("-") >= limit // 2 else cut
        slug = slug.strip("-")
    return slug


def make_slug(title: str, submission_id: int, taken: set[str]) -> str:
    """``meme-<slugified title>`` at most 48 characters, unique against ``taken`` (adds ``-2``, ``-3`` …)."""
    base = slugify(title) or f"submission-{submission_id}"
    candidate = SLUG_PREFIX + base
    n = 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        trimmed = slugify(base, SLUG_MAX - len(SLUG_PREFIX) - len(suffix)) or base[: SLUG_MAX - len(SLUG_PREFIX) - len(suffix)]
        candidate = SLUG_PREFIX + trimmed.strip("-") + suffix
    assert SLUG_RE.match(candidate) and len(candidate) <= SLUG_MAX, candidate
    return candidate


# --------------------------------------------------------------------------- views


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


# --------------------------------------------------------------------------- the service


class SubmissionService:
    """Submissions, moderation and publishing on top of :class:`bot.storage.Database`.

    ``home`` holds the uploaded pictures (``home/images/<sha[:2]>/<sha>.<ext>``) and the lock file
    that serialises publishing; ``notes_dir`` is the knowledge directory published notes go to;
    ``rebuild_index()`` is called after a note is written (e.g. an incremental ``build_index``).
    """

    def __init__(
        self,
        db: Database,
        admins: frozenset[int],
        home: Path,
        notes_dir: Path,
        image_index_provider: Callable[[], images.MemeImageIndex | None] | None = None,
        daily_limit: int = 5,
        max_image_bytes: int = 10 * 1024 * 1024,
        rebuild_index: Callable[[], object] | None = None,
    ):
        self.db = db
        self.admins = frozenset(admins)
        self.home = Path(home)
        self.notes_dir = Path(notes_dir)
        self.image_index_provider = image_index_provider
        self.daily_limit = daily_limit
        self.max_image_bytes = max_image_bytes
        self.rebuild_index = rebuild_index
        self.images_dir = self.home / "images"
        self.recover_errors: dict[int, str] = {}

    # ------------------------------------------------------------------ small helpers

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    @property
    def memes_dir(self) -> Path:
        return self.notes_dir / KINDS["meme"]

    def image_path(self, sha256: str, ext: str) -> Path:
        return self.images_dir / sha256[:2] / f"{sha256}.{ext}"

    def _view(self, row: Submission) -> SubmissionView:
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
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        """An exclusive lock across threads and processes sharing ``home`` (flock on a fresh descriptor)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / f".{name}.lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _audit(s: Session, actor_id: int, action: str, submission_id: int | None, before: dict | None, after: dict | None, allowed: bool = True) -> None:
        s.add(AuditEntry(actor_id=actor_id, action=action, allowed=int(allowed), submission_id=submission_id, before=before, after=after))

    @staticmethod
    def _row(s: Session, submission_id: int) -> Submission:
        row = s.execute(
            select(Submission).where(Submission.id == submission_id).execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if row is None:
            raise SubmissionNotFound(submission_id)
        return row

    @staticmethod
    def _cas(s: Session, submission_id: int, expected: str, new: str) -> Submission | None:
        """Compare-and-set the status in one UPDATE; the row (now locked by this transaction) or None.

        ``expected == new`` just takes the row lock while the status is still ``expected``.
        """
        result = s.execute(
            update(Submission)
            .where(Submission.id == submission_id, Submission.status == expected)
            .values(status=new, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        return s.execute(
            select(Submission).where(Submission.id == submission_id).execution_options(populate_existing=True)
        ).scalar_one()

    def record_denied(self, actor_id: int, action: str, submission_id: int | None = None) -> None:
        """Log and audit (``allowed=0``) an attempt by someone without the right; nothing else changes."""
        logger.warning("refused: user %s may not %s submission %s", actor_id, action, submission_id)
        with self.db.session() as s:
            exists = submission_id is not None and s.get(Submission, submission_id) is not None
            before = None if exists or submission_id is None else {"submission_id": submission_id}
            self._audit(s, actor_id, action[:32], submission_id if exists else None, before, None, allowed=False)

    def _require_admin(self, actor_id: int, action: str, submission_id: int | None) -> None:
        if not self.is_admin(actor_id):
            self.record_denied(actor_id, action, submission_id)
            raise NotAllowed(action, actor_id)

    # ------------------------------------------------------------------ reading

    def get(self, submission_id: int) -> SubmissionView:
        with self.db.session() as s:
            return self._view(self._row(s, submission_id))

    def list(self, status: str | None = None) -> list[SubmissionView]:
        """Submissions, oldest first, optionally only those with ``status``."""
        if status is not None and status not in STATUSES:
            raise InvalidSubmission(
                f"Нет статуса «{status}»; есть: {', '.join(STATUSES)}.", f"No status {status!r}; use one of: {', '.join(STATUSES)}.", "status"
            )
        query = select(Submission).order_by(Submission.id)
        if status is not None:
            query = query.where(Submission.status == status)
        with self.db.session() as s:
            return [self._view(row) for row in s.scalars(query)]

    def pending(self) -> list[SubmissionView]:
        return self.list(PENDING)

    def audit(self, submission_id: int | None = None) -> list[AuditView]:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if submission_id is not None:
            query = query.where(AuditEntry.submission_id == submission_id)
        with self.db.session() as s:
            return [
                AuditView(e.id, e.actor_id, e.action, bool(e.allowed), e.submission_id, e.before, e.after, e.created_at)
                for e in s.scalars(query)
            ]

    # ------------------------------------------------------------------ user side

    def create_draft(self, user_id: int, chat_id: int, lang: str, image: bytes, title: str, explanation: str = "") -> SubmissionView:
        """Validate and store a new submission as ``draft`` (committed at once; nothing is lost).

        Raises :class:`InvalidSubmission` (title, explanation, image), :class:`DailyLimitReached` or
        :class:`DuplicateMeme`. The user's own earlier draft of the same picture is superseded.
        """
        lang = "ru" if str(lang or "").lower().startswith("ru") else "en"
        title = validate_title(title)
        explanation = validate_explanation(explanation)
        if not isinstance(image, bytes | bytearray | memoryview):
            raise InvalidImage(TypeError("not bytes"))
        data = bytes(image)
        try:
            img = images.load_image(data, self.max_image_bytes)
        except images.ImageError as exc:
            raise InvalidImage(exc) from None
        phash = images.perceptual_hash(img)
        sha = hashlib.sha256(data).hexdigest()
        ext = self._image_ext(img, data)

        superseded = self._check_duplicates(user_id, img, phash)
        self._check_daily_limit(user_id, exclude=superseded)
        orphans: set[str] = set()
        with self._lock("images"):
            self._store_image(data, sha, ext)
            with self.db.session() as s:
                for old_id in superseded:
                    old = self._cas(s, old_id, DRAFT, CANCELLED)
                    if old is not None:
                        self._audit(s, user_id, "supersede", old_id, {**old.snapshot(), "status": DRAFT}, old.snapshot())
                        orphans.add(old.image_sha256)
                row = Submission(
                    user_id=user_id,
                    chat_id=chat_id,
                    user_lang=lang,
                    title=title,
                    explanation=explanation,
                    image_sha256=sha,
                    image_phash=phash,
                    image_ext=ext,
                    status=DRAFT,
                    aliases=[],
                    related=[],
                    notified=0,
                )
                s.add(row)
                s.flush()
                self._audit(s, user_id, "create", row.id, None, row.snapshot())
                view = self._view(row)
        self._gc_images(orphans - {sha})
        logger.info("submission %s drafted by user %s", view.id, user_id)
        return view

    def _check_daily_limit(self, user_id: int, exclude: list[int]) -> None:
        """At most ``daily_limit`` submissions in 24 hours; cancelled ones and drafts being replaced don't count."""
        since = utcnow() - DAY
        query = select(func.count(Submission.id), func.min(Submission.created_at)).where(
            Submission.user_id == user_id, Submission.created_at >= since, Submission.status != CANCELLED
        )
        if exclude:
            query = query.where(Submission.id.not_in(exclude))
        with self.db.session() as s:
            count, oldest = s.execute(query).one()
        if count >= self.daily_limit:
            raise DailyLimitReached(self.daily_limit, oldest + DAY if oldest else None)

    def _check_duplicates(self, user_id: int, img: Any, phash: str) -> list[int]:
        """Raise DuplicateMeme for a near-identical known meme or open submission; return own drafts to supersede."""
        found: list[tuple[int, int, str, str | int]] = []  # (distance, order, kind, ref)
        index = self.image_index_provider() if self.image_index_provider is not None else None
        if index is not None:
            hit = index.match(img)
            if hit is not None:
                found.append((hit[1], 0, "known", hit[0]))
        superseded: list[int] = []
        stale = utcnow() - DRAFT_TTL
        with self.db.session() as s:
            rows = s.execute(
                select(Submission.id, Submission.user_id, Submission.status, Submission.image_phash, Submission.slug, Submission.created_at).where(
                    Submission.status.in_((DRAFT, PENDING, APPROVED, PUBLISHED))
                )
            ).all()
        for sid, owner, status, other, slug, created in rows:
            try:
                distance = images.hash_distance(phash, other)
            except (ValueError, TypeError):
                continue
            if distance > images.MATCH_MAX_DISTANCE:
                continue
            if status == DRAFT:
                if owner == user_id:
                    superseded.append(sid)
                    continue
                if created < stale:
                    continue
            if status == PUBLISHED and slug:
                found.append((distance, 0, "known", slug))
            else:
                found.append((distance, 1, "pending", sid))
        if found:
            distance, _, kind, ref = min(found, key=lambda f: (f[0], f[1]))
            raise DuplicateMeme(kind, ref, distance)
        return superseded

    @staticmethod
    def _image_ext(img: Any, data: bytes) -> str:
        fmt = getattr(img, "format", None)
        if not fmt:
            from PIL import Image

            try:
                with Image.open(io.BytesIO(data)) as probe:
                    fmt = probe.format
            except Exception:  # noqa: BLE001 - load_image already accepted the bytes
                fmt = None
        fmt = (fmt or "PNG").upper()
        return IMAGE_EXTENSIONS.get(fmt, re.sub(r"[^a-z0-9]", "", fmt.lower())[:8] or "png")

    def _store_image(self, data: bytes, sha: str, ext: str) -> Path:
        path = self.image_path(sha, ext)
        if path.is_file() and path.stat().st_size == len(data):
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)
        return path

    def _gc_images(self, shas: set[str]) -> None:
        """Delete stored pictures only cancelled submissions refer to."""
        if not shas:
            return
        with self._lock("images"), self.db.session() as s:
            for sha in shas:
                rows = s.execute(select(Submission.status, Submission.image_ext).where(Submission.image_sha256 == sha)).all()
                if rows and all(status == CANCELLED for status, _ in rows):
                    for ext in {ext for _, ext in rows}:
                        self.image_path(sha, ext).unlink(missing_ok=True)

    def _owner_step(self, submission_id: int, user_id: int, action: str, new_status: str) -> SubmissionView:
        """The author moves their own draft on (compare-and-set from ``draft``); others are refused."""
        if self.get(submission_id).user_id != user_id:
            self.record_denied(user_id, action, submission_id)
            raise NotAllowed(action, user_id, need="owner")
        with self.db.session() as s:
            row = self._cas(s, submission_id, DRAFT, new_status)
            if row is not None:
                self._audit(s, user_id, action, submission_id, {**row.snapshot(), "status": DRAFT}, row.snapshot())
        return self.get(submission_id)

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
        self._gc_images({view.image_sha256})

    def mark_notified(self, submission_id: int) -> bool:
        """Claim telling the author the decision; True only for the one caller that claimed it.

        A single conditional UPDATE, so two admins finishing at once notify the author once.
        """
        with self.db.session() as s:
            claimed = s.execute(
                update(Submission).where(Submission.id == submission_id, Submission.notified == 0).values(notified=1)
            ).rowcount
            if claimed:
                self._audit(s, SYSTEM_ACTOR, "notified", submission_id, None, None)
            return bool(claimed)

    def unmark_notified(self, submission_id: int) -> None:
        """The author could not be reached: allow a later retry."""
        with self.db.session() as s:
            s.execute(update(Submission).where(Submission.id == submission_id).values(notified=0))

    # ------------------------------------------------------------------ admin side

    def _note_names(self, exclude_submission: int | None = None) -> tuple[set[str], dict[str, str]]:
        """Slugs of the notes on disk and, normalised, every name (title, title_en, alias) → its note's slug.

        Names of the note published from submission ``exclude_submission`` are left out.
        """
        slugs: set[str] = set()
        names: dict[str, str] = {}
        for path in note_paths(self.notes_dir):
            slugs.add(path.stem)
            note = self._parse(path)
            if note is None or (exclude_submission is not None and note.source == f"submission {exclude_submission}"):
                continue
            for name in (note.title, note.title_en, *note.aliases):
                names.setdefault(normalize_alias(name), note.slug)
        return slugs, names

    @staticmethod
    def _parse(path: Path) -> Note | None:
        """``parse_note`` cached by the file's folder, name and content (YAML parsing is slow in pure Python)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        key = (path.parent.name, path.name, hashlib.sha256(data).hexdigest())
        if key not in _NOTE_CACHE:
            if len(_NOTE_CACHE) > 10_000:
                _NOTE_CACHE.clear()
            _NOTE_CACHE[key] = parse_note(path)[0]
        note = _NOTE_CACHE[key]
        return dataclasses.replace(note, path=path) if note is not None else None

    def _validate_edits(self, title: str | None, explanation: str | None, aliases: list[str] | None, related: list[str] | None) -> dict[str, Any]:
        edits: dict[str, Any] = {}
        if title is not None:
            edits["title"] = validate_title(title)
        if explanation is not None:
            edits["explanation"] = validate_explanation(explanation)
        if aliases is not None:
            edits["aliases"] = validate_aliases(aliases)
        if related is not None:
            if isinstance(related, str) or not isinstance(related, list | tuple):
                raise InvalidEdit("Связанные заметки нужно передать списком slug'ов.", "Related notes must be a list of slugs.")
            slugs, _ = self._note_names()
            clean: list[str] = []
            for slug in related:
                slug = str(slug).strip()
                if not SLUG_RE.match(slug) or slug not in slugs:
                    raise InvalidEdit(
                        f"Заметки «{slug}» нет; укажите slug существующей заметки (например, overfitting).",
                        f"There is no note {slug!r}; give the slug of an existing note (e.g. overfitting).",
                    )
                if slug not in clean:
                    clean.append(slug)
            if len(clean) > MAX_RELATED:
                raise InvalidEdit(f"Не больше {MAX_RELATED} связанных заметок.", f"At most {MAX_RELATED} related notes.")
            edits["related"] = clean
        return edits

    def _check_names(self, submission_id: int, title: str, aliases: list[str]) -> None:
        """A published note's title and aliases must not belong to another note (the index would refuse it)."""
        _, names = self._note_names(exclude_submission=submission_id)
        for name, what_ru, what_en in [(title, "Название", "title"), *((a, "Синоним", "alias") for a in aliases)]:
            owner = names.get(normalize_alias(name))
            if owner is not None:
                error = InvalidTitle if what_en == "title" else InvalidEdit
                raise error(
                    f"{what_ru} «{name}» уже занято заметкой {owner}. Измените его (кнопка «Изменить») или отклоните заявку как дубликат.",
                    f"The {what_en} {name!r} already belongs to note {owner}. Edit it, or reject the submission as a duplicate.",
                )

    def edit(
        self,
        submission_id: int,
        admin_id: int,
        title: str | None = None,
        explanation: str | None = None,
        aliases: list[str] | None = None,
        related: list[str] | None = None,
    ) -> SubmissionView:
        """An admin corrects a pending submission (title, explanation, aliases, related slugs)."""
        self._require_admin(admin_id, "edit", submission_id)
        edits = self._validate_edits(title, explanation, aliases, related)
        with self.db.session() as s:
            row = self._cas(s, submission_id, PENDING, PENDING)
            if row is None:
                raise InvalidTransition(self._row(s, submission_id).status, "edit", submission_id)
            if "title" in edits or "aliases" in edits:
                self._check_names(submission_id, edits.get("title", row.title), edits.get("aliases", list(row.aliases or [])))
            before = row.snapshot()
            for key, value in edits.items():
                setattr(row, key, value)
            self._audit(s, admin_id, "edit", submission_id, before, row.snapshot())
            return self._view(row)

    def approve(
        self,
        submission_id: int,
        admin_id: int,
        title: str | None = None,
        explanation: str | None = None,
        aliases: list[str] | None = None,
        related: list[str] | None = None,
    ) -> SubmissionView:
        """Approve (with optional edits) and publish. Idempotent and race-safe.

        ``pending → approved`` is one compare-and-set; the slug is fixed in the same transaction.
        Whoever loses a race (or approves twice) gets the published submission back: no error,
        no second note. Raises :class:`InvalidTransition` for a rejected/cancelled/draft one.
        """
        self._require_admin(admin_id, "approve", submission_id)
        edits = self._validate_edits(title, explanation, aliases, related)
        current = self.get(submission_id)
        if current.status == PENDING:
            self._check_names(submission_id, edits.get("title", current.title), edits.get("aliases", current.aliases))
        won = self._claim(submission_id, admin_id, edits)
        if not won:
            view = self.get(submission_id)
            if view.status not in (APPROVED, PUBLISHED):
                raise InvalidTransition(view.status, "approve", submission_id)
            logger.info("submission %s was already %s; admin %s gets it as is", submission_id, view.status, admin_id)
            self._audit_repeat(admin_id, "approve_again", submission_id)
        return self.publish(submission_id)

    def _audit_repeat(self, actor_id: int, action: str, submission_id: int) -> None:
        """A decision already taken (by this admin or another): recorded, nothing changes."""
        with self.db.session() as s:
            snapshot = self._row(s, submission_id).snapshot()
            self._audit(s, actor_id, action, submission_id, snapshot, snapshot)

    def _claim(self, submission_id: int, admin_id: int, edits: dict[str, Any]) -> bool:
        """``pending → approved`` with the edits and a fresh unique slug, in one transaction. False if lost."""
        refused: set[str] = set()
        for _ in range(50):
            slug = None
            try:
                with self.db.session() as s:
                    row = self._cas(s, submission_id, PENDING, APPROVED)
                    if row is None:
                        return False
                    before = {**row.snapshot(), "status": PENDING}
                    for key, value in edits.items():
                        setattr(row, key, value)
                    row.decided_by = admin_id
                    slug = row.slug = self._choose_slug(s, row, refused)
                    s.flush()
                    self._audit(s, admin_id, "approve", submission_id, before, row.snapshot())
                return True
            except IntegrityError:
                if slug is None:
                    raise
                logger.info("slug %s was taken concurrently; choosing another for submission %s", slug, submission_id)
                refused.add(slug)
        raise PublishError(submission_id, "no free slug could be chosen")

    def _choose_slug(self, s: Session, row: Submission, refused: set[str]) -> str:
        taken = set(refused)
        taken |= {p.stem for folder in KINDS.values() for p in (self.notes_dir / folder).glob("*.md")}
        taken |= {p.stem for p in (self.memes_dir / "images").glob("*.*")}
        taken |= set(s.scalars(select(Submission.slug).where(Submission.slug.is_not(None), Submission.id != row.id)))
        return make_slug(row.title, row.id, taken)

    def reject(self, submission_id: int, admin_id: int, reason: str) -> SubmissionView:
        """``pending → rejected`` with a reason the author will see (1..500 characters). Idempotent."""
        self._require_admin(admin_id, "reject", submission_id)
        reason = validate_reason(reason)
        with self.db.session() as s:
            row = self._cas(s, submission_id, PENDING, REJECTED)
            if row is not None:
                before = {**row.snapshot(), "status": PENDING}
                row.reason = reason
                row.decided_by = admin_id
                self._audit(s, admin_id, "reject", submission_id, before, row.snapshot())
                return self._view(row)
        view = self.get(submission_id)
        if view.status == REJECTED:
            self._audit_repeat(admin_id, "reject_again", submission_id)
            return view
        raise InvalidTransition(view.status, "reject", submission_id)

    # ------------------------------------------------------------------ publishing

    def publish(self, submission_id: int) -> SubmissionView:
        """``approved → published``: picture and note written atomically, index rebuilt, row marked.

        Serialised by a lock in ``home``; every step skips work already done, so re-running after a
        crash anywhere converges to one note file and one published row.
        """
        with self._lock("publish"):
            view = self.get(submission_id)
            if view.status == PUBLISHED:
                return view
            if view.status != APPROVED:
                raise InvalidTransition(view.status, "publish", submission_id)
            view = self._ensure_slug_free(view)
            self._copy_image(view)
            self._write_note(view, self.render_note(view))
            self._validate_note(view)
            self._rebuild(view)
            self._mark_published(view)
            published = self.get(submission_id)
        logger.info("submission %s published as %s", submission_id, published.slug)
        return published

    def recover(self) -> list[int]:
        """Finish every submission stuck in ``approved`` (a crash between the approval and the index).

        Returns the ids published now; failures are logged and kept in ``recover_errors``.
        """
        self.recover_errors = {}
        with self._lock("publish"):
            for stale in list(self.memes_dir.glob(".*.tmp")) + list((self.memes_dir / "images").glob(".*.tmp")):
                stale.unlink(missing_ok=True)
        finished: list[int] = []
        for view in self.list(APPROVED):
            try:
                self.publish(view.id)
            except Exception as exc:  # noqa: BLE001 - one broken submission must not stop the others
                logger.exception("could not finish publishing submission %s", view.id)
                self.recover_errors[view.id] = exc.message("en") if isinstance(exc, SubmissionError) else f"{type(exc).__name__}: {exc}"
            else:
                finished.append(view.id)
        return finished

    def _note_path(self, slug: str) -> Path:
        return self.memes_dir / f"{slug}.md"

    def _image_rel(self, view: SubmissionView) -> str:
        return f"images/{view.slug}.{view.image_ext}"

    def _is_ours(self, path: Path, submission_id: int) -> bool:
        note = self._parse(path)
        return note is not None and note.source == f"submission {submission_id}"

    def _ensure_slug_free(self, view: SubmissionView) -> SubmissionView:
        """If someone put another note at our slug meanwhile, move to a new slug (stored before writing)."""
        assert view.slug is not None
        clash = [self.notes_dir / folder / f"{view.slug}.md" for folder in KINDS.values()]
        if not any(p.exists() and not self._is_ours(p, view.id) for p in clash):
            return view
        with self.db.session() as s:
            row = self._cas(s, view.id, APPROVED, APPROVED)
            if row is None:
                return self.get(view.id)
            before = row.snapshot()
            row.slug = self._choose_slug(s, row, {view.slug})
            self._audit(s, SYSTEM_ACTOR, "reslug", view.id, before, row.snapshot())
            logger.warning("slug %s was taken by another note; submission %s moves to %s", view.slug, view.id, row.slug)
            return self._view(row)

    def render_note(self, view: SubmissionView) -> str:
        """The note's markdown: YAML front matter (safe_dump) and the three required sections."""
        _, names = self._note_names(exclude_submission=view.id)
        title = view.title
        if normalize_alias(title) in names:  # another note took the name after the approval
            title = f"{title} (#{view.id})"
            logger.warning("title of submission %s collides with note %s; published as %r", view.id, names[normalize_alias(view.title)], title)
        aliases, seen = [title], {normalize_alias(title)}
        for alias in view.aliases:
            key = normalize_alias(alias)
            if key in seen or key in names:
                continue
            seen.add(key)
            aliases.append(alias)
        meta = {
            "slug": view.slug,
            "kind": "meme",
            "title": title,
            "title_en": title,
            "aliases": aliases,
            "tags": ["community"],
            "related": [r for r in view.related if r != view.slug],
            "source": f"submission {view.id}",
            "image": self._image_rel(view),
        }
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100_000)
        explanation = _escape_markdown_headings(view.explanation)
        if explanation:
            short = _first_sentences(explanation, SHORT_MAX)
            sections = [("Коротко", short), ("Подробнее", explanation), ("In short", short)]
        else:
            sections = [
                ("Коротко", EMPTY_EXPLANATION["ru_short"]),
                ("Подробнее", EMPTY_EXPLANATION["ru_deep"]),
                ("In short", EMPTY_EXPLANATION["en_short"]),
            ]
        body = "\n\n".join(f"## {name}\n{text}" for name, text in sections)
        return f"---\n{front}---\n{body}\n"

    def _copy_image(self, view: SubmissionView) -> None:
        source = view.image_path
        if not source.is_file():
            raise PublishError(view.id, f"the uploaded picture {source} is missing")
        data = source.read_bytes()
        target = self.memes_dir / self._image_rel(view)
        if target.is_file() and target.read_bytes() == data:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data)

    def _write_note(self, view: SubmissionView, text: str) -> None:
        path = self._note_path(view.slug)
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)

    def _validate_note(self, view: SubmissionView) -> None:
        """Our note must pass the checks ``load_notes`` makes (its own format, names no other note
        has, related notes that exist); if not, remove it so the index keeps building."""
        path = self._note_path(view.slug)
        note, problems = parse_note(path)
        messages = [p.message for p in problems]
        if note is not None:
            slugs, names = self._note_names(exclude_submission=view.id)
            for name in {normalize_alias(n): n for n in (note.title, note.title_en, *note.aliases)}.values():
                owner = names.get(normalize_alias(name))
                if owner is not None and owner != note.slug:
                    messages.append(f"alias '{name}' collides with note '{owner}'")
            messages += [f"related slug '{r}' points to no note" for r in note.related if r not in slugs or r == note.slug]
        if messages:
            path.unlink(missing_ok=True)
            (self.memes_dir / self._image_rel(view)).unlink(missing_ok=True)
            raise PublishError(view.id, "; ".join(messages))

    def _rebuild(self, view: SubmissionView) -> None:
        if self.rebuild_index is None:
            return
        try:
            self.rebuild_index()
        except Exception as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PublishError(view.id, f"the index rebuild failed ({detail})") from exc

    def _mark_published(self, view: SubmissionView) -> None:
        with self.db.session() as s:
            row = self._cas(s, view.id, APPROVED, PUBLISHED)
            if row is not None:
                actor = row.decided_by if row.decided_by is not None else SYSTEM_ACTOR
                self._audit(s, actor, "publish", view.id, {**row.snapshot(), "status": APPROVED}, row.snapshot())


# --------------------------------------------------------------------------- files


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` via a hidden temporary file in the same folder and ``os.replace`` (fsynced)."""
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _escape_markdown_headings(text: str) -> str:
    """A line starting with ``#`` would start a new note section; escape it as markdown text."""
    return "\n".join("\\" + line if line.startswith("#") else line for line in text.split("\n"))


def _first_sentences(text: str, limit: int) -> str:
    """Whole sentences from the start of ``text`` up to ``limit`` characters (at least the first one)."""
    paragraph = text.split("\n\n", 1)[0].replace("\n", " ")
    sentences = re.split(r"(?<=[.!?…])\s+", paragraph)
    short = sentences[0]
    for sentence in sentences[1:]:
        if len(short) + 1 + len(sentence) > limit:
            break
        short = f"{short} {sentence}"
    return short.strip()
