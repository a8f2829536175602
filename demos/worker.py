"""Run demos in warm worker processes with a hard timeout and a memory limit.

Why a process: a slow or broken demo must not hang or crash the bot.  Why warm: importing
torch + matplotlib costs ~2-3 s, more than a demo itself, so each worker imports them once
and then serves requests over a pipe.

Limits
------
* **Timeout** — the caller waits at most ``timeout_s`` for a reply; on expiry the worker is
  SIGKILLed, a fresh one is started in the background and :class:`DemoTimeoutError` is raised.
* **Memory** — two layers, both set to ``memory_mb``:
  1. ``RLIMIT_DATA`` in the worker (Linux ≥ 4.7 counts private writable mappings: heap and
     anonymous mmaps, which is where numpy/torch tensors live).  Unlike ``RLIMIT_AS`` it does
     not count torch's large PROT_NONE address-space reservations or shared libraries, so torch
     imports and runs normally; an allocation over the limit fails with ``MemoryError`` /
     torch's "can't allocate memory", the worker reports it and is recycled.
  2. An RSS watchdog in the caller, reading ``/proc/<pid>/status`` every 50 ms while a demo
     runs, which SIGKILLs the worker if its anonymous + shared-memory resident pages
     (``RssAnon + RssShmem``; torch's file-backed libraries are not charged) exceed
     ``memory_mb`` — this catches memory RLIMIT_DATA does not see (shared mappings).
     For private allocations RLIMIT_DATA (virtual size, always ≥ the resident part) trips first.
  Either way the caller gets :class:`DemoCrashedError` with ``reason == "memory"``.
* **Crash** — if the worker dies (segfault, ``os._exit``, OOM killer) the caller gets
  :class:`DemoCrashedError` (``reason == "died"``) and a new worker is started.  A demo that
  merely raises gives ``reason == "exception"`` and the worker keeps serving.

Parameters are validated in the calling process before anything is sent to a worker.
``DemoRunner`` is thread-safe: each call borrows one worker from a small pool
(``workers=1`` by default, i.e. calls are serialised).
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import warnings
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from demos.base import Demo, DemoResult
from demos.errors import DemoCrashedError, DemoError, DemoTimeoutError, UnknownDemoError
from demos.params import check_seed, normalize_lang
from demos.registry import get_demo, load_catalog, validate_params

log = logging.getLogger(__name__)

POLL_S = 0.05
MB = 1024 * 1024


@dataclass(frozen=True)
class _Config:
    extra_modules: tuple[str, ...]
    memory_mb: int | None
    torch_threads: int
    preload: bool


# --------------------------------------------------------------------------- helpers


def _proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM / VmData of a process in kB (empty dict if unavailable)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "VmData", "RssAnon", "RssShmem"):
                    out[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MiB (0.0 if unknown)."""
    return _proc_status(pid).get("VmRSS", 0) / 1024.0


def charged_mb(pid: int | str = "self") -> float:
    """Memory the watchdog charges to a worker: anonymous + shared-memory resident pages, in MiB.

    File-backed pages (torch's ~200 MB of shared libraries) are left out: they are shared,
    reclaimable, and not what a runaway demo allocates.
    """
    st = _proc_status(pid)
    return (st.get("RssAnon", 0) + st.get("RssShmem", 0)) / 1024.0


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0, ``echo 5 > /proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return "can't allocate memory" in text or "cannot allocate memory" in text or "out of memory" in text


# --------------------------------------------------------------------------- worker process


def _watch_parent(parent_pid: int) -> None:
    """Exit when the parent disappears (e.g. it was SIGKILLed and could not clean up)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(0)


def _warm_torch() -> None:  # pragma: no cover - runs in the child
    """Touch the lazily imported parts of torch (autograd, optimizers, schedulers, conv)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    model = nn.Linear(4, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 2)
    F.cross_entropy(model(torch.randn(3, 4)), torch.tensor([0, 1, 0])).backward()
    opt.step()
    sched.step()
    F.conv2d(torch.randn(1, 1, 4, 4), torch.ones(1, 1, 3, 3))
    nn.Dropout2d(0.5).train()(torch.ones(1, 2, 2, 2))


