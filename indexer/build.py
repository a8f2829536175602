"""Build the search index: notes → chunks and note texts → embeddings, BM25, names → one version.

Everything the search needs is derived here once and mapped into memory at start
(:mod:`indexer.search`): vectors per encoder (``vectors-<enc>.npy`` with ``rows-<enc>.npy``, the
note of each row), the BM25 arrays, the name table, the encoders' own derived files
(``<root>/assets``), and an HNSW graph only for a channel above :data:`APPROX_THRESHOLD` rows.

The build is incremental (a note whose content hash is unchanged reuses its vectors), checks
file hashes against the serving manifest before parsing a note or loading a vector (the no-op
rebuild), and is atomic: a new version is written to ``versions/.tmp-<id>``, renamed to
``versions/<id>`` and published by swapping the ``current`` symlink, so a crash or Ctrl-C leaves
the old index serving.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from common.errors import UserError
from common.files import file_lock
from indexer.chunks import CHUNKER_VERSION, Chunk, chunk_note, note_texts
from indexer.encoders import DEFAULT_ENCODER, Encoder, encode_passages, get_encoder
from indexer.integrity import file_digests, problem_of
from indexer.lexical import BM25_DIR, LEXICAL_VERSION, NAMES_FILE, build_bm25, build_names
from indexer.notes import Note, NoteError, NoteProblem, load_notes, note_paths
from indexer.uncovered import UNCOVERED_FILE, UncoveredTopic, build_uncovered, glossary_path, load_glossary

__all__ = ["APPROX_THRESHOLD", "BuildSummary", "Chunk", "build_index", "chunk_note", "current_version_dir"]

logger = logging.getLogger(__name__)

# Above this many vectors an approximate HNSW index replaces exact search: exact search costs
# ~1.4 ms at 10k and ~21 ms at 100k vectors here, so 20k keeps it near 3 ms (bench/RESULTS.md).
APPROX_THRESHOLD = 20_000
HNSW_M = 32
HNSW_EF_SEARCH = 128
KEEP_VERSIONS = 3
# What each encoder embeds: USE every chunk (cheap, ~1 ms each), e5 each note's two short texts
# (a transformer step per token: all ~7,500 chunks would take minutes; bench/RESULTS.md).
UNITS = {"use": "chunks", "e5": "notes"}


class IndexError_(UserError):
    """The index is missing or unusable."""

    key = "index_unusable"


class IndexMissingError(IndexError_):
    """No index has been built yet."""

    key = "index_missing"


@dataclass
class BuildSummary:
    """What a build did. ``version`` is None when nothing changed and no new version was written."""

    version: str | None
    notes: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    index_kind: str = ""
    encoder: str = ""
    seconds: float = 0.0

    def describe(self) -> str:
        if self.version is None:
            return f"index is up to date: {self.notes} notes, nothing to re-embed ({self.seconds:.2f} s)"
        parts = [
            f"index {self.version}: {self.notes} notes, {self.chunks} chunks ({self.index_kind}, encoder {self.encoder})",
            f"  added {len(self.added)}, changed {len(self.changed)}, removed {len(self.removed)}, "
            f"unchanged {self.unchanged}; embedded {self.embedded_chunks} texts in {self.seconds:.2f} s",
        ]
        for label, slugs in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if slugs:
                parts.append(f"  {label}: {', '.join(sorted(slugs))}")
        return "\n".join(parts)


def note_record(note: Note) -> dict:
    data = asdict(note)
    data["path"] = str(note.path)
    del data["field_lines"]  # only for validation messages
    return data


def make_faiss_index(vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD) -> tuple[Any, str]:
    """Exact inner-product index for small collections, HNSW above ``approx_threshold`` vectors."""
    import faiss

    dim = vectors.shape[1]
    index: Any
    if len(vectors) > approx_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH
        kind = f"hnsw(M={HNSW_M})"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, kind


# ---------------------------------------------------------------- versions on disk


def versions_dir(root: Path) -> Path:
    return root / "versions"


def assets_dir(root: Path) -> Path:
    """Encoder files derived once (USE tables, e5 graph, tokenizers), shared by every version."""
    return root / "assets"


def current_version_dir(root: Path) -> Path:
    """The directory of the index version now serving under ``root``. Raises IndexMissingError if none."""
    link = root / "current"
    if not link.exists():
        raise IndexMissingError(root=str(root))
    return link.resolve()


def file_hashes(notes_dir: Path) -> dict[str, str]:
    """sha256 of every note file and of the glossary of uncovered topics, by path relative to
    ``notes_dir``."""
    glossary = glossary_path(notes_dir)
    return {
        str(p.relative_to(notes_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in [*note_paths(notes_dir), *([glossary] if glossary.exists() else [])]
    }


def _demos_key(known_demos: Iterable[str] | None) -> str | None:
    return None if known_demos is None else ",".join(sorted(known_demos))


def _read_manifest(root: Path) -> dict | None:
    """The serving version's manifest; None when there is none or the version is damaged."""
    try:
        current = current_version_dir(root)
        damage = problem_of(current)
        if damage is not None:
            logger.warning("the serving index is damaged (%s); rebuilding everything", damage)
            return None
        return json.loads((current / "manifest.json").read_text())
    except (IndexMissingError, OSError, ValueError):
        return None


