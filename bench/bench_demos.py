"""Wall time and peak extra memory of every demo at default parameters, run through the worker.

For each demo: a fresh DemoRunner (one worker, prestarted, torch preloaded — as the bot runs it),
then one first run right after the worker is warm, then N timed runs (different seeds, alternating
ru/en, so no caching can help). Reported per demo:

* first run, s — wall time of the first demo a freshly started (and warmed) worker serves;
* cold start → first result, s — from constructing the runner to the first result (worker spawn,
  imports, warm-up, the first run);
* wall p50 / p95 / max — seconds from ``runner.run(...)`` call to return in the caller (pickling the
  PNGs back included); p95 is numpy's linear-interpolation percentile over the N runs;
* in-worker p50 — the part spent inside the worker running the demo;
* CPU p50 / p95 — CPU seconds the worker process used for the run (``time.process_time``; torch runs
  one thread): what a run costs when it has a core to itself, i.e. the idle-machine estimate when
  other jobs share the machine and inflate the wall times;
* peak extra RSS — max over all runs of (worker VmHWM during the run − worker RSS before the first
  run); VmHWM is reset before each run via ``/proc/self/clear_refs``, and every demo gets a fresh
  worker so its figure is not hidden by memory an earlier demo left in the allocator.

Budget: p95 ≤ 3 s and peak extra ≤ 300 MB per demo (on an otherwise idle 2-core machine).

    python bench/bench_demos.py [--runs 7] [--demos dropout adversarial]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demos import DemoRunner, list_demos

BUDGET_S, BUDGET_MB = 3.0, 300.0


def machine_info() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return [
        f"- nproc: {os.cpu_count()}, CPU: {cpu}",
        f"- python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}",
        "- worker: 1 process per runner, torch.set_num_threads(1), memory limit 1500 MB",
    ]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def bench_one(demo_id: str, runs: int) -> dict:
    t0 = time.perf_counter()
    with DemoRunner(timeout_s=120, memory_mb=1500) as runner:
        runner.wait_ready()
        ready = time.perf_counter() - t0
        t = time.perf_counter()
        first = runner.run(demo_id, {}, seed=1000, lang="ru")
        first_wall = time.perf_counter() - t
        cold = time.perf_counter() - t0
        st = first.worker_stats
        base = st["rss_before_mb"]
        extra = (
            st["peak_extra_mb"] if st.get("peak_extra_mb") is not None else st["sampled_peak_rss_mb"] - base
        )
        walls, inner, cpu = [], [], []
        for seed in range(runs):
            t = time.perf_counter()
            res = runner.run(demo_id, {}, seed=seed, lang="ru" if seed % 2 == 0 else "en")
            walls.append(time.perf_counter() - t)
            inner.append(res.worker_stats["elapsed_s"])
            cpu.append(res.worker_stats["cpu_s"])
            extra = max(extra, res.worker_stats["peak_rss_mb"] - base)
    return {
        "id": demo_id,
        "ready": ready,
        "first": first_wall,
        "cold": cold,
        "walls": walls,
        "inner": inner,
        "cpu": cpu,
        "first_cpu": st["cpu_s"],
        "base": base,
        "extra": extra,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--demos", nargs="*", default=None, help="demo ids (default: all)")
    args = ap.parse_args()

    ids = args.demos or [d.id for d in list_demos()]
    load_start = _load()
    rows = []
    for demo_id in ids:
        rows.append(bench_one(demo_id, args.runs))
        print(f"  {demo_id}: done (load {_load()})", file=sys.stderr)
    load_end = _load()

    print("Machine:")
    for line in machine_info():
        print(line)
    print(f"- load average (1/5/15 min) at start: {load_start}; at the end: {load_end}")
    print(
        f"- worker warm-up (spawn + imports + warm-up): median {np.median([r['ready'] for r in rows]):.1f} s"
    )
    print(f"- per demo: a fresh worker, one first run, then {args.runs} timed runs at default parameters\n")
    print(
        "| demo | first run, s (CPU) | cold start → first result, s | wall p50, s | wall p95, s | max, s "
        "| in-worker p50, s | CPU p50, s | CPU p95, s | worker RSS idle, MB | peak extra RSS, MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        w = np.array(r["walls"])
        print(
            f"| {r['id']} | {r['first']:.2f} ({r['first_cpu']:.2f}) | {r['cold']:.1f} | {np.percentile(w, 50):.2f} | "
            f"{np.percentile(w, 95):.2f} | {w.max():.2f} | {np.percentile(r['inner'], 50):.2f} | "
            f"{np.percentile(r['cpu'], 50):.2f} | {np.percentile(r['cpu'], 95):.2f} | {r['base']:.0f} | {r['extra']:.0f} |"
        )
    all_walls = np.concatenate([r["walls"] for r in rows])
    all_cpu = np.concatenate([r["cpu"] for r in rows])
    over = [r["id"] for r in rows if np.percentile(r["walls"], 95) > BUDGET_S or r["extra"] > BUDGET_MB]
    over_cpu = [r["id"] for r in rows if np.percentile(r["cpu"], 95) > BUDGET_S]
    print(
        f"\nAll demos together: wall p50 {np.percentile(all_walls, 50):.2f} s, p95 {np.percentile(all_walls, 95):.2f} s, "
        f"max {all_walls.max():.2f} s; CPU p95 {np.percentile(all_cpu, 95):.2f} s, max {all_cpu.max():.2f} s; "
        f"first runs max {max(r['first'] for r in rows):.2f} s; peak extra RSS max {max(r['extra'] for r in rows):.0f} MB."
    )
    print(f"Over the wall budget (p95 > {BUDGET_S:g} s or > {BUDGET_MB:g} MB): {', '.join(over) or 'none'}.")
    print(f"Over the budget in CPU time (p95 > {BUDGET_S:g} s): {', '.join(over_cpu) or 'none'}.")


if __name__ == "__main__":
    main()
