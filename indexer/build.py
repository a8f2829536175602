"""Build the search index: notes → chunks → embeddings → FAISS + SQLite metadata.

The build is incremental (a note whose content hash is unchanged reuses its vectors) and atomic:
a new version is written to ``versions/.tmp-<id>``, renamed to ``versions/<id>`` when complete and
published by swapping the ``current`` symlink, so a crash or Ctrl-C leaves the old index serving.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from common.errors import UserError
from common.files import file_lock
from indexer.encoders import DEFAULT_ENCODER, Encoder, get_encoder
from indexer.integrity import file_digests, problem_of
from indexer.notes import SECTIONS, Note, load_notes

logger = logging.getLogger(__name__)

# Bump when chunking changes, so every note is re-embedded once.
CHUNKER_VERSION = 3
# Above this many vectors an approximate HNSW index replaces exact search: exact search costs
# ~1.4 ms at 10k and ~21 ms at 100k vectors here, so 20k keeps it near 3 ms (bench/RESULTS.md).
APPROX_THRESHOLD = 20_000
HNSW_M = 32
HNSW_EF_SEARCH = 128
# Sentence windows of ~200 characters: measured best on the dev set (150–450 tried, bench/RESULTS.md).
MAX_CHUNK_CHARS = 200
MEME_WORDS = "мем, шутка, прикол, юмор, meme, joke, funny"
SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+")
KEEP_VERSIONS = 3


class IndexError_(UserError):
    """The index is missing or unusable."""

    key = "index_unusable"


class IndexMissingError(IndexError_):
    """No index has been built yet."""

    key = "index_missing"


@dataclass(frozen=True)
class Chunk:
    slug: str
    section: str
    text: str


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
            f"unchanged {self.unchanged}; embedded {self.embedded_chunks} chunks in {self.seconds:.2f} s",
        ]
        for label, slugs in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if slugs:
                parts.append(f"  {label}: {', '.join(sorted(slugs))}")
        return "\n".join(parts)


def _sentence_windows(text: str, limit: int) -> list[str]:
    """Split text into runs of whole sentences of at most ~``limit`` characters."""
    sentences = [s.strip() for s in SENTENCE_RE.split(text.replace("\n", " ")) if s.strip()]
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + len(sentence) + 1 > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def chunk_note(note: Note) -> list[Chunk]:
    """Titles and each alias as short chunks, then each section in sentence windows, titled.

    Short chunks matter: the sentence encoder compares a short question best with a short text,
    and a long paragraph's vector blurs its topics.
    """
    chunks = [Chunk(note.slug, "title", f"{note.title} / {note.title_en}")]
    if note.kind == "meme":
        # People ask about a meme as a joke ("в чём прикол", "why is it funny"), rarely by its name.
        chunks.append(Chunk(note.slug, "title", f"{MEME_WORDS}: {note.title} / {note.title_en}"))
    chunks += [Chunk(note.slug, "alias", alias) for alias in note.aliases]
    for section in SECTIONS:
        text = note.sections.get(section, "")
        if not text:
            continue
        title = note.title if section in SECTIONS[:2] else note.title_en
        for piece in _sentence_windows(text, MAX_CHUNK_CHARS):
            chunks.append(Chunk(note.slug, section, f"{title}. {piece}"))
    return chunks


def note_record(note: Note) -> dict:
    data = asdict(note)
    data["path"] = str(note.path)
    return data


def make_faiss_index(vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD) -> tuple[faiss.Index, str]:
    """Exact inner-product index for small collections, HNSW above ``approx_threshold`` vectors."""
    dim = vectors.shape[1]
    index: faiss.Index
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


def current_version_dir(root: Path) -> Path:
    """The directory of the index version now serving under ``root``. Raises IndexMissingError if none."""
    link = root / "current"
    if not link.exists():
        raise IndexMissingError(root=str(root))
    return link.resolve()


def _read_previous(root: Path, encoder_name: str) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Hashes of the serving version's notes and their chunk vectors (when built with the same encoder)."""
    try:
        current = current_version_dir(root)
    except IndexMissingError:
        return {}, {}
    damage = problem_of(current)
    if damage is not None:
        logger.warning("the serving index is damaged (%s); rebuilding everything", damage)
        return {}, {}
    try:
        manifest = json.loads((current / "manifest.json").read_text())
        if manifest.get("encoder") != encoder_name or manifest.get("chunker") != CHUNKER_VERSION:
            return {}, {}
        vectors = np.load(current / "vectors.npy")
        with sqlite3.connect(f"file:{current / 'meta.sqlite'}?mode=ro", uri=True) as db:
            hashes = dict(db.execute("SELECT slug, content_hash FROM notes"))
            rows = db.execute("SELECT row, slug FROM chunks ORDER BY row").fetchall()
    except (OSError, ValueError, sqlite3.Error) as exc:
        logger.warning("previous index unreadable, rebuilding everything: %s", exc)
        return {}, {}
    by_slug: dict[str, list[int]] = {}
    for row, slug in rows:
        by_slug.setdefault(slug, []).append(row)
    return hashes, {slug: vectors[ids] for slug, ids in by_slug.items()}


