"""Clustering quality on a fixed labelled set: 60 questions, 12 topics the notes don't cover, Russian
and English (tests/data/wanted_questions.jsonl). Paraphrases — across languages too — land together;
different topics stay apart. The figures are recorded in bench/RESULTS.md (bench/bench_clustering.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from bot.analytics.clustering import QuestionClusterer, cluster_labels, lexical_similarity, pair_scores

DATA = Path(__file__).resolve().parent / "data" / "wanted_questions.jsonl"


def labelled() -> tuple[list[str], list[str], list[str]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["q"] for r in rows], [r["topic"] for r in rows], [r["lang"] for r in rows]


@pytest.fixture(scope="module")
def clustered(use_encoder) -> tuple[list[str], list[str], list[str], list[int]]:
    questions, topics, langs = labelled()
    return questions, topics, langs, QuestionClusterer(use_encoder).labels(questions)


def test_the_labelled_set_is_sixty_questions_in_twelve_topics_in_both_languages() -> None:
    questions, topics, langs = labelled()
    assert len(questions) == 60 == len(set(questions)) and len(set(topics)) == 12
    per_topic = defaultdict(set)
    for topic, lang in zip(topics, langs, strict=True):
        per_topic[topic].add(lang)
    assert all(seen == {"ru", "en"} for seen in per_topic.values())


def test_different_topics_stay_apart(clustered) -> None:
    questions, topics, _, labels = clustered
    scores = pair_scores(labels, topics)
    assert scores.precision >= 0.95, scores
    mixed = {
        label
        for label in set(labels)
        if len({t for t, lab in zip(topics, labels, strict=True) if lab == label}) > 1
    }
    assert len(mixed) <= 1, [[q for q, lab in zip(questions, labels, strict=True) if lab == m] for m in mixed]


def test_paraphrases_land_together(clustered) -> None:
    _, topics, langs, labels = clustered
    scores = pair_scores(labels, topics)
    assert scores.recall >= 0.55, scores
    assert scores.clusters <= 24, scores  # 12 topics: at most about two pieces each
    # The plain "what is X" in Russian and in English are one cluster for nearly every topic.
    first = {}
    for topic, lang, label in zip(topics, langs, labels, strict=True):
        first.setdefault((topic, lang), label)
    together = sum(first[(topic, "ru")] == first[(topic, "en")] for topic in set(topics))
    assert together >= 11, together


def test_the_biggest_cluster_of_each_topic_holds_most_of_its_questions(clustered) -> None:
    _, topics, _, labels = clustered
    shares = []
    for topic in set(topics):
        members = [lab for t, lab in zip(topics, labels, strict=True) if t == topic]
        shares.append(max(members.count(lab) for lab in members) / len(members))
    assert np.mean(shares) >= 0.75, sorted(shares)


def test_lexical_similarity_matches_transliterated_terms() -> None:
    similarity = lexical_similarity(["фильтр калмана", "kalman filter", "onnx", ""])
    assert similarity[0, 1] > 0.2 and similarity[0, 2] == 0.0 and similarity[3, 3] == 0.0


def test_labels_of_small_inputs() -> None:
    assert cluster_labels(np.zeros((0, 0))) == [] and cluster_labels(np.ones((1, 1))) == [0]
    assert cluster_labels(np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.1], [0.0, 0.1, 1.0]])) == [0, 0, 1]


def test_vectors_are_cached_per_phrase(counting_encoder) -> None:
    clusterer = QuestionClusterer(counting_encoder)
    clusterer.labels(["что такое фильтр калмана", "what is onnx"])
    clusterer.labels(["Что такое фильтр калмана?", "what is onnx", "what is dbscan"])
    assert counting_encoder.embedded == 3