def _read_previous(
    root: Path, manifest: dict | None, encoder_name: str
) -> tuple[dict[str, str], dict[str, dict[str, np.ndarray]]]:
    """Content hashes of the serving version's notes, and per encoder part their vectors by slug."""
    if not manifest or manifest.get("encoder") != encoder_name or manifest.get("chunker") != CHUNKER_VERSION:
        return {}, {}
    current = current_version_dir(root)
    try:
        with sqlite3.connect(f"file:{current / 'meta.sqlite'}?mode=ro", uri=True) as db:
            hashes = dict(db.execute("SELECT slug, content_hash FROM notes"))
        slugs = json.loads((current / "slugs.json").read_text())
        vectors: dict[str, dict[str, np.ndarray]] = {}
        for part in manifest["channels"]:
            rows = np.load(current / f"rows-{part}.npy")
            matrix = np.load(current / f"vectors-{part}.npy")
            order = np.argsort(rows, kind="stable")
            bounds = np.searchsorted(rows[order], np.arange(len(slugs) + 1))
            vectors[part] = {slug: matrix[order[bounds[i] : bounds[i + 1]]] for i, slug in enumerate(slugs)}
    except (OSError, ValueError, KeyError, sqlite3.Error) as exc:
        logger.warning("previous index unreadable, rebuilding everything: %s", exc)
        return {}, {}
    return hashes, vectors


def _write_version(
    tmp: Path,
    notes: list[Note],
    chunks: list[Chunk],
    channels: dict[str, tuple[np.ndarray, np.ndarray]],
    manifest: dict,
    glossary: list[UncoveredTopic],
) -> None:
    tmp.mkdir(parents=True)
    (tmp / "slugs.json").write_text(json.dumps([n.slug for n in notes]))
    (tmp / "kinds.json").write_text(json.dumps({n.slug: n.kind for n in notes}))
    kinds = []
    for part, (rows, vectors) in channels.items():
        np.save(tmp / f"rows-{part}.npy", rows.astype(np.int32))
        np.save(tmp / f"vectors-{part}.npy", vectors.astype(np.float32))
        kind = "flat"
        if len(vectors) > APPROX_THRESHOLD:
            import faiss

            index, kind = make_faiss_index(vectors)
            faiss.write_index(index, str(tmp / f"faiss-{part}.index"))
        manifest["channels"][part]["index"] = kind
        kinds.append(f"{part}: {kind}")
    manifest["index_kind"] = ", ".join(kinds)
    build_bm25([c.text for c in chunks], tmp / BM25_DIR)
    names = {n.slug: n.names for n in notes}
    build_names(names, tmp / NAMES_FILE)
    covered = build_uncovered(glossary, names, tmp / UNCOVERED_FILE)
    if covered:
        logger.info("uncovered topics that have a note now, left out: %s", ", ".join(covered))
    db = sqlite3.connect(tmp / "meta.sqlite")
    try:
        db.executescript(
            """
            CREATE TABLE notes (slug TEXT PRIMARY KEY, kind TEXT NOT NULL, content_hash TEXT NOT NULL,
                                data TEXT NOT NULL);
            CREATE TABLE chunks (row INTEGER PRIMARY KEY, slug TEXT NOT NULL REFERENCES notes(slug),
                                 section TEXT NOT NULL, text TEXT NOT NULL);
            CREATE INDEX chunks_slug ON chunks(slug);
            """
        )
        db.executemany(
            "INSERT INTO notes VALUES (?, ?, ?, ?)",
            [(n.slug, n.kind, n.content_hash, json.dumps(note_record(n), ensure_ascii=False)) for n in notes],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?)",
            [(i, c.slug, c.section, c.text) for i, c in enumerate(chunks)],
        )
        db.commit()
    finally:
        db.close()
    manifest["checksums"] = file_digests(tmp)  # checked on load: a damaged file is refused, not served
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
    for path in tmp.rglob("*"):  # make the files durable before the rename publishes them
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def _publish(root: Path, version: str) -> None:
    link = root / "current"
    tmp_link = root / f".current-{uuid.uuid4().hex}"
    os.symlink(Path("versions") / version, tmp_link)
    os.replace(tmp_link, link)  # atomic: readers see the old or the new version, never a mix


