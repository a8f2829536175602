"""Cold start: a fresh process answering one question, against a fresh `python -c "import numpy"`.

Measures (median of N runs, and peak RSS from the kernel's accounting of each child):
- ``import numpy`` alone — the floor any numpy program pays;
- the retrieve + route path (load index and router, encode once, search, route) in a fresh process;
- ``memebot ask --json`` end to end (the CLI's own imports included).

    MEMEBOT_HOME=var python bench/bench_cold.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RETRIEVE_AND_ROUTE = """
import sys
from pathlib import Path
from indexer.threads import configure_threads
configure_threads()
from indexer.search import Retriever
from router.infer import load_router
home = Path(sys.argv[1])
retriever = Retriever.load(home / "index")
router = load_router(home / "router", retriever.encoder)
q = "что такое дропаут"
vector = retriever.encoder.encode([q])[0]
hits = retriever.search(q, k=5, vector=vector)
route = router.route(q, vector=vector)
print(hits[0].slug, route.intent)
"""


def run(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    from bot.config import load_settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    home = load_settings().home
    memebot = str(Path(sys.executable).with_name("memebot"))
    cases = {
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "retrieve + route (fresh process)": [sys.executable, "-c", RETRIEVE_AND_ROUTE, str(home)],
        "memebot ask --json": [memebot, "ask", "--json", "что такое дропаут"],
    }
    for argv in cases.values():  # page cache warm: the first start from disk is not what we measure
        run(argv)
    results = {}
    for name, argv in cases.items():
        samples = [run(argv) for _ in range(args.runs)]
        results[name] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples))
    floor = results["python -c 'import numpy'"][0]
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.runs} runs each\n")
    print("| process | wall p50 s | × import numpy | peak RSS MiB |\n|---|---:|---:|---:|")
    for name, (wall, rss) in results.items():
        print(f"| {name} | {wall:.2f} | {wall / floor:.1f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