def _write_version(tmp: Path, notes: list[Note], chunks: list[Chunk], vectors: np.ndarray, manifest: dict) -> None:
    tmp.mkdir(parents=True)
    np.save(tmp / "vectors.npy", vectors)
    index, kind = make_faiss_index(vectors)
    manifest["index_kind"] = kind
    faiss.write_index(index, str(tmp / "faiss.index"))
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
        db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?)", [(i, c.slug, c.section, c.text) for i, c in enumerate(chunks)])
        db.commit()
    finally:
        db.close()
    manifest["files"] = file_digests(tmp)  # checked on load: a damaged file is refused, not served
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
    for path in tmp.iterdir():  # make the files durable before the rename publishes them
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
    versions = sorted((p for p in vdir.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


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

    Example::

        summary = build_index(Path("knowledge"), Path("var/index"))
        print(summary.describe())
    """
    started = time.perf_counter()
    encoder = encoder or get_encoder(DEFAULT_ENCODER)
    # One build at a time per index: the notes are read inside the lock, so the build that publishes
    # last has read the notes last and holds every note written before it started (e.g. an approval).
    with file_lock(root / ".build.lock"):
        return _build_locked(notes_dir, root, encoder, known_demos, progress, force, started)


def _build_locked(
    notes_dir: Path, root: Path, encoder: Encoder, known_demos: Iterable[str] | None, progress: bool | None, force: bool, started: float
) -> BuildSummary:
    notes = load_notes(notes_dir, known_demos=known_demos)

    old_hashes, old_vectors = ({}, {}) if force else _read_previous(root, encoder.name)
    summary = BuildSummary(version=None, notes=len(notes), encoder=encoder.name)
    slugs = {n.slug for n in notes}
    summary.removed = sorted(set(old_hashes) - slugs)
    for note in notes:
        if note.slug not in old_hashes:
            summary.added.append(note.slug)
        elif old_hashes[note.slug] != note.content_hash or note.slug not in old_vectors:
            summary.changed.append(note.slug)
        else:
            summary.unchanged += 1
    if not force and old_hashes and not (summary.added or summary.changed or summary.removed):
        summary.seconds = time.perf_counter() - started
        return summary

    to_embed = set(summary.added) | set(summary.changed)
    chunks: list[Chunk] = []
    parts: list[np.ndarray | None] = []
    pending: list[tuple[int, list[Chunk]]] = []
    for note in notes:
        note_chunks = chunk_note(note)
        reuse = old_vectors.get(note.slug)
        if note.slug in to_embed or reuse is None or len(reuse) != len(note_chunks):
            pending.append((len(parts), note_chunks))
            parts.append(None)
        else:
            parts.append(reuse)
        chunks.extend(note_chunks)

    todo = [c.text for _, cs in pending for c in cs]
    summary.embedded_chunks = len(todo)
    embedded = np.zeros((0, encoder.dim), dtype=np.float32)
    if todo:
        batch = 32
        bar = tqdm(total=len(todo), desc="embedding", unit="chunk", disable=None if progress is None else not progress)
        out = []
        for i in range(0, len(todo), batch):
            out.append(encoder.encode(todo[i : i + batch]))
            bar.update(min(batch, len(todo) - i))
        bar.close()
        embedded = np.vstack(out)
    offset = 0
    for position, cs in pending:
        parts[position] = embedded[offset : offset + len(cs)]
        offset += len(cs)
    vectors = np.vstack([p for p in parts if p is not None]).astype(np.float32) if parts else np.zeros((0, encoder.dim), np.float32)

    version = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    vdir = versions_dir(root)
    vdir.mkdir(parents=True, exist_ok=True)
    tmp = vdir / f".tmp-{version}"
    manifest = {
        "version": version,
        "encoder": encoder.name,
        "dim": encoder.dim,
        "chunker": CHUNKER_VERSION,
        "notes": len(notes),
        "chunks": len(chunks),
        "built_at": time.time(),
    }
    try:
        _write_version(tmp, notes, chunks, vectors, manifest)
        os.rename(tmp, vdir / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _publish(root, version)
    _cleanup(root, keep=version)
    summary.version = version
    summary.chunks = len(chunks)
    summary.index_kind = str(manifest["index_kind"])
    summary.seconds = time.perf_counter() - started
    logger.info("built index %s", version)
    return summary
