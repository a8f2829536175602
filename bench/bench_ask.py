"""Latency of the answer pipeline and the index build, on this machine.

Measures, over the dev-set questions (both languages):
- warm `ask` end to end (route + retrieve + answer) with and without the router,
- router inference alone, the query encoder alone, hybrid search alone,
- cold start of `memebot ask` (a fresh process, 3 runs),
- a full index build (fresh directory) and a no-op incremental build.

    MEMEBOT_HOME=var python bench/bench_ask.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"{np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f}"


def timed(fn, items) -> list[float]:  # noqa: ANN001
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    import transformers

    transformers.logging.set_verbosity_error()
    from bot.answer import AnswerPipeline
    from bot.config import load_settings
    from bot.services import load_services
    from demos.registry import list_demos
    from indexer.build import build_index
    from indexer.evaluate import DEVSET, load_eval_file

    questions = [i.query for i in load_eval_file(DEVSET)]
    services = load_services(load_settings().home)
    assert services.router is not None, "train the router first (memebot router train)"
    with_router = services.pipeline
    without_router = AnswerPipeline(services.retriever, router=None, demos=list_demos())
    for q in questions[:20]:  # warm up
        with_router.answer(q)
    encoder = services.retriever.encoder
    vectors = dict(zip(questions, encoder.encode(questions), strict=True))
    rows = [
        ("query encoding (USE)", timed(lambda q: encoder.encode([q]), questions)),
        ("hybrid search (encoding included)", timed(lambda q: services.retriever.search(q, 5), questions)),
        (
            "router inference (MiniLM int8 + USE head, vector given)",
            timed(lambda q: services.router.route(q, vector=vectors[q]), questions),
        ),
        ("ask, warm, without router", timed(without_router.answer, questions)),
        ("ask, warm, with router", timed(with_router.answer, questions)),
    ]
    print(f"questions: {len(questions)} (ru + en dev set)\n")
    print("| step | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for name, samples in rows:
        print(f"| {name} | {percentiles(samples)} |")

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cold = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from bot.cli import main; main()", "ask", "--json", "что такое дропаут"],
            env=env,
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - t)
    print(
        f"\ncold start of `memebot ask --json` (fresh process, router included): median {statistics.median(cold):.2f} s over 3 runs"
    )

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "index"
        demos = {d.id for d in list_demos()}
        t = time.perf_counter()
        full = build_index(
            load_settings().knowledge_dir, root, encoder=encoder, known_demos=demos, progress=False
        )
        full_s = time.perf_counter() - t
        t = time.perf_counter()
        noop = build_index(
            load_settings().knowledge_dir, root, encoder=encoder, known_demos=demos, progress=False
        )
        noop_s = time.perf_counter() - t
    print(
        f"full index build: {full_s:.2f} s ({full.notes} notes, {full.chunks} chunks); "
        f"no-op incremental build: {noop_s:.3f} s (version {noop.version})"
    )
    services.close()


if __name__ == "__main__":
    main()
