"""Hybrid search over a built index: dense channels (USE over chunks, e5 over notes) and BM25 over
chunks, fused per note by weighted reciprocal rank; every input is memory-mapped at load.

Imports nothing heavy: faiss only for a channel stored as HNSW (above 20,000 rows), encoders only
when no encoder is passed (see :meth:`Retriever.load`).
"""

from __future__ import annotations

import heapq
import json
import logging
import math
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from indexer.build import HNSW_EF_SEARCH, IndexError_, assets_dir, current_version_dir
from indexer.encoders import Encoder, encode_passages, get_encoder
from indexer.integrity import problem_of, read_manifest
from indexer.lexical import BM25_DIR, NAMES_FILE, BM25Index, NameMatcher, normalise_query
from indexer.notes import Note
from indexer.rerank import RerankModel, answer_matrix, candidates
from indexer.text import question_frame_terms, tokenize
from indexer.uncovered import UNCOVERED_FILE, TopicMatch, UncoveredMatcher

logger = logging.getLogger(__name__)

# Small k trusts the top ranks of each list more; k=5 beat 20 and 60 on the dev set (bench/RESULTS.md).
RRF_K = 5
# Weight of each ranked list in the fusion, and the bonus of a note the question names
# (chosen on the dev set, bench/bench_retrieval.py).
WEIGHTS = {"use": 1.0, "e5": 1.0, "bm25": 1.0}
NAMED_BONUS = 0.1
# When is the best note an answer rather than a guess? Chosen on the dev set (true answers) against
# indexer/data/unknown.jsonl (ML questions no note covers); `memebot eval` reports both rates.
RELEVANCE = {"dense": 0.65, "bm25": 5.0, "agreed_dense": 0.30, "e5": 0.86}
MODES = ("hybrid", "dense", "bm25")
# Each ranked list is cut at this many notes before fusion: rank 100 adds under 1% of rank 1's
# share to an RRF score, and sorting every note of a 10,000-note collection would cost ~10 ms.
TOP_PER_LIST = 100
ANSWERABLE_WITHIN = 3
# Shorter stems used by one note are mostly chance («рег», «тыщ», "ppl"), not another topic's name.
RARE_MIN_LETTERS = 5
# A long situation («tried to allocate 1.50 GiB, карта 12 гигов, resnet50 …») holds some rare word
# outside any one note by chance: rare_outside is scaled down past this many topic words.
RARE_TERMS = 10


class Coverage(NamedTuple):
    """What :meth:`Retriever.coverage` finds of a question in the index and in one note."""

    known: float  # share of the question's topic words any note uses
    in_note: float  # share the note's own text uses
    rare_outside: float  # rarity (0..1) of the rarest word the note does not use but others do


