"""Scoring what the user sees: expectations, dialogs, per-language rates."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bot.answer.dialogue import DialogueState
from bot.answer.evaluate import evaluate, load_cases, meets
from bot.answer.model import Answer


def _json(status: str, note: str | None = None, depth: str = "short", demo: dict | None = None) -> dict:
    return {"status": status, "note": note, "depth": depth, "demo": demo}


def test_meets_checks_status_note_depth_and_demo() -> None:
    assert meets(_json("answered", "dropout"), {"status": "answered", "note": "dropout"})
    assert meets(
        _json("answered", "overfitting"),
        {"status": "answered", "note": "meme-kaggle-shakeup", "also": ["overfitting"]},
    )
    assert not meets(_json("answered", "bert"), {"status": "answered", "note": "transformer"})
    assert not meets(_json("answered", "dropout"), {"status": "answered", "note": "dropout", "depth": "deep"})
    assert meets(_json("off_topic"), {"status": "unknown"}), (
        "refusing an uncovered question with off-topic is a refusal"
    )
    assert not meets(_json("answered", "bert"), {"status": "unknown"})
    demo = {"id": "dropout", "params": {"p": "0.30"}}
    assert meets(_json("demo", demo=demo), {"status": "demo", "demo": "dropout", "params": {"p": 0.3}})
    assert not meets(_json("demo", demo=demo), {"status": "demo", "demo": "dropout", "params": {"p": 0.2}})
    refused = {"id": "dropout", "params": {}, "error": "p must be …", "error_param": "p"}
    assert meets(_json("demo", demo=refused), {"status": "demo", "demo": "dropout", "error": "p"})
    assert not meets(_json("demo", demo=demo), {"status": "demo", "demo": "dropout", "error": "p"})


def test_dialogs_share_state_and_rates_are_per_language(tmp_path: Path) -> None:
    lines = [
        {"q": "что такое дропаут", "lang": "ru", "expect": {"status": "answered", "note": "dropout"}},
        {"q": "what is a kalman filter", "lang": "en", "expect": {"status": "unknown"}},
        {
            "dialog": [
                {"q": "dropout?", "lang": "en", "expect": {"status": "answered", "note": "dropout"}},
                {
                    "q": "more",
                    "lang": "en",
                    "expect": {"status": "answered", "note": "dropout", "depth": "deep"},
                },
            ]
        },
        {"q": "рецепт борща", "lang": "ru", "slugs": []},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    items = load_cases(path)
    assert [len(i) for i in items] == [1, 1, 2, 1]
    seen_states: list[int] = []

    class Note:
        slug = "dropout"

    def fake(query: str, lang: str, state: DialogueState) -> Answer:
        seen_states.append(id(state))
        if query == "more":
            answer = Answer(query, "en", "answered", depth="deep")
        elif "kalman" in query or "борщ" in query:
            answer = Answer(query, lang, "unknown")  # type: ignore[arg-type]
        else:
            answer = Answer(query, lang, "answered")  # type: ignore[arg-type]
        if answer.status != "unknown":
            answer.note = Note()  # type: ignore[assignment]
        return answer

    result = evaluate(items, fake)
    assert seen_states[2] == seen_states[3] and seen_states[0] != seen_states[1]
    rates = result.rates("all")
    assert (
        rates["shown_right"] == (1.0, 2)
        and rates["unknown_refused"] == (1.0, 2)
        and rates["follow_up_accuracy"] == (1.0, 1)
    )
    assert math.isnan(result.rates("ru")["demo_accuracy"][0])
    assert "shown_right" in result.format()


def test_intent_accuracy_counts_single_questions_whose_expectation_implies_an_intent(tmp_path: Path) -> None:
    """An answerable or uncovered question implies explain_*, a demo request run_demo; a line without an
    expectation (uncovered or look-alike off-topic, any refusal right) and a dialog's later turns imply none."""
    lines = [
        {"q": "что такое дропаут", "lang": "ru", "expect": {"status": "answered", "note": "dropout"}},
        {"q": "what is a kalman filter", "lang": "en", "expect": {"status": "unknown"}},
        {"q": "покажи дропаут", "lang": "ru", "expect": {"status": "demo", "demo": "dropout", "params": {}}},
        {"q": "рецепт борща", "lang": "ru"},  # any refusal is right: no intent implied
        {"dialog": [{"q": "dropout?", "lang": "en", "expect": {"status": "answered", "note": "dropout"}},
                    {"q": "more", "lang": "en", "expect": {"status": "answered", "note": "dropout"}}]},
    ]  # fmt: skip
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    routed = {"что такое дропаут": "explain_concept", "what is a kalman filter": "off_topic",
              "покажи дропаут": "run_demo", "рецепт борща": "off_topic", "dropout?": "explain_concept"}  # fmt: skip

    def fake(query: str, lang: str, state: DialogueState) -> Answer:
        return Answer(query, lang, "unknown", intent=routed.get(query))  # type: ignore[arg-type]

    rates = evaluate(load_cases(path), fake)
    assert rates.rates("all")["intent_accuracy"] == (0.75, 4)  # the kalman filter is not off-topic
    assert rates.rates("ru")["intent_accuracy"] == (1.0, 2)
    assert "intent_accuracy" in rates.format()


