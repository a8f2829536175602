"""The one final evaluation on the held-out test set (indexer/data/testset.jsonl), aggregate figures
only: never used for tuning, and no item is printed.

A line is ``{"q", "lang", "expect": {"status", "note"?, "also"?, ...}}`` or a dialog (skipped).
Questions with an expected note are retrieval questions (Recall@1/3 and MRR per mode and language,
as `memebot eval` reports them, plus how often the answer pipeline *shows* a right note);
"unknown" ones must be refused; every status implies an intent for the router (STATUS_INTENTS).

    MEMEBOT_HOME=var python bench/eval_testset.py [--router-only] [--set test2]

``--set test2`` scores the second held-out set (indexer/data/testset2.jsonl) instead.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TESTSET = REPO / "indexer" / "data" / "testset.jsonl"
TESTSET2 = REPO / "indexer" / "data" / "testset2.jsonl"


def main() -> None:
    from bot.answer.evaluate import STATUS_INTENTS
    from bot.config import load_settings
    from bot.services import load_services
    from indexer.evaluate import EvalItem, evaluate_retrieval
    from indexer.search import answerable
    from indexer.threads import configure_threads

    configure_threads(1)
    router_only = "--router-only" in sys.argv
    chosen = sys.argv[sys.argv.index("--set") + 1] if "--set" in sys.argv[:-1] else "test"
    path = {"test": TESTSET, "test2": TESTSET2}[chosen]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [r for r in rows if isinstance(r.get("expect"), dict)]
    print(
        f"test set: {len(rows)} lines, {len(questions)} questions (dialogs skipped); outcomes: "
        f"{dict(Counter(r['expect']['status'] for r in questions))}"
    )
    services = load_services(load_settings().home)
    retriever = services.retriever
    with_note = [r for r in questions if r["expect"].get("note")]
    items = [
        EvalItem(r["q"], (r["expect"]["note"], *r["expect"].get("also", ())), r["lang"]) for r in with_note
    ]
    unknown = [r["q"] for r in questions if r["expect"]["status"] == "unknown"]
    if router_only:
        items = []
    result = evaluate_retrieval(retriever, items, unknown_queries=unknown) if items else None
    if result is not None:
        print(
            f"\nretrieval ({len(items)} questions with a note; {len(unknown)} uncovered):\n{result.format()}"
        )
    pipeline = services.pipeline
    shown: dict[str, list[bool]] = {"ru": [], "en": []}
    for item in items:
        answer = pipeline.answer(item.query)
        shown[item.lang].append(answer.note is not None and answer.note.slug in item.slugs)
    print(
        "answer pipeline shows a right note: "
        + ", ".join(f"{lang} {np.mean(v):.3f} (n={len(v)})" for lang, v in shown.items())
    )
    refused = [not answerable(retriever.search(q, k=5)) for q in unknown]
    print(f"uncovered questions refused by search: {np.mean(refused):.3f} (n={len(refused)})")
    if services.router is not None:
        right: dict[str, list[bool]] = {"ru": [], "en": []}
        for r in questions:
            expected = STATUS_INTENTS.get(r["expect"]["status"])
            if expected:
                right[r["lang"]].append(services.router.route(r["q"]).intent in expected)
        print(
            "router intent right: "
            + ", ".join(f"{lang} {np.mean(v):.3f} (n={len(v)})" for lang, v in right.items())
        )
    services.close()


if __name__ == "__main__":
    main()
