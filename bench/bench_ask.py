"""Warm latency of the answer path, idle and under load, and the thread settings behind it.

Over the dev-set questions (both languages), warm, in this process:
- each step alone: USE and e5 query encoding, search (vector given), router (vector given);
- the whole answer (encode once, search, route, compose) — idle, then with another CPU-bound
  process running on the 2 cores ("under load");
- the same steps under load with 2 threads instead of 1 (BLAS for USE, onnxruntime for e5 and
  the router), which is how the 1-thread setting of indexer.threads was chosen.

    MEMEBOT_HOME=var python bench/bench_ask.py [--questions 300]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HOG = "import time\nt = time.time()\nwhile time.time() - t < 600:\n    pass\n"


def percentiles(fn: Callable[[str], object], items: list[str]) -> tuple[float, float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    ms = np.array(out) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


@contextlib.contextmanager
def cpu_hog() -> Iterator[None]:
    """Another CPU-bound process for the duration (a busy loop, ended by its pid)."""
    proc = subprocess.Popen([sys.executable, "-c", HOG])
    time.sleep(0.5)
    try:
        yield
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    from threadpoolctl import threadpool_limits

    from bot.config import load_settings
    from bot.services import load_services
    from indexer.build import assets_dir
    from indexer.e5 import E5Model
    from indexer.evaluate import DEVSET, load_eval_file
    from indexer.threads import configure_threads
    from router.infer import IntentRouter

    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    configure_threads(1)
    home = load_settings().home
    items = load_eval_file(DEVSET)
    questions = [i.query for i in items][:: max(1, len(items) // args.questions)][: args.questions]
    services = load_services(home)
    assert services.router is not None, "train the router first (memebot router train)"
    pipeline, retriever, router = services.pipeline, services.retriever, services.router
    encoder = retriever.encoder
    use, e5 = encoder.inner.part("use"), encoder.inner.part("e5")  # type: ignore[attr-defined]
    for q in questions[:30]:
        pipeline.answer(q)
    vectors = dict(zip(questions, encoder.encode(questions), strict=True))
    steps: dict[str, Callable[[str], object]] = {
        "query encoding, USE (1 BLAS thread)": lambda q: use.encode([q]),
        "query encoding, e5 (onnxruntime int8, 1 thread)": lambda q: e5.encode([q]),
        "search (vector given, reranked)": lambda q: retriever.search(q, 5, vector=vectors[q]),
        "router (e5 top layers int8 + head, vector given)": lambda q: router.route(q, vector=vectors[q]),
        "whole answer, warm (encode once + search + route + compose)": pipeline.answer,
    }
    print(f"questions: {len(questions)} (dev set, ru + en); load average now {os.getloadavg()[0]:.2f}\n")
    print(
        "| step | idle p50 ms | idle p95 ms | under load p50 ms | under load p95 ms |\n|---|---:|---:|---:|---:|"
    )
    idle = {name: percentiles(fn, questions) for name, fn in steps.items()}
    with cpu_hog():
        loaded = {name: percentiles(fn, questions) for name, fn in steps.items()}
    for name in steps:
        print(
            f"| {name} | {idle[name][0]:.1f} | {idle[name][1]:.1f} | {loaded[name][0]:.1f} | {loaded[name][1]:.1f} |"
        )

    assert services.index_root is not None
    e5_two = E5Model(assets_dir(services.index_root) / "e5", threads=2)
    router_two = IntentRouter(home / "router", retriever.encoder, threads=2)
    variants: dict[str, tuple[Callable[[str], object], Callable[[str], object]]] = {
        "USE encoding, BLAS threads": (
            lambda q: use.encode([q]),
            lambda q: _with_blas(threadpool_limits, 2, use.encode, q),
        ),
        "e5 encoding, onnxruntime threads": (
            lambda q: e5.encode([q]),
            lambda q: e5_two.encode([q], query=True),
        ),
        "router, onnxruntime threads": (
            lambda q: router.route(q, vector=vectors[q]),
            lambda q: router_two.route(q, vector=vectors[q]),
        ),
    }
    print("\nUnder load (another CPU-bound process), 1 thread vs 2:\n")
    print("| step | 1 thread p50 | 1 thread p95 | 2 threads p50 | 2 threads p95 |\n|---|---:|---:|---:|---:|")
    with cpu_hog():
        for name, (one, two) in variants.items():
            a, b = percentiles(one, questions), percentiles(two, questions)
            print(f"| {name} | {a[0]:.1f} | {a[1]:.1f} | {b[0]:.1f} | {b[1]:.1f} |")
    services.close()


def _with_blas(limits: Callable, n: int, fn: Callable[[list[str]], object], q: str) -> object:
    with limits(n, user_api="blas"):
        return fn([q])


if __name__ == "__main__":
    main()
