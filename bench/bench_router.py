"""Router design comparison on the same held-out split: the shipped model (e5's top layers fine-tuned
with the USE and e5 vectors in its head) against the same without the vectors, logistic regression on
the frozen vectors and keyword rules; plus training time.

    MEMEBOT_HOME=var python bench/bench_router.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    from bot.config import load_settings
    from indexer.threads import configure_threads
    from router.infer import load_router
    from router.metrics import ClassificationReport, format_side_by_side
    from router.training.train import TrainConfig, train_router

    configure_threads(1)
    settings = load_settings()
    shipped = load_router(settings.router_dir)
    meta = shipped.meta

    def report(data: dict) -> ClassificationReport:
        return ClassificationReport(
            data["name"],
            data["per_intent"],
            data["macro_f1"],
            data["accuracy"],
            data["confusion"],
            tuple(data["labels"]),
        )

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        ablation = train_router(
            TrainConfig(use_sentence_vectors=False),
            out_dir=Path(tmp),
            progress=False,
            assets=settings.index_dir / "assets",
        )
        ablation_s = time.perf_counter() - started
    reports = [report(meta["metrics"]), ablation.report, *(report(b) for b in meta["baselines"])]
    print(
        f"held-out questions: {meta['examples']['test']} (train {meta['examples']['train']}), seed {meta['config']['seed']}\n"
    )
    print(format_side_by_side(reports))
    print(
        f"\ntraining time: shipped model {meta['train_seconds']:.0f} s (recorded when trained), without the vectors {ablation_s:.0f} s (now)"
    )


if __name__ == "__main__":
    main()
