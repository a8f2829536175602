"""Knowledge notes: parsing markdown with YAML front matter, and validating the whole collection.

A note is ``knowledge/{memes,concepts,resources}/<slug>.md``; the format is described in
``knowledge/README.md``. Validation reports every problem at once as ``path:line: message``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from common.textnorm import name_key

logger = logging.getLogger(__name__)

KINDS = {"meme": "memes", "concept": "concepts", "resource": "resources"}
REQUIRED_FIELDS = ("slug", "kind", "title", "title_en", "aliases", "tags", "related", "source")
OPTIONAL_FIELDS = ("demo", "image", "asked")
LIST_FIELDS = ("aliases", "tags", "related", "asked")

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
    # how people ask about it when they don't know its name: symptoms, situations, the meme described
    asked: list[str] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    # each front-matter key's line in the file, for messages about the note among others
    field_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

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

    @property
    def names(self) -> list[str]:
        """The title, the English title and every alias: the names a question may call the note by."""
        return [self.title, self.title_en, *self.aliases]

    def display_title(self, lang: str) -> str:
        return self.title if lang == "ru" else self.title_en

    @property
    def image_path(self) -> Path | None:
        return (self.path.parent / self.image).resolve() if self.image else None


def normalize_alias(text: str) -> str:
    """Aliases collide case-insensitively, with ``ё`` = ``е``, after NFKC, without invisible characters,
    runs of spaces folded (see :func:`common.textnorm.name_key`)."""
    return name_key(text)


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (yaml_text, body, body_first_line) or None when there is no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return None


# libyaml's loader parses the front matter ~10x faster than the pure-Python one (it is in every PyYAML wheel).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_front_matter(yaml_text: str) -> tuple[object, dict[str, int]]:
    """Parse the front matter once: its value, and each top-level key's 1-based line in the file
    (front matter starts on line 2)."""
    loader = _YAML_LOADER(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return value, {}
    return value, {k.value: k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


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

    raw, refusal = read_note_bytes(path)
    if raw is None:
        problem(1, refusal or "unreadable")
        return None, problems
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
        meta, lines = _load_front_matter(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem(line, f"bad YAML in front matter: {reason}")
        return None, problems
    except RecursionError:
        problem(2, "bad YAML in front matter: nested too deeply")
        return None, problems
    except ValueError as exc:  # e.g. an integer with thousands of digits
        problem(2, f"bad YAML in front matter: {str(exc).splitlines()[0][:120]}")
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
    if isinstance(image, str) and image.strip():
        image_problem = _image_problem(path, image)
        if image_problem:
            problem(lines.get("image", 2), image_problem)

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
    assert isinstance(slug, str) and isinstance(kind, str)  # checked above: a bad field returned early
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
        asked=[q.strip() for q in meta.get("asked") or []],
        sections={k: v for k, v in sections.items() if k in SECTIONS},
        content_hash=hashlib.sha256(raw).hexdigest(),
        field_lines=lines,
    )
    return note, problems


MAX_NOTE_BYTES = 256 * 1024  # the longest real note is ~10 KB; a bigger file is a mistake, not a note
IMAGE_FOLDER = "images"


def read_note_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The file's bytes, or None and why it is not a note: a broken or looping symlink, a link leaving the
    knowledge folder, a folder or device named ``*.md``, a file over :data:`MAX_NOTE_BYTES`."""
    root = path.parent.parent
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return None, "broken symlink: it points to nothing"
    except (RuntimeError, OSError) as exc:
        return None, f"symlink loop or unreadable path ({type(exc).__name__})"
    if path.is_symlink() and not target.is_relative_to(root.resolve()):
        return None, f"symlink leads outside the knowledge folder (to {target}); copy the note in instead"
    try:
        info = target.stat()
    except OSError as exc:
        return None, f"unreadable ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file (a folder or a device is named like a note)"
    if info.st_size > MAX_NOTE_BYTES:
        return (
            None,
            f"the file is {info.st_size // 1024} KB; a note may be at most {MAX_NOTE_BYTES // 1024} KB",
        )
    try:
        with target.open("rb") as fh:
            data = fh.read(MAX_NOTE_BYTES + 1)
    except OSError as exc:
        return None, f"unreadable ({exc.strerror})"
    if len(data) > MAX_NOTE_BYTES:
        return None, f"the file is over {MAX_NOTE_BYTES // 1024} KB"
    return data, None


def _image_problem(path: Path, image: str) -> str | None:
    """A note's picture must be a file in the ``images/`` folder next to it (no absolute paths, no ``..``)."""
    relative = Path(image)
    if (
        relative.is_absolute()
        or ".." in relative.parts
        or not relative.parts
        or relative.parts[0] != IMAGE_FOLDER
    ):
        return f"image '{image}' must be a file in the '{IMAGE_FOLDER}/' folder next to the note (e.g. images/{path.stem}.png)"
    target = path.parent / relative
    try:
        resolved = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"image '{image}' not found next to the note"
    if not resolved.is_relative_to((path.parent / IMAGE_FOLDER).resolve()) or not resolved.is_file():
        return f"image '{image}' must be a file inside '{IMAGE_FOLDER}/' (a link leaving it is refused)"
    return None


