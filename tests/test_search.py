"""Hybrid search: quality on the dev set, fusion rules, per-note results, unknown detection."""

from __future__ import annotations

import pytest

from indexer.evaluate import DEVSET, UNKNOWN, evaluate_retrieval, load_eval_file, load_unknown_file
from indexer.search import rrf_fuse


@pytest.fixture(scope="module")
def evaluation(retriever):  # noqa: ANN001, ANN201
    return evaluate_retrieval(retriever, load_eval_file(DEVSET), unknown_queries=load_unknown_file(UNKNOWN))


def test_devset_is_large_and_bilingual() -> None:
    items = load_eval_file(DEVSET)
    langs = [i.lang for i in items]
    assert len(items) >= 100 and langs.count("ru") >= 50 and langs.count("en") >= 50


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_hybrid_recall_at_1_meets_target(evaluation, lang: str) -> None:  # noqa: ANN001
    assert evaluation.table["hybrid"][lang].recall_at_1 >= 0.90


def test_hybrid_beats_both_single_methods(evaluation) -> None:  # noqa: ANN001
    hybrid = evaluation.table["hybrid"]["all"]
    for mode in ("dense", "bm25"):
        assert hybrid.recall_at_1 > evaluation.table[mode]["all"].recall_at_1
        assert hybrid.mrr > evaluation.table[mode]["all"].mrr


def test_unknown_topics_are_mostly_refused_and_known_ones_answered(evaluation) -> None:  # noqa: ANN001
    assert evaluation.refused_unknown >= 0.8
    assert evaluation.answered_known >= 0.8


def test_rrf_fuse_sums_reciprocal_ranks() -> None:
    fused = rrf_fuse([["a", "b"], ["b", "c"]], k=5)
    assert fused == pytest.approx({"a": 1 / 6, "b": 1 / 7 + 1 / 6, "c": 1 / 7})


def test_results_are_per_note_and_sorted(retriever) -> None:  # noqa: ANN001
    hits = retriever.search("dropout дропаут маска", k=10)
    slugs = [h.slug for h in hits]
    assert len(slugs) == len(set(slugs)) == 10
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].slug == "dropout"


def test_all_zero_bm25_list_does_not_enter_the_fusion(retriever) -> None:  # noqa: ANN001
    """No query term occurs in the notes: BM25 says nothing, so hybrid must rank exactly like dense."""
    query = "хрюкотали зелюки"
    assert retriever.bm25_scores(query) == {}
    hybrid = [h.slug for h in retriever.search(query, k=5)]
    dense = [h.slug for h in retriever.search(query, k=5, mode="dense")]
    assert hybrid == dense


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("что такое дропаут", "dropout"),
        ("what is dropout", "dropout"),
        ("в чём прикол кота который пьёт из крана", "meme-finetune-cat"),
        ("why does the pytorch log example print nan", "meme-torch-log-negative"),
        ("сколько картинок в имаджнете", "imagenet"),
    ],
)
def test_typical_questions_find_their_note(retriever, query: str, slug: str) -> None:  # noqa: ANN001
    assert retriever.search(query, k=1)[0].slug == slug
