"""Topics no note covers: the glossary ``knowledge/uncovered.yaml``, found in questions by their stems.

A question about a sibling of a note («how does DBSCAN find clusters») gets that note ranked first,
and confidently: the k-means note names DBSCAN in passing, so every channel agrees on it. No score
tells "about k-means" from "about something k-means mentions". The glossary lists well-known topics
that have no note, with the names people use for them in both languages. The build keeps the topics
no note names (a note written later for a topic takes it off the list) and writes their names as
stem sequences; serving looks up the question's stem n-grams, as the name matcher does with words,
so «спектральной кластеризации» finds «спектральная кластеризация».

The decision reads "the question names a topic without a note" as one more piece of evidence; the
refusal then says which topic it does not know and which note is closest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import yaml

from common.i18n import CYRILLIC_RE
from indexer.notes import NoteProblem
from indexer.text import stems

GLOSSARY_FILE = "uncovered.yaml"  # in the notes' directory, beside the kind folders
UNCOVERED_FILE = "uncovered.json"  # in an index version: stem key → {"topic", "topic_ru", "near"}


class _Entry(TypedDict):
    """A name's row in :data:`UNCOVERED_FILE`."""

    topic: str
    topic_ru: str
    near: str | None


@dataclass(frozen=True)
class UncoveredTopic:
    """One topic without a note: its display name, the names people write, the closest note."""

    topic: str
    names: tuple[str, ...]
    near: str | None = None

    @property
    def topic_ru(self) -> str:
        """The name to show in Russian: a one-word name as is ("DBSCAN", "EfficientNet"), else the
        first Russian name of several words («фильтр Калмана»; one Cyrillic word is mostly a
        transliteration, «дбскан»), else the display name."""
        if " " in self.topic:
            return next((n for n in self.names if CYRILLIC_RE.search(n) and " " in n), self.topic)
        return self.topic


@dataclass(frozen=True)
class TopicMatch:
    """A glossary topic a question names: its name in each language and the closest note's slug."""

    topic: str
    topic_ru: str
    near: str | None

    def name(self, lang: str) -> str:
        return self.topic_ru if lang == "ru" else self.topic


def stem_key(text: str) -> str:
    """A name or phrase as compared here: the stems of all its words, space-separated."""
    return " ".join(stems(text))


def _owners(note_names: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Each note name's :func:`stem_key` → the note's slug (``note_names``: slug → its names)."""
    return {stem_key(name): slug for slug, names in note_names.items() for name in names}


def glossary_path(notes_dir: Path) -> Path:
    return notes_dir / GLOSSARY_FILE


def load_glossary(notes_dir: Path) -> list[UncoveredTopic]:
    """The glossary's topics (none when the file is absent).

    Raises ``ValueError`` naming the entry when the file is not a list of ``topic``/``names`` entries.
    """
    path = glossary_path(notes_dir)
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: expected a list of topics")
    topics: list[UncoveredTopic] = []
    for i, entry in enumerate(data, 1):
        names = entry.get("names") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not entry.get("topic") or not isinstance(names, list) or not names:
            raise ValueError(f"{path.name}: entry {i} needs a topic and a non-empty list of names")
        near = entry.get("near")
        topics.append(
            UncoveredTopic(str(entry["topic"]), tuple(str(n) for n in names), str(near) if near else None)
        )
    return topics


def glossary_problems(notes_dir: Path, note_names: Mapping[str, Iterable[str]]) -> list[NoteProblem]:
    """What ``memebot notes check`` reports about the glossary, as ``path:line: message``: a file
    that does not parse, a topic a note names now (take it off the list), a closest note that does
    not exist, a name under 3 characters."""
    path = glossary_path(notes_dir)
    try:
        topics = load_glossary(notes_dir)
    except ValueError as exc:
        return [NoteProblem(path, 1, str(exc))]
    if not topics:
        return []
    lines = path.read_text(encoding="utf-8").splitlines()

    def line_of(topic: str) -> int:
        return next((i for i, line in enumerate(lines, 1) if line.strip() == f"- topic: {topic}"), 1)

    owner = _owners(note_names)
    problems: list[NoteProblem] = []
    for topic in topics:
        line = line_of(topic.topic)
        taken = [(name, owner[stem_key(name)]) for name in topic.names if stem_key(name) in owner]
        if taken:
            name, slug = taken[0]
            problems.append(
                NoteProblem(
                    path,
                    line,
                    f"topic {topic.topic!r}: note {slug} is named {name!r}; take the topic off the list",
                )
            )
        if topic.near and topic.near not in note_names:
            problems.append(
                NoteProblem(path, line, f"topic {topic.topic!r}: near {topic.near!r} is no note's slug")
            )
        short = [name for name in topic.names if len(name.strip()) < 3]
        if short:
            problems.append(
                NoteProblem(path, line, f"topic {topic.topic!r}: names under 3 characters: {short}")
            )
    return problems


def build_uncovered(
    topics: Iterable[UncoveredTopic], note_names: Mapping[str, Iterable[str]], out: Path
) -> list[str]:
    """Write the names of the topics no note names to ``out``; return the topics left out.

    ``note_names`` is ``slug → title, English title and aliases``. A topic any of whose names is a
    note's name (stem for stem) has a note now and is left out; a ``near`` slug that is no note's
    is dropped.
    """
    named = _owners(note_names)
    table: dict[str, _Entry] = {}
    covered: list[str] = []
    for topic in topics:
        keys = {key for key in map(stem_key, topic.names) if key}
        if not keys.isdisjoint(named):
            covered.append(topic.topic)
            continue
        near = topic.near if topic.near in note_names else None
        for key in keys:
            table.setdefault(key, {"topic": topic.topic, "topic_ru": topic.topic_ru, "near": near})
    out.write_text(json.dumps(table, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return covered


class UncoveredMatcher:
    """Which glossary topics a question names (their stems as a run of the question's stems)."""

    def __init__(self, path: Path):
        self.table: dict[str, _Entry] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        self.longest = max((len(k.split()) for k in self.table), default=0)

    def topics_in(self, *texts: str) -> list[TopicMatch]:
        """The topics named in any of ``texts``, longest names first, each once."""
        found: dict[str, TopicMatch] = {}
        for text in texts:
            words = stems(text)
            for size in range(self.longest, 0, -1):
                for start in range(len(words) - size + 1):
                    entry = self.table.get(" ".join(words[start : start + size]))
                    if entry is not None:
                        found.setdefault(
                            entry["topic"], TopicMatch(entry["topic"], entry["topic_ru"], entry["near"])
                        )
        return list(found.values())
