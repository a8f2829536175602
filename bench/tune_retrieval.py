"""Fit the second search stage on the dev set and report it by 5-fold cross-validation.

Fits (1) the listwise linear reranker over the first stage's candidates and (2) the answerability
model (dev questions = answerable, ``indexer/data/unknown.jsonl`` = not), writes both to
``indexer/data/rerank.json`` and prints cross-validated Recall@1 per language and the refusal
rates, beside plain RRF. Never reads the test set.

    MEMEBOT_HOME=var python bench/tune_retrieval.py [--index DIR] [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    from bot.config import load_settings
    from indexer.evaluate import DEVSET, UNKNOWN, load_eval_file, load_unknown_file
    from indexer.rerank import FEATURES, MODEL_FILE, answer_features, candidates, fit_listwise, fit_logistic
    from indexer.search import Retriever
    from indexer.threads import configure_threads

    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    configure_threads(1)
    retriever = Retriever.load(args.index or load_settings().index_dir)
    items = load_eval_file(DEVSET)
    unknown = load_unknown_file(UNKNOWN)

    def pools(queries: list[str]) -> list:
        vectors = retriever.encoder.encode(queries)
        out = []
        for query, vector in zip(queries, vectors, strict=True):
            lists = {**retriever._dense(vector), "bm25": retriever.bm25_scores(query)}
            named = retriever.names_in(query)
            rrf = {h.slug: h.score for h in retriever.search(query, k=50, mode="rrf", vector=vector)}
            out.append(candidates(query, lists, named, retriever._kinds, rrf))
        return out

    known_pools, unknown_pools = pools([i.query for i in items]), pools(unknown)
    groups = [
        (np.stack([c.features for c in p]), np.array([c.slug in it.slugs for c in p], np.float32))
        for p, it in zip(known_pools, items, strict=True)
    ]
    rng = np.random.default_rng(0)
    folds = np.array_split(rng.permutation(len(items)), args.folds)
    hits: dict[str, list[bool]] = {"ru": [], "en": [], "rrf_ru": [], "rrf_en": []}
    for f in range(args.folds):
        train = [groups[i] for j in range(args.folds) if j != f for i in folds[j]]
        model = fit_listwise(train)
        for i in folds[f]:
            pool, lang = known_pools[i], items[i].lang
            best = pool[int(np.argmax(model(groups[i][0])))].slug
            hits[lang].append(best in items[i].slugs)
            rrf_best = pool[int(np.argmax(groups[i][0][:, FEATURES.index("rrf")]))].slug
            hits["rrf_" + lang].append(rrf_best in items[i].slugs)
    print(f"dev questions: {len(items)}; {args.folds}-fold cross-validated Recall@1")
    print("| stage | ru R@1 | en R@1 |\n|---|---:|---:|")
    print(f"| RRF (k=5) + name bonus | {np.mean(hits['rrf_ru']):.3f} | {np.mean(hits['rrf_en']):.3f} |")
    print(f"| + linear reranker (CV) | {np.mean(hits['ru']):.3f} | {np.mean(hits['en']):.3f} |")

    rank = fit_listwise(groups)
    tops = []
    for pool, (x, _) in zip(
        [*known_pools, *unknown_pools],
        [*groups, *[(np.stack([c.features for c in p]), None) for p in unknown_pools]],
        strict=True,
    ):
        tops.append(answer_features(pool[int(np.argmax(rank(x)))]))
    x = np.stack(tops)
    y = np.array([1.0] * len(known_pools) + [0.0] * len(unknown_pools), dtype=np.float32)
    # Unknown questions are few; weight them up by duplication so both sides count alike.
    reps = max(1, len(known_pools) // max(1, len(unknown_pools)))
    xw = np.vstack([x[: len(known_pools)], *[x[len(known_pools) :]] * reps])
    yw = np.concatenate([y[: len(known_pools)], *[y[len(known_pools) :]] * reps])
    answer = fit_logistic(xw, yw)
    z = answer(x)
    # Threshold: refuse at least 85% of the unknown questions while answering as many known ones as possible.
    candidates_t = np.sort(z[len(known_pools) :])
    threshold = float(candidates_t[int(np.ceil(0.85 * len(candidates_t))) - 1]) + 1e-4
    answer.threshold = threshold
    print(
        f"answerability (fitted on all of dev + unknown): answered {np.mean(z[: len(known_pools)] >= threshold):.3f} of dev, "
        f"refused {np.mean(z[len(known_pools) :] < threshold):.3f} of unknown"
    )
    if not args.no_write:
        data = {
            "features": list(FEATURES),
            "rank": rank.to_json(),
            "answer": answer.to_json(),
            "fitted_on": {
                "devset_sha256": hashlib.sha256(DEVSET.read_bytes()).hexdigest(),
                "questions": len(items),
                "unknown": len(unknown),
            },
        }
        MODEL_FILE.write_text(json.dumps(data, indent=1))
        print(f"wrote {MODEL_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
