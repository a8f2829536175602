"""Turning an approved submission into a meme note: render, write atomically, check, rebuild the index.

The note rules live in :mod:`indexer.notes` (:class:`indexer.notes.NoteCatalog`): a published note
must pass exactly the checks ``memebot notes check`` makes. Every step skips work already done
(files are left alone when already identical), so re-running after a crash converges.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.community.errors import PublishError
from bot.community.model import NOTE, SubmissionView
from bot.community.validation import make_slug, validate_explanation, validate_title
from common.files import atomic_write
from common.i18n import t
from indexer.notes import (
    KINDS,
    REQUIRED_SECTIONS,
    SECTION_DEEP_RU,
    SECTION_SHORT_EN,
    SECTION_SHORT_RU,
    NoteCatalog,
    normalize_alias,
    parse_note_cached,
)

logger = logging.getLogger(__name__)

SHORT_MAX = 400  # the "Коротко" section: the first sentences of the explanation up to this length
FILE_MODE = 0o644  # notes are source files of the knowledge base, readable like the rest of it

EMPTY_EXPLANATION = {
    "ru_short": "Этот мем прислал участник сообщества, и его одобрили модераторы. Объяснения, почему это смешно, пока нет: оно появится позже.",
    "ru_deep": "Заявку на мем прислали без подробного объяснения. Если вы знаете, в чём шутка, расскажите модераторам, и они дополнят заметку.",
    "en_short": "A community member sent this meme and the moderators approved it. There is no explanation of the joke yet; it will be added later.",
}


def source_of(submission_id: int) -> str:
    """The ``source:`` field of a note published from submission ``submission_id``."""
    return f"submission {submission_id}"


class Publisher:
    """Writes meme notes into ``notes_dir/memes`` and calls ``rebuild_index()`` afterwards."""

    def __init__(self, notes_dir: Path, rebuild_index: Callable[[], object] | None = None):
        self.notes_dir = Path(notes_dir)
        self.rebuild_index = rebuild_index

    @property
    def memes_dir(self) -> Path:
        return self.notes_dir / KINDS["meme"]

    def catalog(self, exclude_submission: int | None = None) -> NoteCatalog:
        """The notes on disk; the note published from ``exclude_submission`` does not count as a rival."""
        return NoteCatalog.scan(
            self.notes_dir, source_of(exclude_submission) if exclude_submission is not None else None
        )

    def note_path(self, slug: str) -> Path:
        return self.memes_dir / f"{slug}.md"

    def path_of(self, view: SubmissionView) -> Path:
        """Where the submission's note goes: ``memes/`` for a meme, ``concepts/`` for a drafted note."""
        folder = KINDS["concept"] if view.kind == NOTE else KINDS["meme"]
        return self.notes_dir / folder / f"{view.slug}.md"

    @staticmethod
    def image_rel(view: SubmissionView) -> str:
        return f"images/{view.slug}.{view.image_ext}"

    def taken_names(self) -> set[str]:
        """Slugs that notes or meme pictures on disk already use."""
        taken = {p.stem for folder in KINDS.values() for p in (self.notes_dir / folder).glob("*.md")}
        return taken | {p.stem for p in (self.memes_dir / "images").glob("*.*")}

    def slug_taken_by_another(self, view: SubmissionView) -> bool:
        """Someone put a note that is not this submission's at its slug (in any folder)."""
        assert view.slug is not None
        for folder in KINDS.values():
            path = self.notes_dir / folder / f"{view.slug}.md"
            if path.exists():
                note = parse_note_cached(path)
                if note is None or note.source != source_of(view.id):
                    return True
        return False

    def remove_stale_temporaries(self) -> None:
        folders = (self.memes_dir, self.memes_dir / "images", self.notes_dir / KINDS["concept"])
        for stale in [p for folder in folders for p in folder.glob(".*.tmp")]:
            stale.unlink(missing_ok=True)

    def render_note(self, view: SubmissionView) -> str:
        """The note's markdown: YAML front matter (safe_dump) and the required sections.

        Every text is cleaned again (a row stored before the validation rules changed must still
        publish). Without English fields the English side says the meme is explained in Russian only
        (and the other way round for an English submission nobody translated).
        """
        if view.kind == NOTE:
            return self.render_concept(view)
        catalog = self.catalog(exclude_submission=view.id)
        title = validate_title(view.title)
        if catalog.owner(title) is not None:  # another note took the name after the approval
            logger.warning(
                "title of submission %s collides with note %s; published with its number",
                view.id,
                catalog.owner(title),
            )
            title = f"{title} (#{view.id})"
        title_en = validate_title(view.title_en) if view.title_en else title
        if title_en != title and catalog.owner(title_en) is not None:
            title_en = title
        aliases, seen = [title], {normalize_alias(title)}
        for alias in ([title_en] if title_en != title else []) + list(view.aliases):
            key = normalize_alias(alias)
            if key in seen or catalog.owner(alias) is not None:
                continue
            seen.add(key)
            aliases.append(alias)
        meta = {
            "slug": view.slug,
            "kind": "meme",
            "title": title,
            "title_en": title_en,
            "aliases": aliases,
            "tags": ["community"],
            "related": [r for r in view.related if r != view.slug],
            "source": source_of(view.id),
            "image": self.image_rel(view),
        }
        front = yaml.safe_dump(
            meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100_000
        )
        body = "\n\n".join(f"## {name}\n{text}" for name, text in _sections(view))
        return f"---\n{front}---\n{body}\n"

    def render_concept(self, view: SubmissionView) -> str:
        """A concept note drafted from wanted questions: its names in the front matter, the admin's text as the body.

        The body is used as it is when it has the note's sections (``## Коротко`` …); plain text becomes
        the sections like a meme's explanation; no text yet gives the empty sections of a draft.
        """
        catalog = self.catalog(exclude_submission=view.id)
        aliases, seen = [], {normalize_alias(view.title), normalize_alias(view.title_en or view.title)}
        for alias in view.aliases:
            key = normalize_alias(alias)
            if key not in seen and catalog.owner(alias) is None:
                seen.add(key)
                aliases.append(alias)
        slug = view.slug or make_slug(
            view.title_en or view.title, view.id, self.taken_names(), prefix=""
        )  # a draft: the slug it would get
        meta = {
            "slug": slug,
            "kind": "concept",
            "title": view.title,
            "title_en": view.title_en or view.title,
            "aliases": aliases,
            "tags": ["community", "wanted"],
            "related": [r for r in view.related if r != view.slug],
            "source": source_of(view.id),
        }
        front = yaml.safe_dump(
            meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100_000
        )
        text = view.explanation.strip()
        if any(line.strip() == f"## {name}" for line in text.splitlines() for name in REQUIRED_SECTIONS):
            body = text
        elif text:
            short = _first_sentences(_escape_markdown_headings(text), SHORT_MAX)
            body = "\n\n".join(
                f"## {name}\n{part}"
                for name, part in (
                    (SECTION_SHORT_RU, short),
                    (SECTION_DEEP_RU, _escape_markdown_headings(text)),
                    (SECTION_SHORT_EN, short),
                )
            )
        else:
            body = "\n\n".join(f"## {name}" for name in REQUIRED_SECTIONS)
        return f"---\n{front}---\n{body}\n"

    def write(self, view: SubmissionView) -> None:
        """Copy the picture and write the note (each skipped when already identical), then check the note."""
        assert view.slug is not None
        if view.kind == NOTE:
            _write_if_changed(self.path_of(view), self.render_note(view).encode("utf-8"))
            self._check(view)
            return
        source = view.image_path
        if not source.is_file():
            raise PublishError(view.id, f"the uploaded picture {source} is missing")
        _write_if_changed(self.memes_dir / self.image_rel(view), source.read_bytes())
        _write_if_changed(self.note_path(view.slug), self.render_note(view).encode("utf-8"))
        self._check(view)

    def _check(self, view: SubmissionView) -> None:
        """Our note must pass the checks ``load_notes`` makes; if not, remove it so the index keeps building."""
        assert view.slug is not None
        path = self.path_of(view)
        messages = self.catalog(exclude_submission=view.id).problems_of(path)
        if messages:
            path.unlink(missing_ok=True)
            if view.kind != NOTE:
                (self.memes_dir / self.image_rel(view)).unlink(missing_ok=True)
            raise PublishError(view.id, "; ".join(messages))

    def rebuild(self, view: SubmissionView) -> None:
        if self.rebuild_index is None:
            return
        try:
            self.rebuild_index()
        except Exception as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PublishError(view.id, f"the index rebuild failed ({detail})") from exc


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, mode=FILE_MODE)


