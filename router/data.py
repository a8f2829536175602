"""Intent training data: loading, hashing and a deterministic stratified split."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.errors import UserError

INTENTS = (
    "explain_meme",
    "explain_concept",
    "run_demo",
    "resources",
    "submit_meme",
    "help",
    "smalltalk",
    "off_topic",
)
DATA_FILE = Path(__file__).resolve().parent / "data" / "intents.yaml"
NOTES_DIR = Path(__file__).resolve().parents[1] / "knowledge"
# A note's ``asked:`` lines are questions about it as people type them: the first in each language
# teaches the router the note's intent (all of them raised dev intent accuracy no further, 0.931 →
# 0.933, and made the training a third longer; bench/RESULTS.md).
ASKED_PER_LANGUAGE = 1
KIND_INTENT = {"meme": "explain_meme", "concept": "explain_concept", "resource": "resources"}


_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


class IntentDataError(UserError):
    """The intents file is malformed."""

    key = "data_file_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str


def load_examples(path: Path = DATA_FILE, notes_dir: Path | None = NOTES_DIR) -> list[Example]:
    """Read ``intent → {ru: [...], en: [...]}`` (every intent must be one of :data:`INTENTS`), then add
    the notes' questions (:func:`note_examples`) that the file does not already hold."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise IntentDataError(f"{path}: bad YAML: {exc}") from None
    if not isinstance(data, dict):
        raise IntentDataError(f"{path}: expected a mapping of intents")
    examples: list[Example] = []
    for intent, by_lang in data.items():
        if intent not in INTENTS:
            raise IntentDataError(f"{path}: unknown intent {intent!r} (known: {', '.join(INTENTS)})")
        for lang, texts in (by_lang or {}).items():
            for text in texts or []:
                examples.append(Example(str(text).strip(), intent, str(lang)))
    missing = set(INTENTS) - {e.intent for e in examples}
    if missing:
        raise IntentDataError(f"{path}: no examples for {', '.join(sorted(missing))}")
    if notes_dir is not None:
        known = {e.text.lower() for e in examples}
        examples += [e for e in note_examples(notes_dir) if e.text.lower() not in known]
    return examples


def note_examples(notes_dir: Path = NOTES_DIR) -> list[Example]:
    """The first :data:`ASKED_PER_LANGUAGE` ``asked:`` lines of every note in each language, labelled
    with the intent of the note's kind (a meme's → ``explain_meme``, a resource list's → ``resources``)."""
    from indexer.notes import parse_note_cached

    examples: list[Example] = []
    for path in sorted(notes_dir.glob("*/*.md")):
        note = parse_note_cached(path)
        intent = KIND_INTENT.get(note.kind) if note is not None else None
        if note is None or intent is None:
            continue
        taken = {"ru": 0, "en": 0}
        for text in note.asked:
            lang = "ru" if _CYRILLIC.search(text) else "en"
            if taken[lang] < ASKED_PER_LANGUAGE:
                examples.append(Example(text.strip(), intent, lang))
                taken[lang] += 1
    return examples


def data_hash(path: Path = DATA_FILE, notes_dir: Path | None = NOTES_DIR) -> str:
    """sha256 of the training data (the file and the notes' questions it takes): a trained model is
    stale when this changes."""
    digest = hashlib.sha256(path.read_bytes())
    if notes_dir is not None:
        for e in note_examples(notes_dir):
            digest.update(f"\n{e.intent}\t{e.lang}\t{e.text}".encode())
    return digest.hexdigest()


def stratified_split(
    examples: list[Example], test_fraction: float = 0.2, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """Hold out ``test_fraction`` of each (intent, language) group, deterministically for a seed."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[Example]] = {}
    for ex in examples:
        groups.setdefault((ex.intent, ex.lang), []).append(ex)
    train: list[Example] = []
    test: list[Example] = []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda e: e.text)
        rng.shuffle(items)
        n_test = max(1, round(len(items) * test_fraction))
        test.extend(items[:n_test])
        train.extend(items[n_test:])
    return train, test
