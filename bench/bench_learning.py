"""The learning loop: clustering quality on the labelled set, clustering time on a realistic pool, and
what recording an answer costs the answer path (with the database up and down).

Quality: tests/data/wanted_questions.jsonl (60 questions, 12 topics the notes don't cover, ru + en).
Pairwise precision (pairs put together that share a topic: different topics stay apart), pairwise
recall (pairs sharing a topic that are together: paraphrases land together), clusters found, and
how many topics have their Russian and English "what is X" together. Each similarity is shown at
the threshold that suits it best on the whole set (in-sample), and the shipped one in a two-fold
cross-validation over topics (threshold chosen on six topics, scored on the other six).

Time: the dev set, the unknown-topic set and the labelled set together (≈ 940 questions) through
encoding, similarity and linkage.

Recording: :meth:`LearningLoop.record` (hash the user and chat, queue the record) timed per call
while the writer thread stores into SQLite, and again with a database that refuses every write.

    python bench/bench_learning.py
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.analytics.clustering import (
    DENSE_WEIGHT,
    THRESHOLD,
    QuestionClusterer,
    blend,
    cluster_labels,
    lexical_similarity,
    pair_scores,
)
from bot.analytics.identity import UserHasher
from bot.analytics.loop import LearningLoop
from bot.analytics.outcomes import new_token
from bot.analytics.phrases import core_phrase
from bot.storage import open_database
from indexer.encoders import get_encoder
from indexer.evaluate import DEVSET, UNKNOWN

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "wanted_questions.jsonl"
THRESHOLDS = np.round(np.arange(0.40, 0.951, 0.025), 3)


def load() -> tuple[list[str], list[str], list[str]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["q"] for r in rows], [r["topic"] for r in rows], [r["lang"] for r in rows]


def cross_lingual(labels: list[int], topics: list[str], langs: list[str]) -> int:
    first: dict[tuple[str, str], int] = {}
    for label, topic, lang in zip(labels, topics, langs, strict=True):
        first.setdefault((topic, lang), label)
    return sum(first[(t, "ru")] == first[(t, "en")] for t in set(topics))


def best(similarity: np.ndarray, topics: list[str], keep: Callable[[int], bool] = lambda i: True) -> float:
    idx = [i for i in range(len(topics)) if keep(i)]
    sub = similarity[np.ix_(idx, idx)]
    truth = [topics[i] for i in idx]
    return float(max(THRESHOLDS, key=lambda t: (pair_scores(cluster_labels(sub, t), truth).f1, -t)))


def row(name: str, similarity: np.ndarray, threshold: float, topics: list[str], langs: list[str]) -> str:
    labels = cluster_labels(similarity, threshold)
    s = pair_scores(labels, topics)
    return f"| {name} | {threshold:.3f} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.clusters} | {cross_lingual(labels, topics, langs)}/12 |"


def main() -> None:
    encoder = get_encoder("use")
    questions, topics, langs = load()
    phrases = [core_phrase(q) or q for q in questions]
    raw = encoder.encode(questions)
    core = encoder.encode(phrases)
    lexical = lexical_similarity(phrases)
    similarities = {
        "dense, whole question (USE)": raw @ raw.T,
        "dense, core phrase": core @ core.T,
        "lexical, transliterated n-grams": lexical,
        f"blend {DENSE_WEIGHT:.1f} dense + {1 - DENSE_WEIGHT:.1f} lexical (shipped)": blend(
            core @ core.T, lexical
        ),
    }
    print(
        "| similarity | threshold | pair precision | pair recall | F1 | clusters | ru+en 'what is X' together |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, similarity in similarities.items():
        print(row(name + " — best in-sample", similarity, best(similarity, topics), topics, langs))
    shipped = similarities[next(k for k in similarities if "shipped" in k)]
    print(row("shipped, shipped threshold", shipped, THRESHOLD, topics, langs))

    ordered = sorted(set(topics))
    folds = [set(ordered[0::2]), set(ordered[1::2])]
    print("\nTwo-fold cross-validation over topics (threshold chosen on one half, scored on the other):")
    for k, held in enumerate(folds):

        def tuning(i: int, h: set[str] = held) -> bool:
            return topics[i] not in h

        chosen = best(shipped, topics, keep=tuning)
        idx = [i for i in range(len(topics)) if topics[i] in held]
        s = pair_scores(cluster_labels(shipped[np.ix_(idx, idx)], chosen), [topics[i] for i in idx])
        print(
            f"  fold {k + 1}: threshold {chosen:.3f} → precision {s.precision:.3f}, recall {s.recall:.3f}, F1 {s.f1:.3f}"
        )

    pool = [
        json.loads(line)["q"]
        for path in (DEVSET, UNKNOWN)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    pool += questions
    clusterer = QuestionClusterer(encoder)
    started = time.perf_counter()
    clusterer.vectors([core_phrase(q) or q for q in pool])
    encoded = time.perf_counter() - started
    started = time.perf_counter()
    labels = clusterer.labels(pool)
    clustered = time.perf_counter() - started
    print(
        f"\nTime on {len(pool)} questions: encoding {encoded:.2f} s (once; cached afterwards), "
        f"similarity + linkage {clustered:.2f} s → {len(set(labels))} clusters"
    )


def recording(n: int = 2000) -> None:
    """Per-call cost of recording an answer, database up and down."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.sqlite3")
        for state in ("up", "down"):
            loop = LearningLoop(db, UserHasher(b"k" * 32), Path(tmp) / "r.jsonl", 90, encoder=lambda: None)  # type: ignore[arg-type, return-value]
            if state == "down":
                loop.recorder._write = _refuse
                loop.recorder._retry_delays = (0.05,)
            costs = []
            for i in range(n):
                started = time.perf_counter()
                loop.record(
                    new_token(),
                    1000 + i % 50,
                    1000 + i % 50,
                    "ru",
                    "unknown",
                    f"question {i}",
                    latency_ms=3.0,
                )
                costs.append((time.perf_counter() - started) * 1e6)
                time.sleep(0.0005)  # answers arrive spread out, not in one burst
            started = time.perf_counter()
            loop.recorder.flush(60)
            drained = time.perf_counter() - started
            p50, p99 = np.percentile(costs, [50, 99])
            print(
                f"database {state}: record() p50 {p50:.0f} µs, p99 {p99:.0f} µs over {n} answers; "
                f"written {loop.recorder.written}, dropped {loop.recorder.dropped}; queue drained {drained:.2f} s after the last"
            )
            loop.close()
        db.dispose()


def _refuse(batch: object) -> None:
    raise ConnectionError("database is down")


if __name__ == "__main__":
    main()
    recording()
