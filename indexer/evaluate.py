"""Retrieval evaluation: Recall@1, Recall@3 and MRR per language, for dense, BM25 and hybrid search."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import UserError
from indexer.search import Hit, Retriever, answerable
from indexer.text import detect_lang

logger = logging.getLogger(__name__)

DEVSET = Path(__file__).resolve().parent / "data" / "devset.jsonl"
UNKNOWN = Path(__file__).resolve().parent / "data" / "unknown.jsonl"


class EvalDataError(UserError):
    """The evaluation file is malformed."""

    key = "data_file_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


@dataclass(frozen=True)
class EvalItem:
    query: str
    slugs: tuple[str, ...]
    lang: str


@dataclass
class Metrics:
    n: int = 0
    recall_at_1: float = 0.0
    recall_at_3: float = 0.0
    mrr: float = 0.0


@dataclass
class RetrievalEvaluation:
    """Scores for each search mode and language (``ru``, ``en``, ``all``).

    The primary metric is hybrid Recall@1 over all questions.
    """

    table: dict[str, dict[str, Metrics]] = field(default_factory=dict)
    misses: dict[str, list[tuple[str, list[str], str]]] = field(default_factory=dict)
    # Share of dev questions judged answerable (:func:`indexer.search.answerable`), and share of
    # unknown-topic questions refused; None when no unknown-topic file was given.
    answered_known: float | None = None
    refused_unknown: float | None = None
    primary_metric = "hybrid/all/recall_at_1"

    @property
    def primary(self) -> float:
        return self.table["hybrid"]["all"].recall_at_1

    def format(self) -> str:
        langs = [lang for lang in ("ru", "en", "all") if any(lang in t for t in self.table.values())]
        header = f"{'mode':<8}" + "".join(
            f"{lang + ' R@1':>10}{lang + ' R@3':>10}{lang + ' MRR':>10}" for lang in langs
        )
        lines = [header, "-" * len(header)]
        for mode, by_lang in self.table.items():
            row = f"{mode:<8}"
            for lang in langs:
                m = by_lang.get(lang, Metrics())
                row += f"{m.recall_at_1:>10.3f}{m.recall_at_3:>10.3f}{m.mrr:>10.3f}"
            lines.append(row)
        counts = ", ".join(f"{lang}: {self.table[next(iter(self.table))][lang].n}" for lang in langs)
        lines.append(f"questions — {counts}")
        if self.answered_known is not None:
            lines.append(f"answered (judged answerable) on these questions: {self.answered_known:.3f}")
        if self.refused_unknown is not None:
            lines.append(f"refused ('I don't know') on unknown-topic questions: {self.refused_unknown:.3f}")
        return "\n".join(lines)


def load_eval_file(path: Path) -> list[EvalItem]:
    """Read ``{"q": ..., "slugs": [...]}`` lines (``lang`` optional, detected when absent)."""
    items: list[EvalItem] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            query, slugs = row["q"], row["slugs"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EvalDataError(
                f'{path}:{lineno}: expected {{"q": str, "slugs": [str, ...]}} ({exc})'
            ) from None
        if not isinstance(query, str) or not isinstance(slugs, list) or not slugs:
            raise EvalDataError(f"{path}:{lineno}: 'q' must be a string and 'slugs' a non-empty list")
        items.append(EvalItem(query, tuple(slugs), row.get("lang") or detect_lang(query)))
    if not items:
        raise EvalDataError(f"{path}: no questions")
    return items


def load_unknown_file(path: Path) -> list[str]:
    """Questions (``{"q": ...}`` lines) about topics no note covers."""
    queries = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                queries.append(str(json.loads(line)["q"]))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvalDataError(f'{path}:{lineno}: expected {{"q": str}} ({exc})') from None
    return queries


def evaluate_retrieval(
    retriever: Retriever,
    items: list[EvalItem],
    modes: tuple[str, ...] | None = None,
    unknown_queries: list[str] | None = None,
) -> RetrievalEvaluation:
    """Run every question through each mode and aggregate the metrics.

    ``modes`` defaults to hybrid (reranked), rrf (fusion only), each dense channel alone (``use``, ``e5``), the dense channels
    fused, and BM25. With ``unknown_queries``, also measure the "I don't know" decision
    (:attr:`Hit.relevant`).
    """
    if modes is None:
        channels = tuple(ch.name for ch in retriever.channels)
        modes = ("hybrid", "rrf", *channels, *(("dense",) if len(channels) > 1 else ()), "bm25")
    unknown = sorted({s for item in items for s in item.slugs if s not in retriever.notes})
    if unknown:
        raise EvalDataError(f"the eval file names slugs the index does not have: {', '.join(unknown)}")
    vectors = retriever.encoder.encode([item.query for item in items])
    result = RetrievalEvaluation()
    sums: dict[str, dict[str, list[float]]] = {mode: {} for mode in modes}
    misses: dict[str, list[tuple[str, list[str], str]]] = {mode: [] for mode in modes}
    hybrid_hits: list[list[Hit]] = []  # kept for the answerability judgement below
    for item, vector in zip(items, vectors, strict=True):
        for mode, hits in retriever.search_modes(item.query, modes, k=10, vector=vector).items():
            if mode == "hybrid":
                hybrid_hits.append(hits)
            ranked = [h.slug for h in hits]
            rank = next((i + 1 for i, slug in enumerate(ranked) if slug in item.slugs), None)
            values = [float(rank == 1), float(rank is not None and rank <= 3), 1.0 / rank if rank else 0.0]
            for lang in (item.lang, "all"):
                acc = sums[mode].setdefault(lang, [0.0, 0.0, 0.0, 0.0])
                acc[0] += 1
                for i, v in enumerate(values):
                    acc[i + 1] += v
            if rank != 1:
                misses[mode].append((item.query, ranked[:3], item.slugs[0]))
    for mode in modes:
        result.table[mode] = {
            lang: Metrics(int(n), r1 / n, r3 / n, mrr / n) for lang, (n, r1, r3, mrr) in sums[mode].items()
        }
        result.misses[mode] = misses[mode]
    # answerable() reads the first few hits, the same in a search for ten as in one for five (one
    # total order), so the hybrid run above serves here instead of searching every question again.
    top = hybrid_hits or [
        retriever.search(item.query, k=5, vector=vector) for item, vector in zip(items, vectors, strict=True)
    ]
    result.answered_known = sum(answerable(h) for h in top) / len(items)
    if unknown_queries:
        unknown_vectors = retriever.encoder.encode(unknown_queries)
        refused = [
            not answerable(retriever.search(q, k=5, vector=v))
            for q, v in zip(unknown_queries, unknown_vectors, strict=True)
        ]
        result.refused_unknown = sum(refused) / len(refused)
    return result