def _apply_memory_limit(memory_mb: int | None) -> None:
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
    cfg: _Config = conn.recv()
    _worker_main(conn, cfg, os.getppid())


def _worker_main(conn: Any, cfg: _Config, parent_pid: int) -> None:  # pragma: no cover - runs in the child
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent; it stops us
    warnings.filterwarnings("ignore")  # keep the caller's stderr clean (the CLI prints there)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    os.environ.setdefault("OMP_NUM_THREADS", str(cfg.torch_threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(cfg.torch_threads))
    try:
        _apply_memory_limit(cfg.memory_mb)
        catalog = load_catalog(cfg.extra_modules)
        if cfg.preload:
            import torch

            torch.set_num_threads(cfg.torch_threads)
            from demos import plotting
            from demos.data import load_digits

            plotting.warm_up()
            load_digits()
            _warm_torch()
        gc.collect()
        gc.freeze()  # the imported world is permanent: later collections only scan what demos create
    except BaseException as exc:  # noqa: BLE001 - report anything to the parent
        try:
            conn.send(("startup_error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
        return
    conn.send(("ready", {"pid": os.getpid(), "rss_mb": rss_mb(), "python": sys.version.split()[0]}))

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
        _, demo_id, params, seed, lang = msg
        runs += 1
        peak_reset = _reset_peak_rss()
        before = _proc_status()
        t0 = time.perf_counter()
        reply: tuple[Any, ...]
        try:
            demo = catalog.get(demo_id)
            if demo is None:
                raise UnknownDemoError(demo_id, list(catalog))
            result = demo.run(params, seed=seed, lang=lang)
            after = _proc_status()
            rss0 = before.get("VmRSS", 0) / 1024.0
            hwm = after.get("VmHWM", 0) / 1024.0
            result.worker_stats = {
                "elapsed_s": time.perf_counter() - t0,
                "rss_before_mb": rss0,
                "rss_after_mb": after.get("VmRSS", 0) / 1024.0,
                "peak_rss_mb": hwm,
                "peak_extra_mb": max(0.0, hwm - rss0) if peak_reset else None,
                "worker_pid": os.getpid(),
                "worker_runs": runs,
            }
            reply = ("ok", result)
        except DemoError as exc:
            reply = ("error", exc)
        except BaseException as exc:  # noqa: BLE001 - the demo may fail in any way
            if _is_out_of_memory(exc):
                reply = ("memory", f"{type(exc).__name__}: {exc}")
            else:
                reply = ("crash", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            del exc
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. the result does not pickle
            conn.send(("crash", f"result could not be sent: {type(exc).__name__}: {exc}", ""))
        del reply
        gc.collect()


# --------------------------------------------------------------------------- parent side


class _Worker:
    """One worker process, used by one thread at a time (the pool guarantees that)."""

    def __init__(self, runner: DemoRunner, index: int) -> None:
        self._runner = runner
        self.index = index
        self.proc: Any = None
        self.conn: Any = None
        self.ready = False
        self.info: dict[str, Any] = {}
        self.restarts = 0

    # -- lifecycle
    def start(self) -> None:
        parent_sock, child_sock = socket.socketpair()
        fd = child_sock.fileno()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "demos._worker_child", str(fd)],
                pass_fds=(fd,),
                env=self._runner._child_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # terminal Ctrl-C goes to the caller, which stops us
            )
        finally:
            child_sock.close()
        conn = Connection(parent_sock.detach())
        conn.send(self._runner._config)
        self.proc, self.conn, self.ready, self.info = proc, conn, False, {}
        log.debug("started demo worker %s (pid %s)", self.index, proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        proc, conn = self.proc, self.conn
        self.proc, self.conn, self.ready = None, None, False
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL always works
                pass
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        """Ask the worker to exit, kill it if it does not."""
        if self.alive() and self.conn is not None:
            try:
                self.conn.send(("stop",))
                self.proc.wait(2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def respawn(self) -> None:
        self.kill()
        self.restarts += 1
        self.start()

    def _exit_detail(self) -> str:
        proc = self.proc
        if proc is None:
            return "no process"
        try:
            code = proc.wait(1)
        except subprocess.TimeoutExpired:
            return "no reply"
        if code < 0:
            try:
                return f"signal {signal.Signals(-code).name}"
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"

    def ensure_ready(self, demo_id: str) -> None:
        if self.proc is None:
            self.start()
        if self.ready:
            if self.alive():
                return
            self.respawn()
        deadline = time.monotonic() + self._runner.startup_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise DemoCrashedError(demo_id, "startup", "timeout while starting the worker")
            if self.conn.poll(min(0.2, remaining)):
                try:
                    msg = self.conn.recv()
                except (EOFError, OSError):
                    detail = self._exit_detail()
                    self.kill()
                    raise DemoCrashedError(demo_id, "startup", detail) from None
                if msg[0] == "ready":
                    self.ready, self.info = True, dict(msg[1])
                    return
                detail = str(msg[1]) if len(msg) > 1 else "unknown error"
                self.kill()
                raise DemoCrashedError(demo_id, "startup", detail)

    # -- one request
    def run(self, demo_id: str, params: dict[str, Any], seed: int, lang: str, timeout_s: float) -> DemoResult:
        self.ensure_ready(demo_id)
        runner = self._runner
        limit_mb = runner.memory_mb
        t0 = time.monotonic()
        try:
            self.conn.send(("run", demo_id, params, seed, lang))
        except (OSError, ValueError):
            self.respawn()
            raise DemoCrashedError(demo_id, "died", "could not send the request") from None
        pid = self.proc.pid
        peak = 0.0
        while True:
            if self.conn.poll(POLL_S):
                try:
                    msg = self.conn.recv()
                except (EOFError, OSError):
                    detail = self._exit_detail()
                    self.respawn()
                    raise DemoCrashedError(demo_id, "died", detail) from None
                break
            charged = charged_mb(pid)
            peak = max(peak, rss_mb(pid))
            if limit_mb and charged > limit_mb:
                log.info(
                    "demo %s: worker RSS (anon+shmem) %.0f MB > %s MB, killing it", demo_id, charged, limit_mb
                )
                self.respawn()
                raise DemoCrashedError(
                    demo_id, "memory", f"RSS (anon+shmem) {charged:.0f} MB", memory_mb=limit_mb
                )
            if not self.alive():
                if self.conn.poll(0):  # it replied just before exiting
                    continue
                detail = self._exit_detail()
                self.respawn()
                raise DemoCrashedError(demo_id, "died", detail)
            if time.monotonic() - t0 > timeout_s:
                log.info("demo %s: no reply within %.1f s, killing the worker", demo_id, timeout_s)
                self.respawn()
                raise DemoTimeoutError(demo_id, timeout_s)

        kind = msg[0]
        if kind == "ok":
            result: DemoResult = msg[1]
            result.worker_stats.setdefault("elapsed_s", time.monotonic() - t0)
            result.worker_stats["wall_s"] = time.monotonic() - t0
            result.worker_stats["sampled_peak_rss_mb"] = peak
            result.worker_stats["worker_restarts"] = self.restarts
            return result
        if kind == "error":
            raise msg[1]
        if kind == "memory":
            self.respawn()  # a worker that hit its limit may be fragmented or half-broken: recycle it
            raise DemoCrashedError(demo_id, "memory", str(msg[1]), memory_mb=limit_mb)
        # "crash": the demo raised; the worker itself is fine
        tb = str(msg[2]) if len(msg) > 2 else ""
        log.debug("demo %s raised in the worker:\n%s", demo_id, tb)
        raise DemoCrashedError(demo_id, "exception", str(msg[1]), traceback=tb)


def _child_env() -> dict[str, str]:
    """The caller's environment, with its import path, so the worker imports the same modules."""
    env = dict(os.environ)
    paths = [os.path.abspath(p or os.getcwd()) for p in sys.path]
    paths = [p for p in dict.fromkeys(paths) if os.path.exists(p)]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _shutdown(workers: list[_Worker]) -> None:
    for w in workers:
        try:
            w.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


class DemoRunner:
    """Runs demos in warm worker processes with a timeout and a memory limit.

    >>> with DemoRunner(timeout_s=20, memory_mb=1500) as runner:
    ...     result = runner.run("dropout", {"p": "0,3"}, seed=0, lang="ru")

    ``extra_modules``: module names imported both here and in the workers whose ``DEMO`` /
    ``DEMOS`` are added to the catalog (used by tests for deliberately slow or broken demos).
    ``workers``: pool size; each worker is a separate process (~350 MB RSS with torch loaded).
    ``prestart``: start the workers now (they warm up in the background) instead of on first use.
    """

    def __init__(
        self,
        timeout_s: float = 20.0,
        memory_mb: int | None = 1500,
        extra_modules: Iterable[str] = (),
        workers: int = 1,
        torch_threads: int = 1,
        startup_timeout_s: float = 120.0,
        prestart: bool = True,
        preload: bool = True,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.timeout_s = float(timeout_s)
        self.memory_mb = int(memory_mb) if memory_mb else None
        self.startup_timeout_s = float(startup_timeout_s)
        extra = tuple(extra_modules)
        self._catalog = load_catalog(extra)
        self._config = _Config(extra, self.memory_mb, int(torch_threads), bool(preload))
        self._child_env = _child_env()
        self._closed = False
        self._workers = [_Worker(self, i) for i in range(workers)]
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for w in self._workers:
            if prestart:
                w.start()
            self._idle.put(w)
        self._finalizer = weakref.finalize(self, _shutdown, self._workers)

    # -- catalog
    def list_demos(self) -> list[Demo]:
        return list(self._catalog.values())

    def get_demo(self, demo_id: str) -> Demo:
        return get_demo(demo_id, self._catalog)

    # -- running
    def run(
        self,
        demo_id: str,
        params: Mapping[str, Any] | None = None,
        seed: int = 0,
        lang: str = "ru",
        timeout_s: float | None = None,
    ) -> DemoResult:
        """Validate, then run ``demo_id`` in a worker and return its :class:`DemoResult`.

        Raises :class:`UnknownDemoError` / :class:`DemoParamError` before anything runs,
        :class:`DemoTimeoutError` or :class:`DemoCrashedError` if the run fails.
        """
        if self._closed:
            raise RuntimeError("DemoRunner is closed")
        demo = self.get_demo(demo_id)
        lang = normalize_lang(lang)
        seed = check_seed(seed)
        values = validate_params(demo, params)
        timeout = float(timeout_s) if timeout_s else self.timeout_s
        worker = self._borrow()
        try:
            return worker.run(demo.id, values, seed, lang, timeout)
        finally:
            self._give_back(worker)

    def _borrow(self) -> _Worker:
        while True:
            if self._closed:
                raise RuntimeError("DemoRunner is closed")
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                continue

    def _give_back(self, worker: _Worker) -> None:
        if self._closed:
            worker.stop()
        else:
            self._idle.put(worker)

    def wait_ready(self, timeout_s: float | None = None) -> None:
        """Block until every idle worker has finished warming up (useful before benchmarks)."""
        borrowed = []
        try:
            for _ in self._workers:
                w = self._borrow()
                borrowed.append(w)
                w.ensure_ready("-")
        finally:
            for w in borrowed:
                self._give_back(w)

    def worker_pids(self) -> list[int | None]:
        return [w.proc.pid if w.proc is not None else None for w in self._workers]

    @property
    def restarts(self) -> int:
        """How many times workers were killed and replaced (timeouts, crashes, memory)."""
        return sum(w.restarts for w in self._workers)

    def close(self) -> None:
        """Stop all workers.  Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                break
        self._finalizer()

    def __enter__(self) -> DemoRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["DemoRunner", "charged_mb", "rss_mb"]
