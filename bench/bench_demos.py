"""Wall time and memory of every demo at default parameters, run through a warm DemoRunner.

For each demo: a fresh worker, one first run (reported separately), then N timed runs (different seeds, so
no caching can help).  Reported per demo:

* wall p50 / p95 — seconds from ``runner.run(...)`` call to return, in the caller (includes
  pickling the PNGs back over the pipe); p95 is numpy's linear-interpolation percentile.
* in-worker p50 — the part spent inside the worker running the demo.
* peak extra RSS — max over runs of (worker VmHWM during the run − worker RSS before the first run);
  VmHWM is reset before each run via ``/proc/self/clear_refs``; every demo gets a fresh worker
  so its figure is not hidden by memory an earlier demo left in the allocator.

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

from demos import DemoRunner, list_demos  # noqa: E402


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

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return [
        f"- nproc: {os.cpu_count()}, CPU: {cpu}",
        f"- python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}",
        f"- worker: 1 process, torch.set_num_threads(1); load average at start: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--demos", nargs="*", default=None, help="demo ids (default: all)")
    args = ap.parse_args()

    ids = args.demos or [d.id for d in list_demos()]
    rows = []
    startups = []
    for demo_id in ids:
        # a fresh worker per demo, so the memory figure is this demo's alone
        t0 = time.perf_counter()
        with DemoRunner(timeout_s=120, memory_mb=1500) as runner:
            runner.wait_ready()
            startups.append(time.perf_counter() - t0)
            t = time.perf_counter()
            first = runner.run(demo_id, {}, seed=1000, lang="ru")
            first_wall = time.perf_counter() - t
            st = first.worker_stats
            base = st["rss_before_mb"]
            extra = (
                st["peak_extra_mb"]
                if st.get("peak_extra_mb") is not None
                else st["sampled_peak_rss_mb"] - base
            )
            walls, inner = [], []
            for seed in range(args.runs):
                t = time.perf_counter()
                res = runner.run(demo_id, {}, seed=seed, lang="ru" if seed % 2 == 0 else "en")
                walls.append(time.perf_counter() - t)
                inner.append(res.worker_stats["elapsed_s"])
                extra = max(extra, res.worker_stats["peak_rss_mb"] - base)
            rows.append((demo_id, first_wall, walls, inner, base, extra))
        print(f"  {demo_id}: done", file=sys.stderr)

    print("Machine:")
    for line in machine_info():
        print(line)
    print(
        f"- worker start-up (spawn + import torch/matplotlib + warm-up): median {np.median(startups):.1f} s"
    )
    print(
        f"- per demo: a fresh worker, one first run, then {args.runs} timed warm runs at default parameters"
    )
    print(
        "- peak extra RSS: worker peak RSS (VmHWM) during any of the runs minus its RSS before the first run\n"
    )
    print(
        "| demo | wall p50, s | wall p95, s | max, s | in-worker p50, s | first run, s | worker RSS idle, MB | peak extra RSS, MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for demo_id, first_wall, walls, inner, base, extra in rows:
        w = np.array(walls)
        print(
            f"| {demo_id} | {np.percentile(w, 50):.2f} | {np.percentile(w, 95):.2f} | {w.max():.2f} | "
            f"{np.percentile(inner, 50):.2f} | {first_wall:.2f} | {base:.0f} | {extra:.0f} |"
        )


if __name__ == "__main__":
    main()