@dataclass(frozen=True)
class Hit:
    """One note found for a query, with the evidence a decision layer needs.

    ``score`` is the fused score used for ranking. ``dense``/``dense_rank`` are the USE channel's
    best-chunk cosine and the note's rank in it, ``e5``/``e5_rank`` the e5 channel's, ``bm25``/
    ``bm25_rank`` BM25's best chunk (0 when absent or no term matched). ``agree`` counts the lists
    that rank this note first; ``named`` is True when the question contains its title or an alias.
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
    e5: float = 0.0
    e5_rank: int = 0
    agree: int = 0
    judged: bool | None = None

    @classmethod
    def of_note(cls, note: Note) -> Hit:
        """A note offered without being found (a refused topic's closest note): no scores."""
        return cls(note.slug, note.kind, note.title, note.title_en, 0.0, 0.0, 0.0)

    @property
    def relevant(self) -> bool:
        """Good enough to answer with, rather than admit not knowing: the fitted answerability model's
        judgement (``judged``) when hybrid search ran it, else the rules of :data:`RELEVANCE`."""
        if self.judged is not None:
            return self.named or self.judged
        return (
            self.named
            or self.dense >= RELEVANCE["dense"]
            or self.e5 >= RELEVANCE["e5"]
            or self.bm25 >= RELEVANCE["bm25"]
            or (self.agree >= 2 and max(self.dense, self.e5 - 0.5) >= RELEVANCE["agreed_dense"])
        )


def answerable(hits: list[Hit]) -> bool:
    """The question is within what the notes cover: one of the top hits is relevant."""
    return any(h.relevant for h in hits[:ANSWERABLE_WITHIN])


def rrf_fuse(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: ``sum(w / (k + rank))`` over the rankings a key appears in (rank from 1)."""
    fused: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[i]
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + w / (k + rank)
    return fused


class QueryEncoder:
    """The index's encoder for questions: normalises a question against the index vocabulary
    (transliteration, typos) before encoding it; passages go through unchanged."""

    def __init__(self, inner: Encoder, normalise: Any):
        self.inner, self._normalise = inner, normalise
        self.name, self.dim = inner.name, inner.dim
        self.parts = getattr(inner, "parts", [inner])

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode([self._normalise(t) for t in texts])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return encode_passages(self.inner, texts)

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """The e5 token states of the questions as :meth:`encode` reads them (normalised)."""
        return self.inner.token_states([self._normalise(t) for t in texts])  # type: ignore[attr-defined]


def note_runs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(first row of each note's run, that note) when ``rows`` (row → note) go note by note, as the
    build writes them; None otherwise."""
    if not len(rows) or not bool(np.all(rows[1:] >= rows[:-1])):
        return None
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return starts, np.asarray(rows[starts])


def max_per_note(
    best: np.ndarray, rows: np.ndarray, runs: tuple[np.ndarray, np.ndarray] | None, scores: np.ndarray
) -> None:
    """``best[note] = max(best[note], scores of its rows)`` in place: one reduceat over the runs when
    there are runs (np.maximum.at goes row by row: 1.6 ms per query at 2,000 notes)."""
    if runs is None:
        np.maximum.at(best, rows, scores)
        return
    starts, notes = runs
    best[notes] = np.maximum(best[notes], np.maximum.reduceat(scores, starts))


class _Channel:
    """One dense channel: vectors (mapped) and the note of each row; HNSW above the threshold."""

    def __init__(self, version_dir: Path, name: str, spec: dict, start: int):
        self.name, self.dim, self.start = name, int(spec["dim"]), start
        self.rows = np.asarray(np.load(version_dir / f"rows-{name}.npy", mmap_mode="r"))
        self.vectors = np.asarray(np.load(version_dir / f"vectors-{name}.npy", mmap_mode="r"))
        self.hnsw: Any = None
        self.runs = note_runs(self.rows)
        if spec.get("index", "flat") != "flat":
            import faiss

            self.hnsw = faiss.read_index(
                str(version_dir / f"faiss-{name}.index"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY
            )
            self.hnsw.hnsw.efSearch = HNSW_EF_SEARCH

    def best_per_note(self, query: np.ndarray, n_notes: int, k_rows: int = 400) -> np.ndarray:
        """Best cosine per note (-1 where no row of the note was scored)."""
        best = np.full(n_notes, -1.0, dtype=np.float32)
        if not len(self.rows):
            return best
        if self.hnsw is None:
            max_per_note(best, self.rows, self.runs, self.vectors @ query)
        else:
            scores, ids = self.hnsw.search(
                query.reshape(1, -1).astype(np.float32), min(k_rows, len(self.rows))
            )
            keep = ids[0] >= 0
            np.maximum.at(best, self.rows[ids[0][keep]], scores[0][keep])
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
        except Exception as exc:
            raise IndexError_(detail=f"{version_dir.name}: {type(exc).__name__}: {str(exc)[:200]}") from None

    def _load(self, version_dir: Path, encoder: Encoder) -> None:
        manifest = read_manifest(version_dir)
        if manifest["encoder"] != encoder.name:
            raise IndexError_(
                detail=f"it was built with encoder {manifest['encoder']!r}, not {encoder.name!r}"
            )
        self.version = manifest["version"]
        self.version_dir = version_dir
        self.slugs: list[str] = json.loads((version_dir / "slugs.json").read_text())
        self.channels: list[_Channel] = []
        start = 0
        for name, spec in manifest["channels"].items():
            self.channels.append(_Channel(version_dir, name, spec, start))
            start += int(spec["dim"])
        self._bm25 = BM25Index(version_dir / BM25_DIR)
        self._chunk_note = (
            self.channels[0].rows if manifest["channels"] and self.channels[0].name == "use" else None
        )
        if self._chunk_note is None:
            with sqlite3.connect(f"file:{version_dir / 'meta.sqlite'}?mode=ro", uri=True) as db:
                index = {s: i for i, s in enumerate(self.slugs)}
                self._chunk_note = np.array(
                    [index[s] for (s,) in db.execute("SELECT slug FROM chunks ORDER BY row")], dtype=np.int32
                )
        # the USE channel's rows are the chunks: their runs were just found
        self._chunk_runs = (
            self.channels[0].runs
            if self._chunk_note is self.channels[0].rows
            else note_runs(self._chunk_note)
        )
        self._slug_index = {s: i for i, s in enumerate(self.slugs)}
        self._rarity_cache: dict[int, float] = {}
        self._names = NameMatcher(version_dir / NAMES_FILE)
        self._uncovered = UncoveredMatcher(version_dir / UNCOVERED_FILE)
        self.encoder = QueryEncoder(getattr(encoder, "inner", encoder), self.normalise)
        self._notes: dict[str, Note] | None = None
        self._kinds: dict[str, str] = (
            json.loads((version_dir / "kinds.json").read_text())
            if (version_dir / "kinds.json").exists()
            else {}
        )
        self.reranker = RerankModel.load()
        self._normalised: dict[str, str] = {}  # the encoder, BM25 and the names all read it once per query
        self._lock = threading.Lock()

    @classmethod
    def load(cls, root: Path, encoder: Encoder | None = None) -> Retriever:
        """Load the version the ``current`` link points at (raises IndexMissingError if none)."""
        version_dir = current_version_dir(root)
        if encoder is None:
            try:
                name = read_manifest(version_dir)["encoder"]
            except ValueError as exc:
                raise IndexError_(detail=f"{version_dir.name}: {exc}") from None
            encoder = get_encoder(name, assets_dir(root))
        return cls(version_dir, encoder)

    @property
    def notes(self) -> dict[str, Note]:
        """Every note of the version by slug (read from the metadata on first use)."""
        if self._notes is None:
            with sqlite3.connect(f"file:{self.version_dir / 'meta.sqlite'}?mode=ro", uri=True) as db:
                rows = [json.loads(d) for (d,) in db.execute("SELECT data FROM notes ORDER BY slug")]
            notes = {}
            for data in rows:
                data["path"] = Path(data["path"])
                notes[data["slug"]] = Note(**data)
            self._notes = notes
        return self._notes

    # ------------------------------------------------------------ single methods

    def normalise(self, query: str) -> str:
        """The question with transliterated Russian in Cyrillic and typos fixed (see :mod:`indexer.lexical`)."""
        cached = self._normalised.get(query)
        if cached is None:
            cached = normalise_query(query, self._bm25.vocabulary)
            if len(self._normalised) > 1024:
                self._normalised.clear()
            self._normalised[query] = cached
        return cached

    def names_in(self, query: str) -> set[str]:
        """Slugs of the notes whose title or alias occurs in ``query`` as whole words."""
        return self._names.slugs_in(query) | self._names.slugs_in(self.normalise(query))

    def dense_scores(self, query: str | np.ndarray, channel: str | None = None) -> dict[str, float]:
        """Best cosine per note in ``channel`` (default: the first), for a query or its vector."""
        vector = self.encoder.encode([query])[0] if isinstance(query, str) else np.asarray(query).ravel()
        return self._dense(vector)[channel or self.channels[0].name]

    def _dense(self, vector: np.ndarray) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for ch in self.channels:
            part = vector[ch.start : ch.start + ch.dim] if len(vector) != ch.dim else vector
            best = ch.best_per_note(np.ascontiguousarray(part, dtype=np.float32), len(self.slugs))
            out[ch.name] = self._top(best, best > -1.0)
        return out

    def _top(self, scores: np.ndarray, valid: np.ndarray) -> dict[str, float]:
        """The :data:`TOP_PER_LIST` best notes of one list (fusion reads no further)."""
        found = np.nonzero(valid)[0]
        if len(found) > TOP_PER_LIST:
            found = found[np.argpartition(-scores[found], TOP_PER_LIST)[:TOP_PER_LIST]]
        return {self.slugs[i]: float(scores[i]) for i in found}

    def bm25_scores(self, query: str) -> dict[str, float]:
        """Best BM25 score per note; empty when no query term occurs in the collection.

        The words that frame a question ("what", "do", «сделать») are scored only when it has no
        others: "what does dropout do" is about dropout, and "what" and "do" in a short chunk of
        another note outscored the dropout note's many "dropout"s (it ranked 11th).
        """
        terms = tokenize(self.normalise(query))
        frame = question_frame_terms()
        scores = self._bm25.scores([t for t in terms if t not in frame] or terms)
        if not scores.any():
            return {}
        best = np.zeros(len(self.slugs), dtype=np.float32)
        assert self._chunk_note is not None
        max_per_note(best, self._chunk_note, self._chunk_runs, np.asarray(scores, dtype=np.float32))
        return self._top(best, best > 0)

    def coverage(self, query: str, slug: str | None) -> Coverage:
        """How much of the question the collection and one note speak of: the share of its (stemmed,
        non-stop) words found anywhere in the index, the share found in ``slug``'s chunks, and how
        rare the rarest of its words outside that note is.

        A look-alike («how do I fine tune my guitar») or an uncovered question shares a name with a
        note but leaves most of its words outside it; (1.0, 1.0, 0.0) when the question has no such
        word. A question about a sibling of the note («spectral clustering» → k-means) names something
        few other notes speak of and this one does not: ``rare_outside`` near 1 (see
        :meth:`_rarity`), scaled by ``RARE_TERMS / n`` for a question of ``n > RARE_TERMS`` topic words.
        """
        terms = sorted(self._topic_terms(query))
        if not terms:
            return Coverage(1.0, 1.0, 0.0)
        known = {t: self._bm25.vocab[t] for t in terms if t in self._bm25.vocab}
        note = self._slug_index.get(slug) if slug is not None else None
        if note is None or not known:
            return Coverage(len(known) / len(terms), 0.0, 0.0)
        in_note = 0
        rare_outside = 0.0
        for term, i in known.items():
            notes = self._notes_using(i)
            if np.any(notes == note):
                in_note += 1
            elif len(term) >= RARE_MIN_LETTERS:
                rare_outside = max(rare_outside, self._rarity(i, notes))
        return Coverage(
            len(known) / len(terms), in_note / len(terms), rare_outside * min(1.0, RARE_TERMS / len(terms))
        )

    def _rarity(self, term: int, notes: np.ndarray) -> float:
        """``log(N / df) / log(N)`` for a word in ``df`` of the ``N`` notes: 1 for a word one note
        uses, 0 for a word every note uses (cached per word: the vocabulary bounds the cache)."""
        rarity = self._rarity_cache.get(term)
        if rarity is None:
            total = max(len(self.slugs), 2)
            df = max(len(np.unique(notes)), 1)
            rarity = self._rarity_cache[term] = math.log(total / df) / math.log(total)
        return rarity

    def _notes_using(self, term: int) -> np.ndarray:
        """The note of every chunk that contains vocabulary term ``term`` (a note once per chunk)."""
        assert self._chunk_note is not None
        bm25 = self._bm25
        return self._chunk_note[bm25.indices[int(bm25.indptr[term]) : int(bm25.indptr[term + 1])]]

    def note_share(self, word: str) -> float:
        """The share of the notes that use ``word`` (the most widespread of its stems; 0 if none)."""
        terms = [self._bm25.vocab[t] for t in tokenize(word) if t in self._bm25.vocab]
        total = max(len(self.slugs), 1)
        return max((len(np.unique(self._notes_using(i))) / total for i in terms), default=0.0)

    def uncovered_topics(self, query: str) -> list[TopicMatch]:
        """The topics without a note the question names, with their closest notes
        (:mod:`indexer.uncovered`): "dbscan", «спектральная кластеризация». The question is read as
        typed and as normalised: the typo fixer may turn an unknown name into a known word."""
        return self._uncovered.topics_in(query, self.normalise(query))

    def unknown_names(self, query: str) -> int:
        """How many Latin words of 4+ letters in the question (after normalisation) no note uses:
        mostly names of methods no note covers ("adafactor", "dreambooth", "controlnet")."""
        return sum(1 for w in self._unknown_words(query) if w.isascii())

    def unknown_terms(self, query: str) -> list[str]:
        """The question's topic stems of :data:`RARE_MIN_LETTERS`+ letters that no note uses, in any
        script («федеративн», «конформн», "adafactor"): a topic the notes do not know."""
        return sorted(w for w in self._unknown_words(query) if len(w) >= RARE_MIN_LETTERS)

    def _unknown_words(self, query: str) -> list[str]:
        """The question's topic stems of 4+ letters, letters only, that no note uses."""
        vocab = self._bm25.vocab
        return [w for w in self._topic_terms(query) if len(w) >= 4 and w.isalpha() and w not in vocab]

    def _topic_terms(self, query: str) -> set[str]:
        """The question's stemmed words (normalised first) without the words that frame a question."""
        frame = question_frame_terms()
        return {t for t in tokenize(self.normalise(query)) if t not in frame}

    # ------------------------------------------------------------ search

    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", vector: np.ndarray | None = None
    ) -> list[Hit]:
        """Top ``k`` notes for ``query``.

        ``mode`` is ``hybrid`` (default: every list fused by RRF, then the top candidates reranked by
        the fitted model), ``rrf`` (the fusion without the reranker), ``dense`` (the dense channels
        fused), ``bm25``, or one channel's name (``use``, ``e5``). A list that scores nothing never
        enters the fusion.
        ``vector`` may pass the query's embedding (``self.encoder.encode([query])[0]``) to avoid
        encoding twice.
        """
        return self.search_modes(query, (mode,), k, vector)[mode]

    def search_modes(
        self, query: str, modes: tuple[str, ...], k: int = 5, vector: np.ndarray | None = None
    ) -> dict[str, list[Hit]]:
        """:meth:`search` in each of ``modes``: ``{mode: top k hits}``, each channel's list scored once
        for all of them (an evaluation compares six modes on every question)."""
        names = [ch.name for ch in self.channels]
        for mode in modes:
            if mode not in (*MODES, "rrf", *names):
                raise ValueError(f"mode must be one of {(*MODES, 'rrf', *names)}, got {mode!r}")
        dense_modes = any(mode != "bm25" for mode in modes)
        if vector is None and dense_modes:
            vector = self.encoder.encode([query])[0]
        dense = (
            self._dense(np.asarray(vector).ravel())
            if vector is not None and dense_modes
            else {n: {} for n in names}
        )
        lexical = any(mode in ("hybrid", "rrf", "bm25") for mode in modes)
        sparse = self.bm25_scores(query) if lexical else {}
        lists = {**dense, "bm25": sparse}
        ranked = {n: sorted(lists[n], key=lambda s, d=lists[n]: (-d[s], s)) for n in lists}  # type: ignore[misc]
        ranks = {n: {s: i for i, s in enumerate(r, 1)} for n, r in ranked.items()}
        named = self.names_in(query)
        return {mode: self._mode_hits(query, mode, k, lists, ranked, ranks, named) for mode in modes}

    def _mode_hits(
        self,
        query: str,
        mode: str,
        k: int,
        lists: dict[str, dict[str, float]],
        ranked: dict[str, list[str]],
        ranks: dict[str, dict[str, int]],
        named: set[str],
    ) -> list[Hit]:
        """One mode's top ``k`` from the channels' scored lists (see :meth:`search`)."""
        names = [ch.name for ch in self.channels]
        if mode == "bm25":  # as a search of BM25 alone, which encodes nothing: no dense scores to show
            lists = {**{n: {} for n in names}, "bm25": lists["bm25"]}
            ranks = {**{n: {} for n in names}, "bm25": ranks["bm25"]}
        used = {"hybrid": [*names, "bm25"], "rrf": [*names, "bm25"], "dense": names, "bm25": ["bm25"]}.get(
            mode, [mode]
        )
        active = [n for n in used if lists[n]]
        if len(active) == 1:
            fused = dict(lists[active[0]])
        else:
            fused = rrf_fuse([ranked[n] for n in active], weights=[WEIGHTS.get(n, 1.0) for n in active])
            if mode in ("hybrid", "rrf"):
                for slug in named:
                    fused[slug] = fused.get(slug, 0.0) + NAMED_BONUS
        judged: dict[str, bool] = {}
        if mode == "hybrid" and self.reranker is not None and self._kinds:
            fused, judged = self._rerank(
                query, {n: lists[n] for n in used}, named, fused, {n: ranks[n] for n in used}
            )
        primary = names[0] if names else "bm25"
        lexical = mode in ("hybrid", "rrf", "bm25")  # the other modes neither use nor show BM25
        sparse = lists["bm25"] if lexical else {}
        order = heapq.nsmallest(
            k, fused, key=lambda s: (-fused[s], -lists[primary].get(s, 0.0), -sparse.get(s, 0.0), s)
        )
        hits = []
        notes = self.notes
        use, e5 = lists.get("use", {}), lists.get("e5", {})
        for slug in order:
            note = notes[slug]
            hits.append(
                Hit(
                    slug=slug,
                    kind=note.kind,
                    title=note.title,
                    title_en=note.title_en,
                    score=round(fused[slug], 6),
                    dense=round(use.get(slug, 0.0), 4),
                    bm25=round(sparse.get(slug, 0.0), 4),
                    dense_rank=ranks.get("use", {}).get(slug, 0),
                    bm25_rank=ranks["bm25"].get(slug, 0) if lexical else 0,
                    named=slug in named,
                    e5=round(e5.get(slug, 0.0), 4),
                    e5_rank=ranks.get("e5", {}).get(slug, 0),
                    agree=sum(ranks[n].get(slug) == 1 for n in used if n in ranks),
                    judged=judged.get(slug) if judged else None,
                )
            )
        return hits

    def _rerank(
        self,
        query: str,
        lists: dict[str, dict[str, float]],
        named: set[str],
        fused: dict[str, float],
        ranks: dict[str, dict[str, int]],
    ) -> tuple[dict[str, float], dict[str, bool]]:
        """Candidates rescored by the fitted model (ahead of every other note), and the answerability
        model's judgement of each; notes outside the candidates keep their fused order behind them."""
        assert self.reranker is not None
        pool = candidates(query, lists, named, self._kinds, fused, ranks)
        if not pool:
            return fused, {}
        features = np.stack([c.features for c in pool])
        scores = self.reranker.rank(features)
        answer = self.reranker.answer
        answerable = answer(answer_matrix(features, [c.agree for c in pool])) >= answer.threshold
        floor = float(scores.min()) - 1.0
        out = {s: floor - 1.0 / (1.0 + v) for s, v in fused.items()}  # behind every candidate, same order
        judged = {}
        for c, z, ok in zip(pool, scores, answerable, strict=True):
            out[c.slug] = float(z)
            judged[c.slug] = bool(ok)
        return out, judged
