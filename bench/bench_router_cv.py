"""Router designs compared by stratified k-fold cross-validation on the whole training data
(router/data/intents.yaml), not one split: e5's fine-tuned top layers with the frozen [USE | e5] vectors
in its head, its probabilities blended half and half with logistic regression on the same vectors
(the shipped design, ``TrainConfig.logreg_share``), the same without the vectors, and logistic
regression on frozen vectors (USE, e5, both). Training data only; the test set is never read.
``--seeds 0 1 2`` fine-tunes each fold once per seed: how much a retrain moves the result.

    MEMEBOT_HOME=var python bench/bench_router_cv.py [--folds 5] [--epochs 3] [--seeds 0] [--no-ablation] [--no-finetune]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def folds_of(examples: list, k: int, seed: int = 0) -> list[list[int]]:
    """Stratified by (intent, language): each group dealt round-robin after a seeded shuffle."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault((ex.intent, ex.lang), []).append(i)
    folds: list[list[int]] = [[] for _ in range(k)]
    for key in sorted(groups):
        idx = groups[key]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[j % k].append(i)
    return folds


def main() -> None:
    import torch

    from bot.config import load_settings
    from indexer.encoders import DEFAULT_ENCODER, get_encoder
    from indexer.threads import configure_threads
    from router.data import INTENTS, load_examples
    from router.metrics import classification_report
    from router.training.baselines import LogRegBaseline
    from router.training.features import Featurizer
    from router.training.train import TrainConfig, fit_classifier, predict_proba

    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=TrainConfig().epochs)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="Fine-tuning seeds per fold.")
    parser.add_argument(
        "--no-ablation", action="store_true", help="Skip the transformer without the vectors."
    )
    parser.add_argument("--no-finetune", action="store_true", help="Only the logistic regressions (fast).")
    args = parser.parse_args()
    configure_threads(1)
    torch.set_num_threads(2)
    encoder = get_encoder(DEFAULT_ENCODER, load_settings().index_dir / "assets")
    featurizer = Featurizer(encoder)
    examples = load_examples()
    texts = [e.text for e in examples]
    vectors = featurizer.vectors(texts).numpy()
    use_part, e5_part = vectors[:, :512], vectors[:, 512:]
    folds = folds_of(examples, args.folds)
    designs: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}

    def record(name: str, idx: list[int], predicted: list[str]) -> None:
        full = designs.setdefault(name, [""] * len(examples))
        for i, p in zip(idx, predicted, strict=True):
            full[i] = p

    for f, test_idx in enumerate(folds):
        train_idx = [i for j, fold in enumerate(folds) if j != f for i in fold]
        train = [examples[i] for i in train_idx]
        labels = [e.intent for e in train]
        fitted = {}
        for name, matrix in (
            ("logreg on USE", use_part),
            ("logreg on e5", e5_part),
            ("logreg on USE+e5", vectors),
        ):
            fitted[name] = LogRegBaseline(INTENTS).fit(matrix[train_idx], labels)
            record(name, test_idx, fitted[name].predict(matrix[test_idx]))
        if args.no_finetune:
            continue
        logreg_probs = fitted["logreg on USE+e5"].model.predict_proba(vectors[test_idx])
        share = TrainConfig().logreg_share
        test_texts = [texts[i] for i in test_idx]
        for seed in args.seeds:
            tag = f", seed {seed}" if len(args.seeds) > 1 else ""
            for name, with_vectors in (
                ("fine-tuned e5 top+USE+e5", True),
                *(() if args.no_ablation else (("fine-tuned e5 top alone", False),)),
            ):
                started = time.perf_counter()
                config = TrainConfig(seed=seed, epochs=args.epochs, use_sentence_vectors=with_vectors)
                model = fit_classifier(train, featurizer, config, progress=False)
                probs = predict_proba(model, featurizer, test_texts, featurizer.vectors(test_texts))
                record(name + tag, test_idx, [INTENTS[i] for i in probs.argmax(1)])
                seconds[name + tag] = seconds.get(name + tag, 0.0) + time.perf_counter() - started
                if with_vectors:
                    blended = (1 - share) * probs + share * logreg_probs
                    record(
                        f"{name}, blended {1 - share:g}/{share:g} with logreg (shipped){tag}",
                        test_idx,
                        [INTENTS[i] for i in blended.argmax(1)],
                    )
        print(f"fold {f + 1}/{args.folds} done", flush=True)

    gold = [e.intent for e in examples]
    print(f"\n{len(examples)} examples, {args.folds}-fold stratified cross-validation\n")
    print("| design | accuracy | macro-F1 | ru acc | en acc | explain_concept recall | train s/fold |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, predicted in designs.items():
        report = classification_report(name, gold, predicted)
        by_lang = {
            lang: np.mean(
                [p == g for p, g, e in zip(predicted, gold, examples, strict=True) if e.lang == lang]
            )
            for lang in ("ru", "en")
        }
        per_fold = f"{seconds[name] / args.folds:.0f}" if name in seconds else "—"
        print(
            f"| {name} | {report.accuracy:.3f} | {report.macro_f1:.3f} | {by_lang['ru']:.3f} | {by_lang['en']:.3f} | "
            f"{report.per_intent['explain_concept']['recall']:.3f} | {per_fold} |"
        )


if __name__ == "__main__":
    main()
