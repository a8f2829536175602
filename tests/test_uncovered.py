"""The glossary of topics without a note: build, match, and what the knowledge base ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.uncovered import (
    GLOSSARY_FILE,
    UncoveredMatcher,
    UncoveredTopic,
    build_uncovered,
    glossary_problems,
    load_glossary,
)

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

TOPICS = [
    UncoveredTopic("DBSCAN", ("dbscan", "дбскан"), near="k-means"),
    UncoveredTopic(
        "Spectral clustering", ("spectral clustering", "спектральная кластеризация"), near="k-means"
    ),
    UncoveredTopic("Mean shift", ("mean shift",), near="gone-note"),
    UncoveredTopic("Dropout", ("dropout",)),  # a note names it: left out
]
NOTE_NAMES = {
    "k-means": ("Кластеризация k-means", "k-means clustering", "kmeans"),
    "dropout": ("Дропаут", "Dropout"),
}


@pytest.fixture()
def matcher(tmp_path: Path) -> UncoveredMatcher:
    out = tmp_path / "uncovered.json"
    build_uncovered(TOPICS, NOTE_NAMES, out)
    return UncoveredMatcher(out)


def test_the_build_leaves_out_a_topic_a_note_names_and_a_near_note_that_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "uncovered.json"
    assert build_uncovered(TOPICS, NOTE_NAMES, out) == ["Dropout"]
    table = json.loads(out.read_text(encoding="utf-8"))
    assert {entry["topic"] for entry in table.values()} == {"DBSCAN", "Spectral clustering", "Mean shift"}
    assert {entry["near"] for entry in table.values() if entry["topic"] == "Mean shift"} == {None}


def test_a_name_is_found_in_any_case_and_inflection_and_only_whole(matcher: UncoveredMatcher) -> None:
    def found(text: str) -> list[tuple[str, str | None]]:
        return [(m.topic, m.near) for m in matcher.topics_in(text)]

    assert found("how does DBSCAN find clusters") == [("DBSCAN", "k-means")]
    assert found("что умеет спектральной кластеризацией делать") == [("Spectral clustering", "k-means")]
    assert found("что такое дропаут") == []
    assert found("distribution shift and the mean of a feature") == []  # both words, not the name
    assert found("mean shift or dbscan?") == [("Mean shift", None), ("DBSCAN", "k-means")]


def test_a_topic_is_shown_in_russian_by_a_russian_name_of_several_words(matcher: UncoveredMatcher) -> None:
    """A one-word name is shown as is ("DBSCAN", not the transliteration «дбскан»)."""
    spectral, dbscan = matcher.topics_in("spectral clustering vs dbscan")
    assert (spectral.name("ru"), spectral.name("en")) == ("спектральная кластеризация", "Spectral clustering")
    assert dbscan.name("ru") == dbscan.name("en") == "DBSCAN"


def test_no_file_means_no_topics(tmp_path: Path) -> None:
    assert UncoveredMatcher(tmp_path / "absent.json").topics_in("dbscan") == []
    assert load_glossary(tmp_path) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [("- topic: DBSCAN\n", "entry 1 needs a topic"), ("topic: [", "not valid YAML"), ("a: 1\n", "a list")],
)
def test_a_malformed_glossary_is_refused_naming_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / GLOSSARY_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        load_glossary(tmp_path)


def test_notes_check_reports_a_topic_a_note_names_now_and_a_closest_note_that_is_gone(tmp_path: Path) -> None:
    (tmp_path / GLOSSARY_FILE).write_text(
        "- topic: Mean shift\n  names: [mean shift]\n  near: k-means\n"
        "- topic: DBSCAN\n  names: [dbscan, дбскан]\n  near: gone-note\n",
        encoding="utf-8",
    )
    notes = {"k-means": ("Кластеризация k-means",), "dbscan": ("DBSCAN", "Кластеризация DBSCAN")}
    problems = [(p.line, p.message) for p in glossary_problems(tmp_path, notes)]
    assert problems == [
        (4, "topic 'DBSCAN': note dbscan is named 'dbscan'; take the topic off the list"),
        (4, "topic 'DBSCAN': near 'gone-note' is no note's slug"),
    ]
    (tmp_path / GLOSSARY_FILE).write_text("- topic: [", encoding="utf-8")
    assert "not valid YAML" in glossary_problems(tmp_path, notes)[0].message


def test_the_shipped_glossary_names_no_topic_a_note_covers(retriever) -> None:
    """Every topic in knowledge/uncovered.yaml still lacks a note, and its closest note exists: a note
    written for a topic must take it off the list (the build would drop it silently)."""
    topics = load_glossary(KNOWLEDGE)
    assert len(topics) >= 200
    notes = retriever.notes
    names = {n.slug: n.names for n in notes.values()}
    assert build_uncovered(topics, names, Path("/dev/null")) == []
    assert glossary_problems(KNOWLEDGE, names) == []


def test_a_question_about_a_topic_without_a_note_names_it(retriever) -> None:
    assert [(m.topic, m.near) for m in retriever.uncovered_topics("how does dbscan find clusters")] == [
        ("DBSCAN", "k-means")
    ]
    assert retriever.uncovered_topics("как выбрать число кластеров в k-means") == []
