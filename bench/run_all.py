"""Run every benchmark in one go, one after another (they would fight over 2 cores otherwise).

MEMEBOT_HOME=var python bench/run_all.py   # or: make bench
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_ask.py",
    "bench_router.py",
    "bench_params.py",
    "bench_cold.py",
    "bench_demos.py",
    "bench_images.py",
    "bench_meme_pictures.py",
    "bench_bot.py",
    "bench_queue.py",
    "bench_faiss.py",
    "bench_learning.py",
]


def main() -> int:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    print(f"machine: {platform.machine()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    failed = 0
    for script in SCRIPTS:
        print(f"\n## {script}\n", flush=True)
        failed += subprocess.run([sys.executable, str(BENCH / script)], check=False).returncode != 0
    print("\n## tune_retrieval.py (report only)\n", flush=True)
    failed += (
        subprocess.run(
            [sys.executable, str(BENCH / "tune_retrieval.py"), "--no-write"], check=False
        ).returncode
        != 0
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
