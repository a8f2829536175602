"""Knowledge notes: parsing markdown with YAML front matter, and validating the whole collection.

A note is ``knowledge/{memes,concepts,resources}/<slug>.md``; the format is described in
``knowledge/README.md``. Validation reports every problem at once as ``path:line: message``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

KINDS = {"meme": "memes", "concept": "concepts", "resource": "resources"}
REQUIRED_FIELDS = ("slug", "kind", "title", "title_en", "aliases", "tags", "related", "source")
OPTIONAL_FIELDS = ("demo", "image")
LIST_FIELDS = ("aliases", "tags", "related")

SECTION_SHORT_RU = "Коротко"
SECTION_DEEP_RU = "Подробнее"
SECTION_SHORT_EN = "In short"
SECTION_DEEP_EN = "In depth"
SECTIONS = (SECTION_SHORT_RU, SECTION_DEEP_RU, SECTION_SHORT_EN, SECTION_DEEP_EN)
REQUIRED_SECTIONS = (SECTION_SHORT_RU, SECTION_DEEP_RU, SECTION_SHORT_EN)
SECTION_LANG = {SECTION_SHORT_RU: "ru", SECTION_DEEP_RU: "ru", SECTION_SHORT_EN: "en", SECTION_DEEP_EN: "en"}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING_RE = re.compile(r"^##\s+(.*?)\s*$")


@dataclass(frozen=True)
class NoteProblem:
    """One validation problem, printed as ``path:line: message``."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class NoteError(Exception):
    """Raised when notes are invalid; carries every problem found."""

    def __init__(self, problems: list[NoteProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Note:
    """A parsed knowledge note.

    ``sections`` maps a heading (``Коротко``, ``Подробнее``, ``In short``, ``In depth``) to its text.
    ``content_hash`` is the sha256 of the file's bytes: an unchanged hash means nothing to re-embed.
    """

    path: Path
    slug: str
    kind: str
    title: str
    title_en: str
    aliases: list[str]
    tags: list[str]
    related: list[str]
    source: str
    demo: str | None = None
    image: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""

    def short(self, lang: str) -> str:
        """The plain-words explanation in ``lang`` (falls back to the other language)."""
        primary, other = (
            (SECTION_SHORT_RU, SECTION_SHORT_EN) if lang == "ru" else (SECTION_SHORT_EN, SECTION_SHORT_RU)
        )
        return self.sections.get(primary) or self.sections.get(other, "")

    def deep(self, lang: str) -> str:
        """The deeper explanation in ``lang`` (falls back to the other language)."""
        primary, other = (
            (SECTION_DEEP_RU, SECTION_DEEP_EN) if lang == "ru" else (SECTION_DEEP_EN, SECTION_DEEP_RU)
        )
        return self.sections.get(primary) or self.sections.get(other, "")

    def display_title(self, lang: str) -> str:
        return self.title if lang == "ru" else self.title_en

    @property
    def image_path(self) -> Path | None:
        return (self.path.parent / self.image).resolve() if self.image else None


def normalize_alias(text: str) -> str:
    """Aliases collide case-insensitively, with ``ё`` = ``е`` and runs of spaces folded."""
    return " ".join(text.lower().replace("ё", "е").split())


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (yaml_text, body, body_first_line) or None when there is no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return None


def _field_lines(yaml_text: str) -> dict[str, int]:
    """Map each top-level key to its 1-based line in the file (front matter starts on line 2)."""
    node = yaml.compose(yaml_text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _parse_sections(
    body: str, first_line: int
) -> tuple[dict[str, str], dict[str, int], list[tuple[int, str]]]:
    """Split the body at ``## `` headings. Returns texts, heading lines and stray problems."""
    sections: dict[str, list[str]] = {}
    heading_lines: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    current: str | None = None
    for offset, line in enumerate(body.splitlines()):
        lineno = first_line + offset
        m = HEADING_RE.match(line)
        if m:
            current = m.group(1)
            if current in sections:
                problems.append((lineno, f"duplicate section '## {current}'"))
            sections[current] = []
            heading_lines[current] = lineno
            continue
        if current is None:
            if line.strip():
                problems.append((lineno, "text before the first '## ' section"))
            continue
        sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}, heading_lines, problems


def parse_note(path: Path) -> tuple[Note | None, list[NoteProblem]]:
    """Parse one note file. Returns the note (None if unusable) and the problems found in it."""
    problems: list[NoteProblem] = []

    def problem(line: int, message: str) -> None:
        problems.append(NoteProblem(path, line, message))

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem(1, f"file is not valid UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8")
        return None, problems
    split = _split_front_matter(text)
    if split is None:
        problem(1, "no YAML front matter: the file must start with '---', the fields, then '---'")
        return None, problems
    yaml_text, body, body_line = split
    try:
        meta = yaml.safe_load(yaml_text)
        lines = _field_lines(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem(line, f"bad YAML in front matter: {reason}")
        return None, problems
    if not isinstance(meta, dict):
        problem(2, "front matter must be a YAML mapping of fields (key: value)")
        return None, problems

    for key in meta:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            allowed = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
            problem(lines.get(str(key), 2), f"unknown field '{key}' (allowed: {allowed})")
    for key in REQUIRED_FIELDS:
        if key not in meta or meta[key] is None:
            problem(2, f"missing field '{key}'")
    for key in ("slug", "kind", "title", "title_en", "source", "demo", "image"):
        value = meta.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problem(lines.get(key, 2), f"field '{key}' must be a non-empty string")
    for key in LIST_FIELDS:
        value = meta.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problem(lines.get(key, 2), f"field '{key}' must be a list of non-empty strings")

    slug, kind = meta.get("slug"), meta.get("kind")
    if isinstance(slug, str):
        if slug != path.stem:
            problem(lines.get("slug", 2), f"slug '{slug}' does not match the file name '{path.name}'")
        elif not SLUG_RE.match(slug):
            problem(lines.get("slug", 2), f"slug '{slug}' must be lowercase latin letters, digits and '-'")
    if isinstance(kind, str):
        if kind not in KINDS:
            problem(lines.get("kind", 2), f"kind '{kind}' must be one of: {', '.join(KINDS)}")
        elif path.parent.name != KINDS[kind]:
            problem(
                lines.get("kind", 2),
                f"kind '{kind}' belongs in folder '{KINDS[kind]}/', not '{path.parent.name}/'",
            )
    image = meta.get("image")
    if isinstance(image, str) and image.strip() and not (path.parent / image).is_file():
        problem(lines.get("image", 2), f"image '{image}' not found next to the note")

    sections, heading_lines, stray = _parse_sections(body, body_line)
    for line, message in stray:
        problem(line, message)
    for name, line in heading_lines.items():
        if name not in SECTIONS:
            problem(line, f"unknown section '## {name}' (allowed: {', '.join(SECTIONS)})")
        elif not sections[name]:
            problem(line, f"section '## {name}' is empty")
    for name in REQUIRED_SECTIONS:
        if name not in sections:
            problem(body_line, f"missing section '## {name}'")
    order = [s for s in heading_lines if s in SECTIONS]
    if order != [s for s in SECTIONS if s in order]:
        problem(body_line, f"sections must come in the order: {', '.join(SECTIONS)}")

    if any(p.message.startswith(("missing field", "field ")) for p in problems):
        return None, problems
    note = Note(
        path=path,
        slug=str(slug),
        kind=str(kind),
        title=meta["title"].strip(),
        title_en=meta["title_en"].strip(),
        aliases=[a.strip() for a in meta["aliases"]],
        tags=[t.strip() for t in meta["tags"]],
        related=[r.strip() for r in meta["related"]],
        source=str(meta["source"]).strip(),
        demo=meta.get("demo"),
        image=meta.get("image"),
        sections={k: v for k, v in sections.items() if k in SECTIONS},
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
    note._lines = lines  # type: ignore[attr-defined]  # kept for cross-note messages
    return note, problems


def note_paths(notes_dir: Path) -> list[Path]:
    """All ``*.md`` notes under the three kind folders, sorted."""
    return sorted(p for folder in KINDS.values() for p in (notes_dir / folder).glob("*.md"))


def _cross_check(notes: list[Note], known_demos: Iterable[str] | None) -> list[NoteProblem]:
    problems: list[NoteProblem] = []
    by_slug: dict[str, Note] = {}
    for note in notes:
        line = note._lines.get("slug", 2)  # type: ignore[attr-defined]
        if note.slug in by_slug:
            other = by_slug[note.slug]
            problems.append(
                NoteProblem(note.path, line, f"duplicate slug '{note.slug}' (also in {other.path})")
            )
        else:
            by_slug[note.slug] = note

    owner: dict[str, Note] = {}
    for note in notes:
        names = [note.title, note.title_en, *note.aliases]
        seen_here: set[str] = set()
        for name in names:
            key = normalize_alias(name)
            if key in seen_here:
                continue
            seen_here.add(key)
            owner_note = owner.get(key)
            if owner_note is not None and owner_note.slug != note.slug:
                line = note._lines.get("aliases", 2)  # type: ignore[attr-defined]
                problems.append(
                    NoteProblem(
                        note.path,
                        line,
                        f"alias '{name}' collides with note '{owner_note.slug}' ({owner_note.path})",
                    )
                )
            else:
                owner[key] = note

    demos = set(known_demos) if known_demos is not None else None
    for note in notes:
        lines = note._lines  # type: ignore[attr-defined]
        for target in note.related:
            if target == note.slug:
                problems.append(
                    NoteProblem(note.path, lines.get("related", 2), "related lists the note itself")
                )
            elif target not in by_slug:
                problems.append(
                    NoteProblem(
                        note.path, lines.get("related", 2), f"related slug '{target}' points to no note"
                    )
                )
        if note.demo and demos is not None and note.demo not in demos:
            known = ", ".join(sorted(demos)) or "none"
            problems.append(
                NoteProblem(
                    note.path, lines.get("demo", 2), f"demo '{note.demo}' does not exist (known: {known})"
                )
            )
    return problems


def load_notes(notes_dir: Path, known_demos: Iterable[str] | None = None) -> list[Note]:
    """Parse and validate every note under ``notes_dir``.

    Raises :class:`NoteError` with all problems at once if any note is invalid.
    ``known_demos``, when given, is the set of demo ids a ``demo`` field may name.

    Example::

        notes = load_notes(Path("knowledge"), known_demos={"dropout"})
    """
    notes: list[Note] = []
    problems: list[NoteProblem] = []
    paths = note_paths(notes_dir)
    if not paths:
        raise NoteError(
            [NoteProblem(notes_dir, 0, "no notes found (expected memes/, concepts/, resources/ with *.md)")]
        )
    for path in paths:
        note, found = parse_note(path)
        problems.extend(found)
        if note is not None:
            notes.append(note)
    problems.extend(_cross_check(notes, known_demos))
    if problems:
        raise NoteError(sorted(problems, key=lambda p: (str(p.path), p.line)))
    logger.debug("loaded %d notes from %s", len(notes), notes_dir)
    return notes
