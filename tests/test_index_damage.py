"""A damaged index is refused with one sentence, never a traceback, and never called "up to date";
concurrent builds wait for each other, and the build that publishes last holds every note."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.build import IndexError_, build_index, current_version_dir
from indexer.search import Retriever

DAMAGE: dict[str, Callable[[Path], None]] = {}


def damage(name: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(func: Callable[[Path], None]) -> Callable[[Path], None]:
        DAMAGE[name] = func
        return func

    return register


for _file in (
    "vectors-use.npy",
    "rows-use.npy",
    "bm25/data.csc.index.npy",
    "slugs.json",
    "meta.sqlite",
    "manifest.json",
):
    damage(f"{_file}: deleted")(lambda v, f=_file: (v / f).unlink())
    damage(f"{_file}: empty")(lambda v, f=_file: (v / f).write_bytes(b""))
    damage(f"{_file}: garbage")(lambda v, f=_file: (v / f).write_bytes(os.urandom(4096)))
    damage(f"{_file}: one byte flipped")(lambda v, f=_file: (v / f).write_bytes(_flip((v / f).read_bytes())))
damage("manifest.json: a list")(lambda v: (v / "manifest.json").write_text("[1, 2]"))
damage("manifest.json: no checksums, garbage vectors")(
    lambda v: (_strip_checksums(v), (v / "vectors-use.npy").write_bytes(b"\0" * 100))
)


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _strip_checksums(version: Path) -> None:
    manifest = json.loads((version / "manifest.json").read_text())
    manifest.pop("checksums", None)
    (version / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture()
def built(make_notes, use_encoder, tmp_path: Path) -> tuple[Path, Path]:
    notes, root = make_notes(), tmp_path / "index"
    build_index(notes, root, use_encoder, progress=False)
    return notes, root


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_every_kind_of_damage_is_one_sentence(kind: str, built: tuple[Path, Path], use_encoder) -> None:
    _, root = built
    DAMAGE[kind](current_version_dir(root))
    with pytest.raises(IndexError_) as refused:
        Retriever.load(root, use_encoder)
    assert "memebot index build --force" in refused.value.message("en")


def test_ask_on_a_damaged_index_prints_a_line_not_a_traceback(
    built: tuple[Path, Path], cli_runner, memebot_home: Path, monkeypatch
) -> None:
    import shutil

    _, root = built
    shutil.copytree(root, memebot_home / "index", symlinks=True)
    (current_version_dir(memebot_home / "index") / "vectors-use.npy").write_bytes(b"garbage")
    from click.testing import CliRunner

    from bot.cli.main import cli

    result = CliRunner().invoke(cli, ["ask", "что такое альфа"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "vectors-use.npy" in result.output and "index build --force" in result.output


def test_garbage_vectors_are_not_up_to_date(built: tuple[Path, Path], use_encoder) -> None:
    notes, root = built
    damaged = current_version_dir(root)
    (damaged / "vectors-use.npy").write_bytes(b"garbage")
    summary = build_index(notes, root, use_encoder, progress=False)
    assert summary.version is not None and "up to date" not in summary.describe()
    assert current_version_dir(root) != damaged
    Retriever.load(root, use_encoder)


class SlowEncoder:
    """The real encoder, but each batch takes a while: builds overlap."""

    def __init__(self, inner, delay: float):
        self.inner, self.delay = inner, delay
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts: list[str]):
        time.sleep(self.delay)
        return self.inner.encode(texts)


def test_concurrent_builds_wait_and_the_last_one_holds_every_note(
    make_notes, use_encoder, tmp_path: Path
) -> None:
    """An `index build` racing an approval: the note written meanwhile is in the index published last."""
    notes, root = make_notes(), tmp_path / "index"
    errors: list[BaseException] = []

    def build(encoder) -> None:
        try:
            build_index(notes, root, encoder, progress=False, force=True)
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=build, args=(SlowEncoder(use_encoder, 0.5),))
    first.start()
    time.sleep(0.2)  # the first build has read the notes and is embedding
    make_notes(
        {"delta": {"title": "Дельта-функция", "title_en": "Delta function", "aliases": "дельта, delta"}},
        root=notes,
    )
    second = threading.Thread(target=build, args=(use_encoder,))
    second.start()
    first.join(60)
    second.join(60)
    assert errors == []
    assert "delta" in Retriever.load(root, use_encoder).notes
    assert not list((root / "versions").glob(".tmp-*"))
