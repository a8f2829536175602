"""The second stage of search: a linear reranker over the top candidates of every list, and the
"is this answerable at all" decision, both small models fitted on the dev set by
``bench/tune_retrieval.py`` and stored in ``indexer/data/rerank.json``.

Features of a (question, note) pair are the evidence of the first stage: each channel's cosine and
its gap to that channel's best, BM25 (raw and relative to the best), reciprocal ranks, the fused
RRF score, whether the question names the note, and whether the question asks about a meme or
for something to read while the note is one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "data" / "rerank.json"
CANDIDATES_PER_LIST = 10
MEME_RE = re.compile(
    r"мем|прикол|шутк|смешн|угор|ржут|ржач|комикс|картинк|meme|joke|funny|comic|\blol\b|picture", re.I
)
READ_RE = re.compile(
    r"почитать|книг|курс|ресурс|посмотреть|учебник|видео|book|course|read|resource|tutorial|video|where .*learn",
    re.I,
)
FEATURES = (
    "use",
    "e5",
    "bm25_rel",
    "bm25_log",
    "rr_use",
    "rr_e5",
    "rr_bm25",
    "named",
    "rrf",
    "meme_asked_meme",
    "meme",
    "read_asked_resource",
    "resource",
    "use_gap",
    "e5_gap",
    "bias",
)
ANSWER_FEATURES = ("use", "e5", "bm25_log", "named", "agree", "bias")
# where the answerability model's features other than "agree" and "bias" stand in FEATURES
_ANSWER_COLUMNS = [FEATURES.index(f) for f in ANSWER_FEATURES[:4]]


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    """Rank (from 1) of each key by descending score, ties by key."""
    return {s: i for i, s in enumerate(sorted(scores, key=lambda s: (-scores[s], s)), 1)}


@dataclass(frozen=True)
class Candidate:
    slug: str
    features: np.ndarray  # in FEATURES order
    agree: int


def candidates(
    query: str,
    lists: dict[str, dict[str, float]],
    named: set[str],
    kinds: dict[str, str],
    rrf: dict[str, float],
    ranks: dict[str, dict[str, int]] | None = None,
) -> list[Candidate]:
    """The union of each list's top :data:`CANDIDATES_PER_LIST` and the named notes, with features
    (``ranks``: each list's ranks when the caller has them, as :func:`_ranks` gives them)."""
    use, e5, bm25 = lists.get("use", {}), lists.get("e5", {}), lists.get("bm25", {})
    if ranks is None:
        ranks = {n: _ranks(d) for n, d in lists.items()}
    pool = set(named)
    for by_rank in ranks.values():
        pool.update(s for s, r in by_rank.items() if r <= CANDIDATES_PER_LIST)
    bmax = max(bm25.values(), default=0.0)
    umax, emax = max(use.values(), default=0.0), max(e5.values(), default=0.0)
    meme_q, read_q = bool(MEME_RE.search(query)), bool(READ_RE.search(query))
    out = []
    for slug in sorted(pool):
        kind = kinds.get(slug, "")
        rr = {n: 1.0 / ranks.get(n, {}).get(slug, 100) for n in ("use", "e5", "bm25")}
        row = [
            use.get(slug, 0.0),
            e5.get(slug, 0.0),
            bm25.get(slug, 0.0) / (bmax + 1e-9),
            float(np.log1p(bm25.get(slug, 0.0))),
            rr["use"],
            rr["e5"],
            rr["bm25"],
            float(slug in named),
            rrf.get(slug, 0.0),
            float(meme_q and kind == "meme"),
            float(kind == "meme"),
            float(read_q and kind == "resource"),
            float(kind == "resource"),
            use.get(slug, 0.0) - umax,
            e5.get(slug, 0.0) - emax,
            1.0,
        ]
        agree = sum(r.get(slug) == 1 for r in ranks.values())
        out.append(Candidate(slug, np.array(row, dtype=np.float32), agree))
    return out


def answer_features(c: Candidate) -> np.ndarray:
    """The answerability model's input (:data:`ANSWER_FEATURES`) for one candidate."""
    return answer_matrix(c.features[None, :], [c.agree])[0]


def answer_matrix(features: np.ndarray, agree: list[int]) -> np.ndarray:
    """:func:`answer_features` of every candidate, one row each: ``features`` are the candidates' rows
    (:data:`FEATURES`, as the reranker scores them), ``agree`` their channel agreement."""
    extra = np.column_stack([np.asarray(agree, dtype=np.float32), np.ones(len(agree), dtype=np.float32)])
    return np.hstack([features[:, _ANSWER_COLUMNS], extra]).astype(np.float32)


class LinearModel:
    """``w · (x - mean) / scale`` — the stored form of both models."""

    def __init__(self, data: dict):
        self.w = np.array(data["w"], dtype=np.float32)
        self.mean = np.array(data["mean"], dtype=np.float32)
        self.scale = np.array(data["scale"], dtype=np.float32)
        self.threshold = float(data.get("threshold", 0.0))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.w

    def to_json(self) -> dict:
        return {
            "w": self.w.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "threshold": self.threshold,
        }


@dataclass
class RerankModel:
    rank: LinearModel
    answer: LinearModel

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> RerankModel | None:
        """The fitted models, or None when none was fitted (search then ranks by RRF)."""
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if tuple(data.get("features", ())) != FEATURES:
            return None
        return cls(LinearModel(data["rank"]), LinearModel(data["answer"]))


def fit_listwise(
    groups: list[tuple[np.ndarray, np.ndarray]], l2: float = 1e-2, epochs: int = 300, lr: float = 0.5
) -> LinearModel:
    """Softmax over each question's candidates towards its correct notes (full-batch gradient descent)."""
    x = np.vstack([g[0] for g in groups])
    mean, scale = x.mean(0), x.std(0) + 1e-6
    mean[-1], scale[-1] = 0.0, 1.0
    normed = [((g[0] - mean) / scale, g[1]) for g in groups if g[1].any()]
    w = np.zeros(x.shape[1], dtype=np.float32)
    for _ in range(epochs):
        grad = np.zeros_like(w)
        for xs, ys in normed:
            z = xs @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            grad += xs.T @ (p - ys / ys.sum())
        w -= lr * (grad / len(normed) + l2 * w)
    return LinearModel({"w": w, "mean": mean, "scale": scale})


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-2, epochs: int = 500, lr: float = 0.5
) -> LinearModel:
    """Binary logistic regression (full-batch gradient descent); the threshold is set by the caller."""
    mean, scale = x.mean(0), x.std(0) + 1e-6
    mean[-1], scale[-1] = 0.0, 1.0
    xs = (x - mean) / scale
    w = np.zeros(x.shape[1], dtype=np.float32)
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(xs @ w)))
        w -= lr * (xs.T @ (p - y) / len(y) + l2 * w)
    return LinearModel({"w": w, "mean": mean, "scale": scale})
