"""Broken note files are reported as ``path:line: message`` — never a traceback, never silently accepted."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.notes import MAX_NOTE_BYTES, NoteError, load_notes
from tests.conftest import NOTE_TEMPLATE

FIELDS = {
    "title": "Эпсилон",
    "title_en": "Epsilon",
    "aliases": "эпсилон, epsilon",
    "related": "",
    "short_ru": "Коротко.",
    "short_en": "Short.",
}


def note_text(slug: str = "epsilon", **overrides: str) -> str:
    return NOTE_TEMPLATE.format(slug=slug, **{**FIELDS, **overrides})


def _front(extra: str) -> str:
    return note_text().replace("source: test\n", f"source: test\n{extra}\n")


BROKEN: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "dangling symlink": (lambda d, o: (d / "epsilon.md").symlink_to(d / "nowhere.md"), "broken symlink"),
    "symlink loop": (
        lambda d, o: (
            (d / "epsilon.md").symlink_to(d / "loop.md"),
            (d / "loop.md").symlink_to(d / "epsilon.md"),
        ),
        "symlink loop",
    ),
    "folder named x.md": (lambda d, o: (d / "epsilon.md").mkdir(), "not a regular file"),
    "symlink to /dev/zero": (
        lambda d, o: (d / "epsilon.md").symlink_to("/dev/zero"),
        "outside the knowledge folder",
    ),
    "symlink out of knowledge/": (
        lambda d, o: (o.write_text(note_text()), (d / "epsilon.md").symlink_to(o)),
        "outside the knowledge folder",
    ),
    "deep [[[ nesting": (
        lambda d, o: (d / "epsilon.md").write_text(_front("tags2: " + "[" * 5000)),
        "bad YAML",
    ),
    "5000-digit integer": (
        lambda d, o: (d / "epsilon.md").write_text(_front("demo: " + "7" * 5000)),
        "front matter",
    ),
    "50 MB note": (
        lambda d, o: (d / "epsilon.md").write_bytes(note_text().encode() + b"x" * (50 * 1024 * 1024)),
        "at most",
    ),
    "image: /etc/passwd": (
        lambda d, o: (d / "epsilon.md").write_text(_front("image: /etc/passwd")),
        "must be a file in the 'images/' folder",
    ),
    "image: ../../x.png": (
        lambda d, o: (d / "epsilon.md").write_text(_front("image: images/../../../x.png")),
        "must be a file in the 'images/' folder",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_note_is_a_path_and_line(kind: str, make_notes, tmp_path: Path) -> None:
    root = make_notes()
    folder = root / "concepts"
    make, expected = BROKEN[kind]
    make(folder, tmp_path / "outside.md")
    with pytest.raises(NoteError) as found:
        load_notes(root)
    lines = [str(p) for p in found.value.problems]
    mine = [line for line in lines if "epsilon.md" in line]
    assert mine and expected in mine[0], lines
    assert mine[0].startswith(f"{folder / 'epsilon.md'}:")


def test_notes_check_prints_problems_not_a_traceback(make_notes, cli_runner, monkeypatch) -> None:
    root = make_notes()
    (root / "concepts" / "epsilon.md").symlink_to(root / "concepts" / "nowhere.md")
    (root / "concepts" / "zeta.md").write_text(_front("demo: " + "9" * 5000).replace("epsilon", "zeta"))
    monkeypatch.setenv("MEMEBOT_KNOWLEDGE", str(root))
    from click.testing import CliRunner

    from bot.cli.main import cli

    result = CliRunner().invoke(cli, ["notes", "check"])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "epsilon.md:1: broken symlink" in result.output and "zeta.md:2:" in result.output


def test_the_size_limit_leaves_room_for_real_notes() -> None:
    biggest = max(
        p.stat().st_size for p in Path(__file__).resolve().parent.parent.joinpath("knowledge").rglob("*.md")
    )
    assert biggest * 5 < MAX_NOTE_BYTES
    assert os.path.exists("/dev/zero")