def _cleanup(root: Path, keep: str) -> None:
    vdir = versions_dir(root)
    for stale in vdir.glob(".tmp-*"):  # left by a build that crashed or was interrupted
        shutil.rmtree(stale, ignore_errors=True)
    versions = sorted(
        (p for p in vdir.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime
    )
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def _embed(
    encoder: Encoder, texts: list[str], progress: bool | None, label: str, line: int = 0
) -> np.ndarray:
    from tqdm import tqdm

    batch = 32
    out = [np.zeros((0, encoder.dim), dtype=np.float32)]
    with tqdm(
        total=len(texts),
        desc=f"embedding ({label})",
        unit="text",
        position=line,
        disable=None if progress is None else not progress,
    ) as bar:
        for i in range(0, len(texts), batch):
            out.append(encode_passages(encoder, texts[i : i + batch]))
            bar.update(min(batch, len(texts) - i))
    return np.vstack(out)


def _channel(
    part: Encoder,
    notes: list[Note],
    chunks_by_note: list[list[Chunk]],
    reuse: dict[str, np.ndarray],
    to_embed: set[str],
    progress: bool | None,
    line: int = 0,
) -> tuple[np.ndarray, np.ndarray, int]:
    """(row → note index, vectors, texts embedded) for one encoder over the notes (its progress bar
    on terminal line ``line``)."""
    unit = UNITS.get(part.name, "chunks")
    texts_by_note = (
        [[c.text for c in cs] for cs in chunks_by_note]
        if unit == "chunks"
        else [note_texts(n) for n in notes]
    )
    parts: list[np.ndarray | None] = []
    pending: list[tuple[int, list[str]]] = []
    for i, (note, texts) in enumerate(zip(notes, texts_by_note, strict=True)):
        old = reuse.get(note.slug)
        if note.slug in to_embed or old is None or len(old) != len(texts):
            pending.append((i, texts))
            parts.append(None)
        else:
            parts.append(old)
    todo = [t for _, ts in pending for t in ts]
    embedded = _embed(part, todo, progress, part.name, line) if todo else np.zeros((0, part.dim), np.float32)
    offset = 0
    for i, ts in pending:
        parts[i] = embedded[offset : offset + len(ts)]
        offset += len(ts)
    rows = np.concatenate(
        [np.full(len(ts), i, dtype=np.int32) for i, ts in enumerate(texts_by_note)] or [np.zeros(0, np.int32)]
    )
    vectors = np.vstack([p for p in parts if p is not None] or [np.zeros((0, part.dim), np.float32)]).astype(
        np.float32
    )
    return rows, vectors, len(todo)


def build_index(
    notes_dir: Path,
    root: Path,
    encoder: Encoder | None = None,
    known_demos: Iterable[str] | None = None,
    progress: bool | None = None,
    force: bool = False,
) -> BuildSummary:
    """Validate the notes in ``notes_dir`` and (re)build the index under ``root``.

    Raises :class:`indexer.notes.NoteError` listing every problem if any note is invalid; the
    serving index is then left untouched. ``progress=None`` shows a bar only on a terminal.
    ``encoder`` defaults to :data:`DEFAULT_ENCODER` with its files under ``root/assets``.

    Example::

        summary = build_index(Path("knowledge"), Path("var/index"))
        print(summary.describe())
    """
    started = time.perf_counter()
    # One build at a time per index: the notes are read inside the lock, so the build that publishes
    # last has read the notes last and holds every note written before it started (e.g. an approval).
    with file_lock(root / ".build.lock"):
        return _build_locked(notes_dir, root, encoder, known_demos, progress, force, started)


def _build_locked(
    notes_dir: Path,
    root: Path,
    encoder: Encoder | None,
    known_demos: Iterable[str] | None,
    progress: bool | None,
    force: bool,
    started: float,
) -> BuildSummary:
    encoder_name = encoder.name if encoder is not None else DEFAULT_ENCODER
    files = file_hashes(notes_dir)
    manifest = None if force else _read_manifest(root)
    if (
        manifest is not None
        and manifest.get("files") == files
        and manifest.get("encoder") == encoder_name
        and manifest.get("chunker") == CHUNKER_VERSION
        and manifest.get("lexical") == LEXICAL_VERSION
        and manifest.get("demos") == _demos_key(known_demos)
    ):  # nothing changed: no note parsed, no vector loaded, no encoder started
        return BuildSummary(
            version=None,
            notes=int(manifest["notes"]),
            unchanged=int(manifest["notes"]),
            encoder=encoder_name,
            seconds=time.perf_counter() - started,
        )

    notes = sorted(load_notes(notes_dir, known_demos=known_demos), key=lambda n: n.slug)
    try:
        glossary = load_glossary(notes_dir)
    except ValueError as exc:
        raise NoteError([NoteProblem(glossary_path(notes_dir), 1, str(exc))]) from None
    encoder = encoder or get_encoder(DEFAULT_ENCODER, assets_dir(root))
    old_hashes, old_vectors = _read_previous(root, manifest, encoder.name)
    summary = BuildSummary(version=None, notes=len(notes), encoder=encoder.name)
    slugs = {n.slug for n in notes}
    summary.removed = sorted(set(old_hashes) - slugs)
    for note in notes:
        if note.slug not in old_hashes:
            summary.added.append(note.slug)
        elif old_hashes[note.slug] != note.content_hash:
            summary.changed.append(note.slug)
        else:
            summary.unchanged += 1
    to_embed = set(summary.added) | set(summary.changed)
    chunks_by_note = [chunk_note(n) for n in notes]
    chunks = [c for cs in chunks_by_note for c in cs]
    parts: list[Encoder] = list(
        getattr(encoder, "parts", None) or [encoder]
    )  # a MultiEncoder or the retriever's QueryEncoder
    channels: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # The channels embed side by side: USE (numpy) and e5 (onnxruntime) release the GIL for most of
    # their time, so on 2 cores a fresh build embeds in the longer one's time, not the sum (27 s and
    # 26 s for the 167 notes; bench/RESULTS.md).
    with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="embed") as executor:
        pending = [
            executor.submit(
                _channel, part, notes, chunks_by_note, old_vectors.get(part.name, {}), to_embed, progress, i
            )
            for i, part in enumerate(parts)
        ]
        for part, future in zip(parts, pending, strict=True):
            rows, vectors, embedded = future.result()
            channels[part.name] = (rows, vectors)
            summary.embedded_chunks += embedded

    version = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    vdir = versions_dir(root)
    vdir.mkdir(parents=True, exist_ok=True)
    tmp = vdir / f".tmp-{version}"
    new_manifest = {
        "version": version,
        "encoder": encoder.name,
        "dim": encoder.dim,
        "channels": {
            p.name: {"dim": p.dim, "unit": UNITS.get(p.name, "chunks"), "rows": len(channels[p.name][0])}
            for p in parts
        },
        "chunker": CHUNKER_VERSION,
        "lexical": LEXICAL_VERSION,
        "notes": len(notes),
        "chunks": len(chunks),
        "files": files,
        "demos": _demos_key(known_demos),
        "built_at": time.time(),
    }
    try:
        _write_version(tmp, notes, chunks, channels, new_manifest, glossary)
        os.rename(tmp, vdir / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _publish(root, version)
    _cleanup(root, keep=version)
    summary.version = version
    summary.chunks = len(chunks)
    summary.index_kind = str(new_manifest["index_kind"])
    summary.seconds = time.perf_counter() - started
    logger.info("built index %s", version)
    return summary
