"""Index builds: incremental by content hash, atomic under a crash, refusing invalid notes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import build_index, chunk_note, current_version_dir
from indexer.chunks import note_texts
from indexer.notes import NoteError, load_notes
from indexer.search import Retriever
from tests.conftest import KNOWLEDGE, REPO, copy_index


def test_chunks_cover_titles_aliases_and_sections(make_notes) -> None:
    note = load_notes(make_notes())[1]
    chunks = chunk_note(note)
    sections = [c.section for c in chunks]
    assert sections[0] == "title" and "Бета-версия" in chunks[0].text and "Beta release" in chunks[0].text
    assert [c.text for c in chunks if c.section == "alias"] == ["бета", "beta"]
    assert {"Коротко", "Подробнее", "In short"} <= set(sections)
    assert all(len(c.text) < 400 for c in chunks)


def test_asked_phrasings_become_chunks_and_e5_rows(make_notes) -> None:
    root = make_notes()
    path = root / "concepts" / "beta.md"
    text = path.read_text(encoding="utf-8").replace(
        "tags: [test]",
        'asked:\n  - "когда выпускают сырую версию для тестеров"\n  - "early build for testers"\ntags: [test]',
    )
    path.write_text(text, encoding="utf-8")
    beta = next(n for n in load_notes(root) if n.slug == "beta")
    assert beta.asked == ["когда выпускают сырую версию для тестеров", "early build for testers"]
    assert [c.text for c in chunk_note(beta) if c.section == "asked"] == beta.asked
    assert len(note_texts(beta)) == 2  # e5 reads the note, not the phrasings (bench/RESULTS.md)

    path.write_text(text.replace('  - "early build for testers"', "  - 42"), encoding="utf-8")
    with pytest.raises(NoteError) as info:
        load_notes(root)
    assert "field 'asked' must be a list of non-empty strings" in str(info.value)


def test_incremental_build_embeds_only_what_changed(make_notes, counting_encoder, tmp_path: Path) -> None:
    notes_dir, root = make_notes(), tmp_path / "index"
    first = build_index(notes_dir, root, counting_encoder, progress=False)
    assert first.version and sorted(first.added) == ["alpha", "beta", "gamma"]
    assert counting_encoder.embedded == first.chunks == first.embedded_chunks

    counting_encoder.calls.clear()
    noop = build_index(notes_dir, root, counting_encoder, progress=False)
    assert noop.version is None and counting_encoder.embedded == 0
    assert current_version_dir(root).name == first.version

    gamma = notes_dir / "concepts" / "gamma.md"
    gamma.write_text(
        gamma.read_text(encoding="utf-8").replace("Гамма-коррекция.", "Гамма-коррекция яркости."),
        encoding="utf-8",
    )
    (notes_dir / "concepts" / "alpha.md").unlink()
    beta = notes_dir / "concepts" / "beta.md"
    beta.write_text(
        beta.read_text(encoding="utf-8").replace("related: [alpha]", "related: []"), encoding="utf-8"
    )
    second = build_index(notes_dir, root, counting_encoder, progress=False)
    assert (
        second.removed == ["alpha"] and sorted(second.changed) == ["beta", "gamma"] and second.unchanged == 0
    )
    gamma_chunks = len(chunk_note(load_notes(notes_dir)[1]))
    beta_chunks = len(chunk_note(load_notes(notes_dir)[0]))
    assert counting_encoder.embedded == gamma_chunks + beta_chunks

    retriever = Retriever.load(root, counting_encoder.inner)
    assert set(retriever.notes) == {"beta", "gamma"}
    assert all(h.slug != "alpha" for h in retriever.search("альфа alpha", k=5))


def test_invalid_notes_refuse_the_build_and_keep_the_old_index(
    make_notes, use_encoder, tmp_path: Path
) -> None:
    notes_dir, root = make_notes(), tmp_path / "index"
    first = build_index(notes_dir, root, use_encoder, progress=False)
    (notes_dir / "concepts" / "gamma.md").write_text("---\nslug: [\n---\n", encoding="utf-8")
    with pytest.raises(NoteError) as info:
        build_index(notes_dir, root, use_encoder, progress=False)
    assert "bad YAML" in str(info.value)
    assert current_version_dir(root).name == first.version


def test_index_build_cli_reports_problems_with_exit_2(make_notes, cli_runner, monkeypatch) -> None:
    root = make_notes()
    (root / "concepts" / "gamma.md").write_text("---\nslug: gamma\n---\n", encoding="utf-8")
    monkeypatch.setenv("MEMEBOT_KNOWLEDGE", str(root))
    result = cli_runner("index", "build", "--no-progress")
    assert result.exit_code == 2
    assert f"{root / 'concepts' / 'gamma.md'}:2: missing field 'kind'" in result.output
    assert "the previous index keeps serving" in result.output


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_build_killed_midway_leaves_the_old_index_serving(
    sig: signal.Signals,
    index_root: Path,
    encoder,
    memebot_home: Path,
    tmp_path: Path,
) -> None:
    """A real `memebot index build` process is killed while embedding; the old version keeps answering."""
    import shutil

    root = memebot_home / "index"
    copy_index(index_root, root)
    before = current_version_dir(root)
    notes = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, notes)
    # Touch one note in twenty (9 notes, ~500 chunks, seconds of embedding): enough to kill the build in
    # the middle of it, while the rebuild at the end stays short (unchanged notes keep their vectors).
    for path in sorted(notes.rglob("*.md"))[::20]:
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    env = {**os.environ, "MEMEBOT_KNOWLEDGE": str(notes), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli.main import main; main()", "index", "build", "--progress"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        # A shell running the suite as a background job ignores SIGINT, and so would the build:
        # Python turns SIGINT into KeyboardInterrupt only when it starts with the default handler.
        preexec_fn=_default_sigint,
    )
    # The progress bar shows the build is embedding; kill it there.
    seen = ""
    while "embedding" not in seen:
        line = proc.stderr.readline()
        assert line, f"build ended before embedding: rc={proc.poll()}"
        seen += line
        if "\r" in line or "embedding" in line:
            break
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert current_version_dir(root) == before
    retriever = Retriever.load(root, encoder)
    assert retriever.search("что такое дропаут", k=1)[0].slug == "dropout"

    # The next build cleans the half-written version away and publishes a complete one.
    summary = build_index(notes, root, encoder, progress=False)
    assert summary.version and current_version_dir(root).name == summary.version
    assert not list((root / "versions").glob(".tmp-*"))


def test_large_collections_switch_to_an_approximate_index() -> None:
    import numpy as np

    from indexer.build import make_faiss_index

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((500, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, kind = make_faiss_index(vectors, approx_threshold=1000)
    approx, approx_kind = make_faiss_index(vectors, approx_threshold=100)
    assert kind == "flat" and approx_kind.startswith("hnsw")
    _, truth = exact.search(vectors[:20], 5)
    _, found = approx.search(vectors[:20], 5)
    assert np.mean([len(set(a) & set(b)) / 5 for a, b in zip(found, truth, strict=True)]) >= 0.9


def test_noop_rebuild_compares_file_hashes_before_parsing_or_loading(
    make_notes, counting_encoder, tmp_path: Path, monkeypatch
) -> None:
    import indexer.build

    notes_dir, root = make_notes(), tmp_path / "index"
    build_index(notes_dir, root, counting_encoder, progress=False)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op rebuild must not parse notes or load vectors")

    monkeypatch.setattr(indexer.build, "load_notes", fail)
    monkeypatch.setattr(indexer.build, "_read_previous", fail)
    summary = build_index(notes_dir, root, counting_encoder, progress=False)
    assert summary.version is None and summary.notes == 3
    monkeypatch.undo()
    (notes_dir / "concepts" / "alpha.md").write_text((notes_dir / "concepts" / "alpha.md").read_text() + "\n")
    assert build_index(notes_dir, root, counting_encoder, progress=False).changed == ["alpha"]


def test_version_holds_mapped_arrays_for_every_channel(make_notes, counting_encoder, tmp_path: Path) -> None:
    import json

    notes_dir, root = make_notes(), tmp_path / "index"
    build_index(notes_dir, root, counting_encoder, progress=False)
    version = current_version_dir(root)
    manifest = json.loads((version / "manifest.json").read_text())
    assert set(manifest["channels"]) == {"use"} and manifest["channels"]["use"]["index"] == "flat"
    for name in (
        "vectors-use.npy",
        "rows-use.npy",
        "slugs.json",
        "kinds.json",
        "names.json",
        "bm25/vocab.index.json",
    ):
        assert (version / name).exists(), name
    assert not list(version.glob("faiss-*"))  # exact search is numpy over the mapped vectors


def test_rebuilding_with_the_retrievers_encoder_keeps_the_channels(
    make_notes, use_encoder, tmp_path: Path
) -> None:
    """The bot rebuilds with ``services.retriever.encoder`` (the retriever's query encoder)."""
    import json

    notes_dir, root = make_notes(), tmp_path / "index"
    build_index(notes_dir, root, use_encoder, progress=False)
    retriever = Retriever.load(root, use_encoder)
    (notes_dir / "concepts" / "alpha.md").write_text((notes_dir / "concepts" / "alpha.md").read_text() + "\n")
    summary = build_index(notes_dir, root, retriever.encoder, progress=False)
    manifest = json.loads((current_version_dir(root) / "manifest.json").read_text())
    assert summary.changed == ["alpha"] and set(manifest["channels"]) == {"use"}