def _sections(view: SubmissionView) -> list[tuple[str, str]]:
    """Коротко / Подробнее / In short (/ In depth): the submitter's text, an admin's translation, or a mark."""
    explanation = _escape_markdown_headings(validate_explanation(view.explanation))
    english = (
        _escape_markdown_headings(validate_explanation(view.explanation_en)) if view.explanation_en else ""
    )
    if view.user_lang == "en" and english == explanation:  # nobody wrote it in Russian
        explanation = ""
    if not explanation and not english:
        return [
            ("Коротко", EMPTY_EXPLANATION["ru_short"]),
            ("Подробнее", EMPTY_EXPLANATION["ru_deep"]),
            ("In short", EMPTY_EXPLANATION["en_short"]),
        ]
    if not english:
        short = _first_sentences(explanation, SHORT_MAX)
        return [
            ("Коротко", short),
            ("Подробнее", explanation),
            ("In short", f"{t('note_ru_only', 'en')} {short}"),
        ]
    short_en = _first_sentences(english, SHORT_MAX)
    if not explanation:
        return [
            ("Коротко", f"{t('note_en_only', 'ru')} {short_en}"),
            ("Подробнее", english),
            ("In short", short_en),
        ]
    short = _first_sentences(explanation, SHORT_MAX)
    return [("Коротко", short), ("Подробнее", explanation), ("In short", short_en), ("In depth", english)]


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
