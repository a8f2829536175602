"""The demo worker process: warm up once, then run demos sent over a socket.

Started by :class:`demos.worker.DemoRunner` as ``python -m demos._worker_child FD`` in a new
session (so it leads its own process group, and the parent can kill it together with anything a
demo spawned). Everything here runs in the child; it sets process-wide state (signals, rlimits,
thread counts) only because it is the entry point of its own process.
"""

from __future__ import annotations

import gc
import os
import resource
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from demos.errors import DemoError, UnknownDemoError
from demos.procinfo import MB, is_out_of_memory, proc_status, reset_peak_rss, rss_mb


@dataclass(frozen=True)
class WorkerConfig:
    extra_modules: tuple[str, ...]
    memory_mb: int | None
    torch_threads: int
    preload: bool


def _watch_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the child
    """Exit when the parent disappears (e.g. it was SIGKILLed and could not clean up)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os.killpg(os.getpgrp(), signal.SIGKILL)  # the worker and whatever a demo left running


def _warm_torch() -> None:  # pragma: no cover - runs in the child
    """Touch the lazily initialised parts of torch the demos use (autograd, optimizers, layers)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))
    for opt in (torch.optim.Adam(model.parameters(), lr=1e-3), torch.optim.SGD(model.parameters(), 0.1, 0.9)):
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 2)
        opt.zero_grad()
        F.cross_entropy(model(torch.randn(3, 4)), torch.tensor([0, 1, 0])).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    model.eval()(torch.randn(2, 4)).log_softmax(1).topk(1)
    F.conv2d(torch.randn(1, 1, 4, 4), torch.ones(1, 1, 3, 3))
    nn.Dropout2d(0.5).train()(torch.ones(1, 2, 2, 2))
    torch.multinomial(torch.softmax(torch.randn(5), 0), 3, replacement=True)
    torch.log(torch.tensor([-1.0 + 0j]))
    torch.linalg.eigvalsh(torch.eye(2))


def _warm_numpy() -> None:  # pragma: no cover - runs in the child
    import numpy as np
    from numpy.polynomial import legendre

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3))
    np.linalg.lstsq(x, x[:, 0], rcond=None)
    np.linalg.eigvalsh(x.T @ x)
    legendre.legvander(x[:, 0], 3)


def apply_memory_limit(memory_mb: int | None) -> None:
    if not memory_mb:
        return
    limit = int(memory_mb) * MB
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard if hard != resource.RLIM_INFINITY else limit))


def child_main(fd: int) -> None:  # pragma: no cover - runs in the child
    """Entry point of a worker process (see ``demos/_worker_child.py``)."""
    conn = Connection(fd)
    cfg: WorkerConfig = conn.recv()
    worker_main(conn, cfg, os.getppid())


def _start(conn: Any, cfg: WorkerConfig, parent_pid: int) -> dict[str, Any] | None:  # pragma: no cover
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent; it stops us
    warnings.filterwarnings("ignore")  # keep the caller's stderr clean (the CLI prints there)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    try:
        apply_memory_limit(cfg.memory_mb)
        from demos.registry import load_catalog

        catalog = load_catalog(cfg.extra_modules)
        if cfg.preload:
            import torch

            torch.set_num_threads(cfg.torch_threads)
            from demos import plotting
            from demos.data import load_digits

            plotting.warm_up()
            load_digits()
            _warm_torch()
            _warm_numpy()
        gc.collect()
        gc.freeze()  # the imported world is permanent: later collections only scan what demos create
    except BaseException as exc:
        try:
            conn.send(("startup_error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
        return None
    conn.send(("ready", {"pid": os.getpid(), "rss_mb": rss_mb(), "python": sys.version.split()[0]}))
    return catalog


def _run_one(catalog: dict[str, Any], msg: tuple[Any, ...], runs: int) -> tuple[Any, ...]:  # pragma: no cover
    _, demo_id, params, seed, lang = msg
    peak_reset = reset_peak_rss()
    before = proc_status()
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        demo = catalog.get(demo_id)
        if demo is None:
            raise UnknownDemoError(demo_id, list(catalog))
        result = demo.run(params, seed=seed, lang=lang)
        after = proc_status()
        rss0 = before.get("VmRSS", 0) / 1024.0
        hwm = after.get("VmHWM", 0) / 1024.0
        result.worker_stats = {
            "elapsed_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() - c0,  # CPU time of the worker: what the run costs on an idle core
            "rss_before_mb": rss0,
            "rss_after_mb": after.get("VmRSS", 0) / 1024.0,
            "peak_rss_mb": hwm,
            "peak_extra_mb": max(0.0, hwm - rss0) if peak_reset else None,
            "worker_pid": os.getpid(),
            "worker_runs": runs,
        }
        return ("ok", result)
    except DemoError as exc:
        return ("error", exc)
    except BaseException as exc:
        if is_out_of_memory(exc):
            return ("memory", f"{type(exc).__name__}: {exc}")
        return ("crash", f"{type(exc).__name__}: {exc}", traceback.format_exc())


def worker_main(conn: Any, cfg: WorkerConfig, parent_pid: int) -> None:  # pragma: no cover - in the child
    os.environ.setdefault("OMP_NUM_THREADS", str(cfg.torch_threads))  # this process's own environment
    os.environ.setdefault("MKL_NUM_THREADS", str(cfg.torch_threads))
    catalog = _start(conn, cfg, parent_pid)
    if catalog is None:
        return
    runs = 0
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if not msg or msg[0] == "stop":
            break
        if msg[0] == "ping":
            conn.send(("pong", {"pid": os.getpid(), "rss_mb": rss_mb()}))
            continue
        runs += 1
        reply = _run_one(catalog, msg, runs)
        try:
            conn.send(reply)
        except Exception as exc:
            conn.send(("crash", f"result could not be sent: {type(exc).__name__}: {exc}", ""))
        del reply
        gc.collect()
