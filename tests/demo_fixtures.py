"""Deliberately slow, failing, spawning and memory-hungry demos for testing ``demos.worker.DemoRunner``,
and the runner shared by the demo test modules.

Loaded with ``DemoRunner(extra_modules=["tests.demo_fixtures"])``; the module is imported both
in the test process (for parameter validation) and in the worker.  Importing it is cheap.
"""

from __future__ import annotations

import atexit
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demos.base import Demo, DemoOutput, DemoResult, Param, RunContext

CHUNK_MB = 64
_LOCK = threading.Lock()
_RUNNER: Any = None
_CACHE: dict[tuple, DemoResult] = {}


def shared_runner() -> Any:
    """One warm runner (torch preloaded, 1500 MB limit) for every demo test module of the session."""
    global _RUNNER
    with _LOCK:
        if _RUNNER is None:
            from demos import DemoRunner

            _RUNNER = DemoRunner(timeout_s=120, memory_mb=1500, extra_modules=["tests.demo_fixtures"])
            atexit.register(_RUNNER.close)
        return _RUNNER


# A folder the test session's processes share (set by tests/conftest.py): a run one xdist worker made
# is read by the others. test_demos.py and test_demo_claims.py ask for the same default runs and
# usually land on different workers; each run is 1–10 s of CPU.
SHARED_RUNS_ENV = "MEMEBOT_TEST_DEMO_RUNS"


def cached_run(demo_id: str, lang: str = "ru", seed: int = 0, **params: Any) -> DemoResult:
    """A real run through the shared worker, cached for the session (demos are deterministic)."""
    key = (demo_id, lang, seed, tuple(sorted(params.items())))
    if key not in _CACHE:
        _CACHE[key] = _shared_run(key, lambda: shared_runner().run(demo_id, params, seed=seed, lang=lang))
    return _CACHE[key]


def _shared_run(key: tuple, run: Callable[[], DemoResult]) -> DemoResult:
    """``run()``'s result, made once per test session across processes when the shared folder is set."""
    import hashlib
    import pickle

    from common.files import atomic_write, file_lock

    folder = os.environ.get(SHARED_RUNS_ENV)
    if not folder or not Path(folder).is_dir():
        return run()
    path = Path(folder) / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:32]}.pickle"
    with file_lock(path.with_suffix(".lock")):  # a second process asking for the same run waits for it
        if path.exists():
            return pickle.loads(path.read_bytes())
        result = run()
        atomic_write(path, pickle.dumps(result))
        return result


def same(a: Any, b: Any, rel: float = 1e-4, abs_: float = 1e-6) -> bool:
    """Deep equality of plain results: floats within tolerance, NaN equal to NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rel, abs_) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y, rel, abs_) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, int | float) or not isinstance(b, int | float):
            return False
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        if math.isinf(fa) or math.isinf(fb):
            return fa == fb
        return abs(fa - fb) <= abs_ + rel * max(abs(fa), abs(fb))
    return bool(a == b)


def spawn_pid_file(worker_pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"memebot-test-spawn-{worker_pid}.pid"


def _echo(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    return DemoOutput(
        text=ctx.t(f"эхо x={params['x']}", f"echo x={params['x']}"),
        code="pass",
        metrics={"x": params["x"], "pid": os.getpid()},
    )


def _slow(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    """Burn CPU in pure Python (does not yield, does not sleep) until time is up."""
    deadline = time.monotonic() + float(params["seconds"])
    n = 0
    while time.monotonic() < deadline:
        n += 1
    return DemoOutput(text=f"spun {n} times", code="while True: pass", metrics={"n": n})


def _spawn(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    """Start a child process (a grandchild of the runner), note its pid, then hang until killed."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    spawn_pid_file(os.getpid()).write_text(str(child.pid))
    time.sleep(float(params["seconds"]))
    return DemoOutput(text="spawned", code="", metrics={"child": child.pid})


def _raise(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    raise ValueError("boom from test-raise")


def _exit(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    os._exit(int(params["code"]))


def _memory(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    """Allocate and touch private memory in 64 MB chunks until ``mb`` MB (or the limit) is reached."""
    chunks: list[Any] = []
    n_chunks = int(params["mb"]) // CHUNK_MB
    if params["lib"] == "torch":
        import torch

        for _ in range(n_chunks):
            chunks.append(torch.ones(CHUNK_MB * 1024 * 1024 // 4))
    else:
        import numpy as np

        for _ in range(n_chunks):
            chunks.append(np.ones(CHUNK_MB * 1024 * 1024 // 8))
    return DemoOutput(text=f"allocated {len(chunks) * CHUNK_MB} MB", code="", metrics={"chunks": len(chunks)})


def _shared_memory(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    """Touch shared anonymous memory: RLIMIT_DATA does not count it, only the RSS watchdog sees it."""
    import mmap

    import numpy as np

    maps = []
    for _ in range(int(params["mb"]) // CHUNK_MB):
        m = mmap.mmap(-1, CHUNK_MB * 1024 * 1024)  # MAP_SHARED | MAP_ANONYMOUS
        np.frombuffer(m, dtype=np.uint8)[:] = 1  # touch every page without a private copy
        maps.append(m)
        time.sleep(0.01)
    return DemoOutput(text=f"mapped {len(maps) * CHUNK_MB} MB", code="", metrics={"maps": len(maps)})


DEMOS = [
    Demo(
        "test-echo",
        "тест: эхо",
        "test: echo",
        "none",
        (Param("x", "float", 1.0, 0.0, 10.0, aliases=("икс",)),),
        _echo,
        uses_torch=False,
    ),
    Demo(
        "test-slow",
        "тест: медленное",
        "test: slow",
        "none",
        (Param("seconds", "float", 60.0, 0.0, 600.0),),
        _slow,
        uses_torch=False,
    ),
    Demo(
        "test-spawn",
        "тест: запускает процесс",
        "test: spawns a process",
        "none",
        (Param("seconds", "float", 60.0, 0.0, 600.0),),
        _spawn,
        uses_torch=False,
    ),
    Demo("test-raise", "тест: исключение", "test: raises", "none", (), _raise, uses_torch=False),
    Demo(
        "test-exit",
        "тест: процесс умирает",
        "test: process dies",
        "none",
        (Param("code", "int", 3, 0, 255),),
        _exit,
        uses_torch=False,
    ),
    Demo(
        "test-memory",
        "тест: жадный до памяти",
        "test: memory hog",
        "none",
        (
            Param("mb", "int", 100_000, 64, 1_000_000),
            Param("lib", "choice", "numpy", choices=("numpy", "torch")),
        ),
        _memory,
        uses_torch=False,
    ),
    Demo(
        "test-shm",
        "тест: разделяемая память",
        "test: shared memory hog",
        "none",
        (Param("mb", "int", 100_000, 64, 1_000_000),),
        _shared_memory,
        uses_torch=False,
    ),
]
