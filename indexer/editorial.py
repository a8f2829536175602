"""The editorial rules a note must follow, checked mechanically by ``memebot notes check``.

:func:`load_notes` checks that the notes *work* (format, names, links, demos); these rules check
that they read right for a bot user:

- every slug the knowledge plan (``knowledge/plan.md``) asks for is written;
- «Коротко» / "In short" is for a beginner: 2–4 sentences, at most :data:`SHORT_MAX_WORDS` words;
- both languages are there: the Russian sections are Russian, the English ones English, and a
  curated note has all four sections;
- no note refers to a text the reader never saw («статья-источник», "the lecturer" …): the
  phrases are listed in :data:`UNSEEN_SOURCE_PHRASES`; provenance belongs in ``source:``.

Problems are :class:`indexer.notes.NoteProblem` (``path:line: message``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from common.i18n import CYRILLIC_RE, LATIN_RE
from indexer.notes import (
    SECTION_DEEP_EN,
    SECTION_DEEP_RU,
    SECTION_SHORT_EN,
    SECTION_SHORT_RU,
    SECTIONS,
    Note,
    NoteProblem,
)

SHORT_MAX_WORDS = 60
SHORT_SENTENCES = (2, 4)
PLAN_FILE = "plan.md"
PLAN_LINE_RE = re.compile(r"^- (?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*) —")
WORD_RE = re.compile(r"[\w'’-]+")

# Phrases that point the reader at a text they never saw (a lecture, an article, its comments).
# A new slip of this kind goes here; a fact is stated as a fact, its origin goes in `source:`.
UNSEEN_SOURCE_PHRASES = (
    r"стать[еияю]-источник\w*",
    r"исходн\w+ (?:стать|интервью|текст|лекци)\w*",
    r"(?:по словам|как говорит|как сказал) лектор\w*",
    r"\bлектор\w*",
    r"в расшифровке",
    r"в комментари\w+ (?:к|под) стать\w+",
    r"\bкомментатор\w*",
    r"\bthe source article\b",
    r"\bthe (?:original|source) (?:text|lecture|interview)\b",
    r"\bthe lecturer\b",
    r"\bthe lecture\b",
    r"\bв лекции\b",
    r"\bcommenters?\b",
    r"\bin the comments\b",
    r"\bthe article says\b",
)
UNSEEN_SOURCE_RE = re.compile("|".join(UNSEEN_SOURCE_PHRASES), re.IGNORECASE)
ABBREVIATION_RE = re.compile(r"\b(?:e\.g|i\.e|et al|vs|etc|т\.е|т\.д|т\.п|др|см|напр|им|г)\.", re.IGNORECASE)


def count_sentences(text: str) -> int:
    """Sentences in a short plain paragraph (code spans, abbreviations and decimals don't split it)."""
    text = re.sub(r"`[^`]*`", "x", text)
    text = ABBREVIATION_RE.sub("x", text)
    text = re.sub(r"\d+\.\d+", "1", text)
    return len([s for s in re.split(r"(?<=[.!?…])\s+", text.strip()) if s.strip()])


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def _section_lines(path: Path) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.match(r"^##\s+(.*?)\s*$", line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _is_russian(text: str) -> bool:
    return len(CYRILLIC_RE.findall(text)) >= len(LATIN_RE.findall(text))


def note_problems(note: Note) -> list[NoteProblem]:
    """Editorial problems of one note that already passed :func:`indexer.notes.parse_note`."""
    problems: list[NoteProblem] = []
    lines = _section_lines(note.path)
    curated = not note.source.startswith("submission")
    for name in (SECTION_SHORT_RU, SECTION_SHORT_EN):
        text = note.sections.get(name, "")
        if not text:
            continue
        words, sentences = count_words(text), count_sentences(text)
        line = lines.get(name, 1)
        if words > SHORT_MAX_WORDS:
            problems.append(
                NoteProblem(
                    note.path,
                    line,
                    f"'{name}' has {words} words; a beginner's summary has at most {SHORT_MAX_WORDS}",
                )
            )
        low, high = SHORT_SENTENCES
        if curated and not low <= sentences <= high:
            problems.append(
                NoteProblem(note.path, line, f"'{name}' has {sentences} sentences; write {low} to {high}")
            )
    if curated:
        for name in SECTIONS:
            if name not in note.sections:
                problems.append(
                    NoteProblem(
                        note.path,
                        1,
                        f"missing section '## {name}': both languages need the short and the deep part",
                    )
                )
    for name, russian in (
        (SECTION_SHORT_RU, True),
        (SECTION_DEEP_RU, True),
        (SECTION_SHORT_EN, False),
        (SECTION_DEEP_EN, False),
    ):
        text = note.sections.get(name, "")
        if text and curated and _is_russian(text) != russian:
            language = "Russian" if russian else "English"
            problems.append(
                NoteProblem(note.path, lines.get(name, 1), f"'{name}' should be written in {language}")
            )
    for number, line_text in enumerate(note.path.read_text(encoding="utf-8").splitlines(), 1):
        match = UNSEEN_SOURCE_RE.search(line_text)
        if match and not line_text.startswith("source:"):
            problems.append(
                NoteProblem(
                    note.path,
                    number,
                    f"'{match.group(0)}' refers to a text the reader never saw; state the fact (provenance goes in source:)",
                )
            )
    return problems


def plan_problems(notes_dir: Path, slugs: Iterable[str]) -> list[NoteProblem]:
    """Slugs the knowledge plan asks for that no note has (``knowledge/plan.md``; none when there is no plan)."""
    plan = notes_dir / PLAN_FILE
    if not plan.is_file():
        return []
    have = set(slugs)
    problems = []
    for number, line in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1):
        match = PLAN_LINE_RE.match(line)
        if match and match.group("slug") not in have:
            problems.append(
                NoteProblem(
                    plan, number, f"the plan asks for note '{match.group('slug')}', which is not written yet"
                )
            )
    return problems


def editorial_problems(notes_dir: Path, notes: list[Note]) -> list[NoteProblem]:
    """Every editorial problem of the collection, sorted by place."""
    problems = plan_problems(notes_dir, (n.slug for n in notes))
    for note in notes:
        problems.extend(note_problems(note))
    return sorted(problems, key=lambda p: (str(p.path), p.line))
