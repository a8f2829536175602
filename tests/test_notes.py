"""Note parsing and validation: every problem reported as path:line: message, all at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.notes import NoteError, load_notes, normalize_alias
from tests.conftest import KNOWLEDGE, write

REQUIRED_SLUGS = {
    "meme-torch-log-negative",
    "meme-finetune-cat",
    "meme-floor-is-lava",
    "meme-emoji-fully-connected",
    "meme-xgboost-kaggle",
    "meme-car-salesman",
    "dropout",
    "spatial-dropout",
    "transfer-learning",
    "fine-tuning",
    "domain-adaptation",
    "catastrophic-forgetting",
    "overfitting",
    "feature-extraction",
    "style-transfer",
    "universal-approximation",
    "fully-connected-network",
    "convolutional-networks",
    "adversarial-examples",
    "gradient-descent",
    "differentiable-programming",
    "gradient-boosting",
    "imagenet",
    "bert",
    "seq2seq",
    "self-play",
    "semi-supervised-learning",
    "vanishing-gradients",
    "deep-learning-hype",
    "derivative",
    "momentum",
    "explainability",
}


def problems_of(root: Path, known_demos: set[str] | None = None) -> list[str]:
    with pytest.raises(NoteError) as info:
        load_notes(root, known_demos=known_demos)
    return [str(p) for p in info.value.problems]


def test_real_knowledge_base_is_valid_and_complete(demo_ids: set[str]) -> None:
    notes = load_notes(KNOWLEDGE, known_demos=demo_ids)
    slugs = {n.slug for n in notes}
    assert REQUIRED_SLUGS <= slugs
    assert len([s for s in slugs if s.startswith("resources-")]) >= 5
    for note in notes:
        assert note.short("ru") and note.short("en") and note.deep("ru"), note.slug
        sentences = re.findall(r"[.!?…](?:\s|$)", note.short("ru"))
        assert 1 <= len(sentences) <= 6, f"{note.slug}: Коротко should be a few sentences"


def test_real_notes_state_the_corrected_facts() -> None:
    """The seeds get these wrong; the notes must say what is right."""
    dropout = (KNOWLEDGE / "concepts" / "dropout.md").read_text(encoding="utf-8")
    assert "Бернулли" in dropout and "Bernoulli" in dropout
    imagenet = (KNOWLEDGE / "concepts" / "imagenet.md").read_text(encoding="utf-8")
    assert "14" in imagenet
    assert "1,2" in imagenet or "1.2" in imagenet


def test_valid_tree_loads(make_notes) -> None:
    notes = load_notes(make_notes())
    assert [n.slug for n in notes] == ["alpha", "beta", "gamma"]
    beta = next(n for n in notes if n.slug == "beta")
    assert beta.related == ["alpha"]
    assert beta.short("en") == "A short explanation of Beta release. This is a test note."
    assert len(beta.content_hash) == 64


def test_every_problem_is_reported_at_once_with_lines(make_notes) -> None:
    root = make_notes()
    write(
        root / "concepts" / "broken.md",
        """\
        ---
        slug: wrong-name
        kind: concept
        title: Сломано
        title_en: Broken
        aliases: [альфа]
        tags: [x]
        related: [nowhere]
        source: test
        colour: red
        ---
        ## Коротко
        Текст.

        ## Подробнее

        ## In short
        Text.
        """,
    )
    path = root / "concepts" / "broken.md"
    assert problems_of(root) == [
        f"{path}:2: slug 'wrong-name' does not match the file name 'broken.md'",
        f"{path}:6: alias 'альфа' collides with note 'alpha' ({root / 'concepts' / 'alpha.md'})",
        f"{path}:8: related slug 'nowhere' points to no note",
        f"{path}:10: unknown field 'colour' (allowed: slug, kind, title, title_en, aliases, tags, related, source, demo, image, asked)",
        f"{path}:15: section '## Подробнее' is empty",
    ]


def test_bad_yaml_names_the_line(make_notes) -> None:
    root = make_notes()
    path = write(
        root / "concepts" / "delta.md",
        "---\nslug: delta\nkind: concept\ntitle: [unclosed\n---\n## Коротко\nx\n",
    )
    (problem,) = problems_of(root)
    assert problem.startswith(f"{path}:5: bad YAML in front matter:")


def test_missing_fields_and_sections(make_notes) -> None:
    root = make_notes()
    path = write(root / "concepts" / "delta.md", "---\nslug: delta\nkind: concept\n---\n## In short\nText.\n")
    found = problems_of(root)
    for field in ("title", "title_en", "aliases", "tags", "related", "source"):
        assert f"{path}:2: missing field '{field}'" in found
    assert f"{path}:5: missing section '## Коротко'" in found
    assert f"{path}:5: missing section '## Подробнее'" in found


def test_duplicate_slug_across_folders_and_wrong_folder(make_notes) -> None:
    root = make_notes()
    text = (root / "concepts" / "gamma.md").read_text(encoding="utf-8")
    dup = write(root / "memes" / "gamma.md", text.replace("aliases: [гамма, gamma]", "aliases: [другая]"))
    found = problems_of(root)
    assert f"{dup}:3: kind 'concept' belongs in folder 'concepts/', not 'memes/'" in found
    assert any(
        p.startswith(f"{root / 'memes' / 'gamma.md'}:2: duplicate slug 'gamma'")
        or p.startswith(f"{root / 'concepts' / 'gamma.md'}:2: duplicate slug 'gamma'")
        for p in found
    )


def test_unknown_demo_is_reported(make_notes) -> None:
    root = make_notes()
    path = root / "concepts" / "alpha.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("source: test", "source: test\ndemo: no-such-demo"),
        encoding="utf-8",
    )
    assert problems_of(root, known_demos={"dropout"}) == [
        f"{path}:10: demo 'no-such-demo' does not exist (known: dropout)"
    ]


def test_aliases_collide_case_and_yo_insensitively() -> None:
    assert normalize_alias("  Ёлка  Дропаут ") == normalize_alias("елка дропаут")


def test_notes_check_cli_exit_status_and_report(make_notes, cli_runner, monkeypatch) -> None:
    root = make_notes()
    assert cli_runner("notes", "check", "--dir", str(root)).exit_code == 0
    path = write(root / "concepts" / "delta.md", "no front matter here\n")
    result = cli_runner("notes", "check", "--dir", str(root))
    assert result.exit_code == 2
    assert f"{path}:1: no YAML front matter" in result.output
    assert "1 problem(s) found" in result.output
