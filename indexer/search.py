"""Hybrid search over the built index: dense FAISS + BM25, fused by reciprocal rank, per note."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from indexer.build import HNSW_EF_SEARCH, IndexError_, current_version_dir
from indexer.encoders import Encoder, get_encoder
from indexer.integrity import problem_of, read_manifest
from indexer.notes import Note
from indexer.text import tokenize

logger = logging.getLogger(__name__)

# Small k trusts the top ranks of each list more; k=5 beat 20 and 60 on the dev set (bench/RESULTS.md).
RRF_K = 5
# When is the best note an answer rather than a guess? Chosen on the dev set (true answers) against
# indexer/data/unknown.jsonl (ML questions no note covers); `memebot eval` reports both rates.
# Dense cosine alone separates them poorly; dense and BM25 agreeing on the top note separates well.
# A question that names a note (its title or an alias, as whole words) is always answerable.
RELEVANCE = {"dense": 0.65, "bm25": 5.0, "agreed_dense": 0.30}
NAME_RE = re.compile(r"[^\w+#]+")


def _normalize_name(text: str) -> str:
    """Lowercase, ``ё``→``е``, punctuation folded to single spaces, padded for whole-word matching."""
    return " " + NAME_RE.sub(" ", text.lower().replace("ё", "е")).strip() + " "

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Hit:
    """One note found for a query.

    ``score`` is the fused score used for ranking; ``dense`` is the best chunk's cosine similarity
    (an absolute relevance signal) and ``bm25`` the best chunk's BM25 score (0 when no term matched);
    ``dense_rank`` and ``bm25_rank`` are the note's places in each list (0 when absent).
    """

    slug: str
    kind: str
    title: str
    title_en: str
    score: float
    dense: float
    bm25: float
    dense_rank: int = 0
    bm25_rank: int = 0
    named: bool = False

    @property
    def relevant(self) -> bool:
        """Good enough to answer with, rather than admit not knowing (see :data:`RELEVANCE`)."""
        return (
            self.named
            or self.dense >= RELEVANCE["dense"]
            or self.bm25 >= RELEVANCE["bm25"]
            or (self.dense_rank == 1 and self.bm25_rank == 1 and self.dense >= RELEVANCE["agreed_dense"])
        )


ANSWERABLE_WITHIN = 3


def answerable(hits: list[Hit]) -> bool:
    """The question is within what the notes cover: one of the top hits is relevant."""
    return any(h.relevant for h in hits[:ANSWERABLE_WITHIN])


def rrf_fuse(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion: ``sum(1 / (k + rank))`` over the rankings a key appears in (rank from 1)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


def _best_per_note(chunk_slugs: list[str], chunk_ids: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    best: dict[str, float] = {}
    for cid, score in zip(chunk_ids, scores, strict=True):
        if cid < 0:
            continue
        slug = chunk_slugs[cid]
        if slug not in best or score > best[slug]:
            best[slug] = float(score)
    return best


class Retriever:
    """Loads one index version and answers queries.

    Inputs: a query string. Outputs: :class:`Hit` per note, best first.

    Example::

        retriever = Retriever.load(Path("var/index"))
        retriever.search("что такое дропаут", k=3)[0].slug  # 'dropout'
    """

    def __init__(self, version_dir: Path, encoder: Encoder):
        damage = problem_of(version_dir)
        if damage is not None:
            raise IndexError_(detail=f"{version_dir.name}: {damage}")
        try:
            self._load(version_dir, encoder)
        except IndexError_:
            raise
        except Exception as exc:  # noqa: BLE001 - any damage the checksums could not see (an index of old builds)
            raise IndexError_(detail=f"{version_dir.name}: {type(exc).__name__}: {str(exc)[:200]}") from None

    def _load(self, version_dir: Path, encoder: Encoder) -> None:
        manifest = read_manifest(version_dir)
        if manifest["encoder"] != encoder.name:
            raise IndexError_(detail=f"it was built with encoder {manifest['encoder']!r}, not {encoder.name!r}")
        self.version = manifest["version"]
        self.version_dir = version_dir
        self.encoder = encoder
        self.index = faiss.read_index(str(version_dir / "faiss.index"))
        if hasattr(self.index, "hnsw"):
            self.index.hnsw.efSearch = HNSW_EF_SEARCH
        with sqlite3.connect(f"file:{version_dir / 'meta.sqlite'}?mode=ro", uri=True) as db:
            notes = [json.loads(d) for (d,) in db.execute("SELECT data FROM notes ORDER BY slug")]
            rows = db.execute("SELECT slug, section, text FROM chunks ORDER BY row").fetchall()
        if self.index.ntotal != len(rows) or self.index.d != encoder.dim:
            raise IndexError_(detail=f"{version_dir.name}: {self.index.ntotal} vectors for {len(rows)} chunks")
        self.notes: dict[str, Note] = {}
        for data in notes:
            data["path"] = Path(data["path"])
            self.notes[data["slug"]] = Note(**data)
        self.chunk_slugs = [r[0] for r in rows]
        self.chunk_sections = [r[1] for r in rows]
        self._bm25 = bm25s.BM25()
        corpus = [tokenize(text) for _, _, text in rows]
        self._vocab = {t for doc in corpus for t in doc}
        self._bm25.index(corpus, show_progress=False)
        self._names = {
            slug: {_normalize_name(n) for n in (note.title, note.title_en, *note.aliases) if len(n.strip()) >= 3}
            for slug, note in self.notes.items()
        }
        self._lock = threading.Lock()

    def names_in(self, query: str) -> set[str]:
        """Slugs of the notes whose title or alias occurs in ``query`` as whole words."""
        padded = _normalize_name(query)
        return {slug for slug, names in self._names.items() if any(name in padded for name in names)}

    @classmethod
    def load(cls, root: Path, encoder: Encoder | None = None) -> Retriever:
        """Load the version the ``current`` link points at (raises IndexMissingError if none)."""
        version_dir = current_version_dir(root)
        if encoder is None:
            try:
                name = read_manifest(version_dir)["encoder"]
            except ValueError as exc:
                raise IndexError_(detail=f"{version_dir.name}: {exc}") from None
            encoder = get_encoder(name)
        return cls(version_dir, encoder)

    # ------------------------------------------------------------ single methods

    def dense_scores(self, query: str | np.ndarray, k_chunks: int = 5000) -> dict[str, float]:
        """Best cosine similarity per note among the top ``k_chunks`` chunks."""
        vector = self.encoder.encode([query]) if isinstance(query, str) else query.reshape(1, -1)
        k = min(k_chunks, self.index.ntotal)
        if k == 0:
            return {}
        scores, ids = self.index.search(np.ascontiguousarray(vector, dtype=np.float32), k)
        return _best_per_note(self.chunk_slugs, ids[0], scores[0])

    def bm25_scores(self, query: str) -> dict[str, float]:
        """Best BM25 score per note; empty when no query term occurs in the collection."""
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return {}
        with self._lock:  # bm25s keeps scratch state per call
            scores = self._bm25.get_scores(tokens)
        nonzero = np.nonzero(scores > 0)[0]
        return _best_per_note(self.chunk_slugs, nonzero, scores[nonzero])

    # ------------------------------------------------------------ search

    def search(self, query: str, k: int = 5, mode: str = "hybrid", vector: np.ndarray | None = None) -> list[Hit]:
        """Top ``k`` notes for ``query``. ``mode`` is ``hybrid`` (default), ``dense`` or ``bm25``.

        A BM25 list where every score is 0 carries no information, so it never enters the fusion.
        ``vector`` may pass a precomputed query embedding to avoid encoding twice.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        dense = self.dense_scores(vector if vector is not None else query) if mode != "bm25" else {}
        sparse = self.bm25_scores(query) if mode != "dense" else {}
        if mode == "dense":
            fused = dense
        elif mode == "bm25":
            fused = sparse
        else:
            rankings = [sorted(dense, key=dense.__getitem__, reverse=True)]
            if sparse:
                rankings.append(sorted(sparse, key=sparse.__getitem__, reverse=True))
            fused = rrf_fuse(rankings)
        # RRF often ties (rank 1 + rank 3 = rank 3 + rank 1): the better dense similarity wins a tie.
        order = sorted(fused, key=lambda s: (-fused[s], -dense.get(s, 0.0), -sparse.get(s, 0.0), s))[:k]
        dense_rank = {slug: i for i, slug in enumerate(sorted(dense, key=dense.__getitem__, reverse=True), 1)}
        bm25_rank = {slug: i for i, slug in enumerate(sorted(sparse, key=sparse.__getitem__, reverse=True), 1)}
        named = self.names_in(query)
        hits = []
        for slug in order:
            note = self.notes[slug]
            hits.append(
                Hit(
                    slug=slug,
                    kind=note.kind,
                    title=note.title,
                    title_en=note.title_en,
                    score=round(fused[slug], 6),
                    dense=round(dense.get(slug, 0.0), 4),
                    bm25=round(sparse.get(slug, 0.0), 4),
                    dense_rank=dense_rank.get(slug, 0),
                    bm25_rank=bm25_rank.get(slug, 0),
                    named=slug in named,
                )
            )
        return hits