def note_paths(notes_dir: Path) -> list[Path]:
    """All ``*.md`` notes under the three kind folders, sorted."""
    return sorted(p for folder in KINDS.values() for p in (notes_dir / folder).glob("*.md"))


def _cross_check(notes: list[Note], known_demos: Iterable[str] | None) -> list[NoteProblem]:
    problems: list[NoteProblem] = []
    by_slug: dict[str, Note] = {}
    for note in notes:
        line = note.field_lines.get("slug", 2)
        if note.slug in by_slug:
            other = by_slug[note.slug]
            problems.append(
                NoteProblem(note.path, line, f"duplicate slug '{note.slug}' (also in {other.path})")
            )
        else:
            by_slug[note.slug] = note

    owner: dict[str, Note] = {}
    for note in notes:
        for name, other_slug in name_collisions(note, {k: n.slug for k, n in owner.items()}):
            other = owner[normalize_alias(name)]
            line = note.field_lines.get("aliases", 2)
            problems.append(
                NoteProblem(
                    note.path, line, f"alias '{name}' collides with note '{other_slug}' ({other.path})"
                )
            )
        for name in note.names:
            owner.setdefault(normalize_alias(name), note)

    demos = set(known_demos) if known_demos is not None else None
    for note in notes:
        lines = note.field_lines
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
        note, found = parse_note_memo(path)
        problems.extend(found)
        if note is not None:
            notes.append(note)
    problems.extend(_cross_check(notes, known_demos))
    if problems:
        raise NoteError(sorted(problems, key=lambda p: (str(p.path), p.line)))
    logger.debug("loaded %d notes from %s", len(notes), notes_dir)
    return notes


# ---------------------------------------------------------------- rules for a note joining a collection


def name_collisions(note: Note, owners: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(name, other_slug)`` for each name of ``note`` that ``owners`` (name key → slug) gives to another note."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in note.names:
        key = normalize_alias(name)
        if key in seen:
            continue
        seen.add(key)
        other = owners.get(key)
        if other is not None and other != note.slug:
            found.append((name, other))
    return found


@lru_cache(maxsize=4096)
def _parse_cached(
    folder: str, name: str, digest: str, path: Path
) -> tuple[Note | None, tuple[NoteProblem, ...]]:
    del folder, name, digest  # the cache key: the same content parses the same
    note, problems = parse_note(path)
    return note, tuple(problems)


def parse_note_memo(path: Path) -> tuple[Note | None, list[NoteProblem]]:
    """:func:`parse_note` memoised by the file's folder, name and content: approvals, checks and tests read
    the same notes again and again (copies of the folder included). Same result as ``parse_note(path)``."""
    data, _ = read_note_bytes(path)
    if data is None:
        return parse_note(path)
    note, problems = _parse_cached(path.parent.name, path.name, hashlib.sha256(data).hexdigest(), path)
    return (
        dataclasses.replace(note, path=path) if note is not None else None,
        [dataclasses.replace(p, path=path) for p in problems],
    )


def parse_note_cached(path: Path) -> Note | None:
    """The note of :func:`parse_note_memo`; None if unusable."""
    return parse_note_memo(path)[0]


@dataclass(frozen=True)
class NoteCatalog:
    """What a new note must not clash with: the slugs of a collection and who owns each name.

    ``owners`` maps a normalised name (:func:`normalize_alias`) to its note's slug; ``titles`` maps a
    slug to ``{"ru": title, "en": title_en}``.

    Example::

        catalog = NoteCatalog.scan(Path("knowledge"))
        catalog.owner("дропаут")  # 'dropout'
    """

    slugs: frozenset[str]
    owners: Mapping[str, str]
    titles: Mapping[str, Mapping[str, str]]
    sources: Mapping[str, str]

    @classmethod
    def scan(cls, notes_dir: Path, exclude_source: str | None = None) -> NoteCatalog:
        """Read every note under ``notes_dir``; the names of notes whose ``source`` is ``exclude_source`` are left out."""
        slugs: set[str] = set()
        owners: dict[str, str] = {}
        titles: dict[str, dict[str, str]] = {}
        sources: dict[str, str] = {}
        for path in note_paths(notes_dir):
            slugs.add(path.stem)
            note = parse_note_cached(path)
            if note is None:
                continue
            titles[note.slug] = {"ru": note.title, "en": note.title_en}
            sources[note.slug] = note.source
            if exclude_source is not None and note.source == exclude_source:
                continue
            for name in note.names:
                owners.setdefault(normalize_alias(name), note.slug)
        return cls(frozenset(slugs), owners, titles, sources)

    def owner(self, name: str) -> str | None:
        """The slug of the note that has ``name`` as its title or alias, if any."""
        return self.owners.get(normalize_alias(name))

    def problems_of(self, path: Path) -> list[str]:
        """Why the note at ``path`` may not join this collection: its own format problems, names another
        note has, ``related`` slugs that point nowhere. Empty when it may."""
        note, problems = parse_note_memo(path)
        messages = [p.message for p in problems]
        if note is not None:
            messages += [
                f"alias '{name}' collides with note '{other}'"
                for name, other in name_collisions(note, self.owners)
            ]
            messages += [
                f"related slug '{r}' points to no note"
                for r in note.related
                if r not in self.slugs or r == note.slug
            ]
        return messages
