"""The editorial rules of `memebot notes check`: plan coverage, beginner summaries, both languages, no unseen sources."""

from __future__ import annotations

from pathlib import Path

from indexer.editorial import count_sentences, count_words, editorial_problems
from indexer.notes import load_notes

GOOD_DEEP_RU = "Подробный разбор с примером и формулой."
GOOD_DEEP_EN = "A detailed walk-through with an example and a formula."


def _write(
    root: Path,
    slug: str,
    short_ru: str,
    short_en: str,
    deep_ru: str | None = GOOD_DEEP_RU,
    deep_en: str | None = GOOD_DEEP_EN,
    source: str = "original",
) -> None:
    body = f"## Коротко\n{short_ru}\n\n"
    if deep_ru is not None:
        body += f"## Подробнее\n{deep_ru}\n\n"
    body += f"## In short\n{short_en}\n"
    if deep_en is not None:
        body += f"\n## In depth\n{deep_en}\n"
    text = (
        f"---\nslug: {slug}\nkind: concept\ntitle: Тема {slug}\ntitle_en: Topic {slug}\naliases: [{slug}-alias]\n"
        f"tags: [test]\nrelated: []\nsource: {source}\n---\n{body}"
    )
    (root / "concepts").mkdir(parents=True, exist_ok=True)
    (root / "concepts" / f"{slug}.md").write_text(text, encoding="utf-8")


def _problems(root: Path) -> list[str]:
    return [str(p) for p in editorial_problems(root, load_notes(root))]


def test_a_well_written_note_has_no_problems(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "alpha",
        "Это короткое объяснение. Оно для новичка.",
        "This is a short explanation. It is for a beginner.",
    )
    assert _problems(tmp_path) == []


def test_missing_plan_slugs_are_reported_with_the_plan_line(tmp_path: Path) -> None:
    _write(tmp_path, "alpha", "Это объяснение. Оно короткое.", "This is it. It is short.")
    (tmp_path / "plan.md").write_text(
        "# Plan\n- alpha — the first\n- beta-gamma — the second\n", encoding="utf-8"
    )
    assert _problems(tmp_path) == [
        f"{tmp_path / 'plan.md'}:3: the plan asks for note 'beta-gamma', which is not written yet"
    ]


def test_a_long_or_one_sentence_summary_is_refused(tmp_path: Path) -> None:
    long = " ".join(["слово"] * 61) + ". И ещё одно предложение."
    _write(tmp_path, "alpha", long, "Just one sentence here")
    problems = _problems(tmp_path)
    assert any("'Коротко' has 65 words" in p and ":11:" in p for p in problems)
    assert any("'In short' has 1 sentences; write 2 to 4" in p for p in problems)


def test_both_languages_must_be_present_and_right(tmp_path: Path) -> None:
    _write(
        tmp_path, "alpha", "This is English. Not Russian at all.", "This is fine. Really fine.", deep_en=None
    )
    problems = _problems(tmp_path)
    assert any("missing section '## In depth'" in p for p in problems)
    assert any("'Коротко' should be written in Russian" in p for p in problems)


def test_references_to_unseen_texts_are_named_with_their_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "alpha",
        "Как пишет статья-источник, всё просто. Это так.",
        "Fine. Also fine.",
        deep_en="As the lecturer said, it works.",
    )
    problems = _problems(tmp_path)
    assert any(":12: 'статья-источник' refers to a text the reader never saw" in p for p in problems)
    assert any("'the lecturer' refers to a text the reader never saw" in p for p in problems)


def test_submitted_memes_are_held_to_the_length_rule_only(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "alpha",
        "Один абзац от участника",
        "Один абзац от участника",
        deep_en=None,
        source="submission 3",
    )
    assert _problems(tmp_path) == []


def test_counting() -> None:
    assert count_sentences("Adam (Kingma & Ba, 2015) is e.g. `torch.optim.Adam`. It works! Really?") == 3
    assert count_sentences("Шаг 0.001 — т.е. маленький. Вот так.") == 2
    assert count_words("кросс-энтропия и log-loss — это одно") == 5


def test_the_real_knowledge_base_follows_the_rules() -> None:
    root = Path(__file__).resolve().parent.parent / "knowledge"
    assert _problems(root) == []
