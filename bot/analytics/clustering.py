"""Questions grouped by meaning: average-linkage clustering on a blend of two similarities.

- dense: cosine of the project's sentence encoder (``indexer.encoders``) on each question's core
  phrase (:func:`bot.analytics.phrases.core_phrase`: "what is a kalman filter" → "kalman filter");
- lexical: TF-IDF cosine of character 3–5-grams of the transliterated core phrase, so «фильтр
  калмана» and "kalman filter" share "kalman", and rare terms (dbscan, onnx) weigh a lot.

The blend is ``DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical``; clusters are cut where the
average similarity between two groups falls below ``1 - THRESHOLD``. Both numbers were chosen on a
labelled set of 60 questions in 12 topics (tests/data/wanted_questions.jsonl, bench/RESULTS.md).

Example::

    clusterer = QuestionClusterer(get_encoder("use", assets_dir))
    clusterer.labels(["что такое фильтр калмана", "what is a kalman filter", "what is onnx"])  # [0, 0, 1]
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.analytics.phrases import core_phrase, latin
from indexer.encoders import Encoder

# The encoder the thresholds were chosen with (USE: quick, and its cosines are what THRESHOLD assumes).
CLUSTER_ENCODER = "use"


def clustering_encoder(encoder: Encoder) -> Encoder:
    """The :data:`CLUSTER_ENCODER` part of a serving encoder (``use+e5`` → its ``use``), else ``encoder``."""
    inner = getattr(encoder, "inner", encoder)
    for part in getattr(inner, "parts", [inner]):
        if part.name == CLUSTER_ENCODER:
            return part
    return encoder


DENSE_WEIGHT = 0.5
THRESHOLD = 0.70  # average-linkage distance: groups join while their mean similarity is >= 0.30
NGRAMS = (3, 4, 5)
# Words that say nothing about the topic (after transliteration).
STOPWORDS = frozenset(
    "a an the and or of for to in on with how what why is are do does model models "
    "i v na po s o ob dlya kak chto eto ili ne ot iz pro model modeli".split()
)
WORD_RE = re.compile(r"\w+")


def _ngrams(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in WORD_RE.findall(latin(text)):
        if word in STOPWORDS:
            continue
        padded = f" {word} "
        for n in NGRAMS:
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                counts[gram] = counts.get(gram, 0) + 1
    return counts


def lexical_similarity(phrases: Sequence[str]) -> np.ndarray:
    """Cosine similarity of TF-IDF weighted character n-grams (a dense ``n × n`` matrix)."""
    grams = [_ngrams(p) for p in phrases]
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for r, counts in enumerate(grams):
        for gram, count in counts.items():
            rows.append(r)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
            values.append(float(count))
    n = len(phrases)
    if not vocabulary:
        return np.zeros((n, n), dtype=np.float32)
    from scipy.sparse import csr_matrix  # here: importing scipy took ~1 s of every bot start

    matrix = csr_matrix((values, (rows, cols)), shape=(n, len(vocabulary)))
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    matrix = matrix.multiply(np.log((1 + n) / (1 + df)) + 1.0).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = csr_matrix(matrix.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]))
    return np.asarray((matrix @ matrix.T).todense(), dtype=np.float32)


def blend(dense: np.ndarray, lexical: np.ndarray, weight: float = DENSE_WEIGHT) -> np.ndarray:
    return weight * dense + (1.0 - weight) * lexical


def cluster_labels(similarity: np.ndarray, threshold: float = THRESHOLD) -> list[int]:
    """Average-linkage clusters of a similarity matrix; labels 0, 1, … in order of first appearance."""
    n = similarity.shape[0]
    if n == 0:
        return []
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - similarity.astype(np.float64), 0.0, 2.0)
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    raw = fcluster(
        linkage(squareform(distance, checks=False), method="average"), threshold, criterion="distance"
    )
    order: dict[int, int] = {}
    return [order.setdefault(int(label), len(order)) for label in raw]


@dataclass(frozen=True)
class PairScores:
    """Pairwise agreement with true topics: of the pairs put together, how many share a topic
    (precision: different topics stay apart); of the pairs sharing a topic, how many are together
    (recall: paraphrases land together)."""

    precision: float
    recall: float
    clusters: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def pair_scores(labels: Sequence[int], truth: Sequence[str]) -> PairScores:
    predicted, actual = np.asarray(labels), np.asarray(truth)
    upper = np.triu_indices(len(labels), 1)
    together = (predicted[:, None] == predicted[None, :])[upper]
    same = (actual[:, None] == actual[None, :])[upper]
    both = float((together & same).sum())
    return PairScores(
        both / max(float(together.sum()), 1.0), both / max(float(same.sum()), 1.0), len(set(labels))
    )


class QuestionClusterer:
    """Clusters questions with ``encoder``; remembers the vectors of phrases it has seen."""

    def __init__(
        self,
        encoder: Encoder,
        threshold: float = THRESHOLD,
        weight: float = DENSE_WEIGHT,
        cache_size: int = 20_000,
    ):
        self.encoder = encoder
        self.threshold = threshold
        self.weight = weight
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def vectors(self, phrases: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = sorted({p for p in phrases if p not in self._cache})
            if missing:
                if len(self._cache) + len(missing) > self._cache_size:
                    self._cache.clear()
                for phrase, vector in zip(missing, self.encoder.encode(missing), strict=True):
                    self._cache[phrase] = np.asarray(vector, dtype=np.float32)
            if not phrases:
                return np.zeros((0, self.encoder.dim), dtype=np.float32)
            return np.vstack([self._cache[p] for p in phrases])

    def similarity(self, questions: Sequence[str]) -> np.ndarray:
        phrases = [core_phrase(q) or q for q in questions]
        dense = self.vectors(phrases)
        return blend(dense @ dense.T, lexical_similarity(phrases), self.weight)

    def labels(self, questions: Sequence[str]) -> list[int]:
        """A cluster number per question (same number: same topic)."""
        if not questions:
            return []
        return cluster_labels(self.similarity(questions), self.threshold)
