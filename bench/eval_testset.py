"""The one final evaluation on the held-out test set (indexer/data/testset.jsonl), aggregate figures
only: never used for tuning, and no item is printed.

Lines with ``q`` and ``slugs`` are retrieval questions (Recall@1/3 and MRR per mode and language,
as `memebot eval` reports them, plus how often the answer pipeline *shows* a right note); lines
with ``q`` and ``intent`` are router questions (accuracy per language). Other lines (dialogs) are
counted and skipped.

    MEMEBOT_HOME=var python bench/eval_testset.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TESTSET = REPO / "indexer" / "data" / "testset.jsonl"


def main() -> None:
    from bot.config import load_settings
    from bot.services import load_services
    from common.i18n import detect_lang
    from indexer.evaluate import UNKNOWN, evaluate_retrieval, load_eval_file, load_unknown_file
    from indexer.threads import configure_threads

    configure_threads(1)
    rows = [json.loads(line) for line in TESTSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    shapes = Counter(",".join(sorted(r)) for r in rows)
    print(f"test set: {len(rows)} lines; field sets: {dict(shapes)}")
    retrieval = [r for r in rows if isinstance(r.get("q"), str) and r.get("slugs")]
    intents = [r for r in rows if isinstance(r.get("q"), str) and r.get("intent")]
    services = load_services(load_settings().home)
    if retrieval:
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
            fh.write(
                "\n".join(
                    json.dumps({"q": r["q"], "slugs": r["slugs"], "lang": r.get("lang")}, ensure_ascii=False)
                    for r in retrieval
                )
            )
        items = load_eval_file(Path(fh.name))
        result = evaluate_retrieval(services.retriever, items, unknown_queries=load_unknown_file(UNKNOWN))
        print(f"\nretrieval ({len(items)} questions):\n{result.format()}")
        pipeline = services.pipeline
        shown: dict[str, list[bool]] = {"ru": [], "en": []}
        for item in items:
            answer = pipeline.answer(item.query)
            shown[item.lang].append(answer.note is not None and answer.note.slug in item.slugs)
        print(
            "answer pipeline shows a right note: "
            + ", ".join(f"{lang} {np.mean(v):.3f} (n={len(v)})" for lang, v in shown.items() if v)
        )
    if intents and services.router is not None:
        right: dict[str, list[bool]] = {"ru": [], "en": []}
        for r in intents:
            lang = r.get("lang") or detect_lang(r["q"])
            right[lang].append(services.router.route(r["q"]).intent == r["intent"])
        print(
            "router accuracy: "
            + ", ".join(f"{lang} {np.mean(v):.3f} (n={len(v)})" for lang, v in right.items() if v)
        )
    services.close()


if __name__ == "__main__":
    main()
