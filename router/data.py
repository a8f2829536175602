"""Intent training data: loading, hashing and a deterministic stratified split."""

from __future__ import annotations

import hashlib
import random
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


def load_examples(path: Path = DATA_FILE) -> list[Example]:
    """Read ``intent → {ru: [...], en: [...]}``; every intent must be one of :data:`INTENTS`."""
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
    return examples


def data_hash(path: Path = DATA_FILE) -> str:
    """sha256 of the training file: a trained model is stale when this changes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