def test_demo_requests_are_read_and_dialog_only_ones_skipped(tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    rows = [
        {"q": "покажи дропаут с p=0.3", "lang": "ru", "demo": "dropout", "params": {"p": 0.3}},
        {"q": "k-means на 20 кластеров", "lang": "ru", "demo": "k-means", "error": "k"},
        {
            "q": "а теперь с p=0.1",
            "lang": "ru",
            "demo": "dropout",
            "params": {"p": 0.1},
            "fallback": "dropout",
        },
        {"q": "how do I fine tune my guitar", "lang": "en"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    expects = [item[0].expect for item in load_cases(path)]
    assert expects == [
        {"status": "demo", "demo": "dropout", "params": {"p": 0.3}},
        {"status": "demo", "demo": "k-means", "error": "k"},
        {"status": "unknown", "intents": []},  # any refusal is right; no intent implied
    ]


def test_the_held_out_sets_are_what_the_issue_asks_for() -> None:
    """Each held-out set: ≥ 400 questions, half Russian, ≥ 60 uncovered, ≥ 40 dialogs with follow-ups,
    ≥ 40 demo requests; every expected note, demo and parameter exists and every expected value is in
    range (five lines of the first set named a parameter by an alias or expected an out-of-range value
    to run: they could never pass)."""
    from demos.registry import list_demos
    from indexer.notes import load_notes

    repo = Path(__file__).resolve().parent.parent
    slugs = {n.slug for n in load_notes(repo / "knowledge")}
    demos = {d.id: {p.name: p for p in d.params} for d in list_demos()}
    for name in ("testset.jsonl", "testset2.jsonl"):
        items = load_cases(repo / "indexer" / "data" / name)
        singles = [c[0] for c in items if len(c) == 1]
        dialogs = [c for c in items if len(c) > 1]
        turns = [t for c in items for t in c]
        assert len(items) >= 400 and len(dialogs) >= 40, name
        assert sum(c.expect["status"] == "unknown" for c in singles) >= 60
        assert sum(c.expect["status"] == "demo" for c in singles) >= 40
        assert 0.45 <= sum(t.lang == "ru" for t in turns) / len(turns) <= 0.55
        for turn in turns:
            expect = turn.expect
            assert {expect.get("note"), *expect.get("also", [])} - {None} <= slugs, turn.q
            if expect["status"] == "demo":
                specs = demos[expect["demo"]]
                assert set(expect.get("params", {})) | {expect.get("error")} - {None} <= set(specs), turn.q
                for name, value in expect.get("params", {}).items():  # out of range is an "error" line
                    if specs[name].kind in ("int", "float"):
                        assert specs[name].min <= value <= specs[name].max, turn.q
        named = {c.expect.get("note") for c in singles}
        assert slugs <= named, f"notes without a question: {sorted(slugs - named)[:5]}"
