"""Run demos in warm worker processes with a hard timeout and a memory limit.

Why a process: a slow or broken demo must not hang or crash the bot.  Why warm: importing
torch + matplotlib costs seconds, more than a demo itself, so each worker imports them once (and
draws one figure, runs one optimizer step…) and then serves requests over a socket.

Pool
----
``DemoRunner(workers=N)`` owns exactly N worker processes (1 ≤ N ≤ :data:`MAX_WORKERS`), started
at construction (``prestart=True``) so they warm up in the background while the caller does other
things; a killed or dead worker is replaced by one fresh process, never more. ``wait_ready()``
blocks until all are warm.

Limits
------
* **Timeout** — the caller waits at most ``timeout_s`` for a reply (a finite number > 0; NaN,
  infinity, zero and negative values are refused with ``ValueError``). On expiry the worker's
  whole **process group** is SIGKILLed — each worker runs in its own session, so processes a demo
  spawned die with it — a fresh worker is started and :class:`DemoTimeoutError` is raised.
* **Memory** — two layers, both set to ``memory_mb``:
  1. ``RLIMIT_DATA`` in the worker (Linux ≥ 4.7 counts private writable mappings: heap and
     anonymous mmaps, which is where numpy/torch tensors live).  Unlike ``RLIMIT_AS`` it does
     not count torch's large PROT_NONE reservations or shared libraries, so torch imports and
     runs normally; an allocation over the limit fails with ``MemoryError`` / torch's "can't
     allocate memory", the worker reports it and is recycled.
  2. An RSS watchdog in the caller, reading ``/proc/<pid>/status`` every 50 ms while a demo runs,
     which kills the worker's group if its ``RssAnon + RssShmem`` exceeds ``memory_mb`` — this
     catches shared mappings, which RLIMIT_DATA does not see.
  Either way the caller gets :class:`DemoCrashedError` with ``reason == "memory"``.
* **Crash** — if the worker dies (segfault, ``os._exit``, OOM killer) the caller gets
  :class:`DemoCrashedError` (``reason == "died"``) and a new worker is started.  A demo that
  merely raises gives ``reason == "exception"`` and the worker keeps serving.

Parameters are validated in the calling process before anything is sent to a worker.
``DemoRunner`` is thread-safe: each call borrows one worker from the pool.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterable, Mapping
from multiprocessing.connection import Connection
from typing import Any

from demos.base import Demo, DemoResult
from demos.errors import DemoCrashedError, DemoLimitError, DemoTimeoutError
from demos.params import check_seed, normalize_lang
from demos.procinfo import charged_mb, kill_group, rss_mb
from demos.registry import get_demo, load_catalog, validate_params
from demos.worker_child import WorkerConfig

log = logging.getLogger(__name__)

POLL_S = 0.05
MAX_WORKERS = 8


def check_timeout(value: Any, name: str = "timeout_s") -> float:
    """A time limit must be a finite number of seconds > 0: ``nan``, ``inf`` and ``<= 0`` would
    silently disable it (every comparison with NaN is false), so they are refused with
    :class:`DemoLimitError` (a ``ValueError`` and a user-facing error)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise DemoLimitError("demo_bad_timeout", name, value) from None
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds <= 0:
        raise DemoLimitError("demo_bad_timeout", name, value)
    return seconds


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
                start_new_session=True,  # its own session and process group: killed as a group
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
        """SIGKILL the worker's process group (the worker and anything its demo spawned), reap it."""
        proc, conn = self.proc, self.conn
        self.proc, self.conn, self.ready = None, None, False
        if proc is not None:
            kill_group(proc.pid)  # the worker is its group's leader: pgid == pid
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL always works
                pass
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        """Ask the worker to exit, then kill its group (stragglers included)."""
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
    def _wait_reply(self, demo_id: str, timeout_s: float, t0: float) -> tuple[tuple[Any, ...], float]:
        limit_mb = self._runner.memory_mb
        pid = self.proc.pid
        peak = 0.0
        while True:
            if self.conn.poll(POLL_S):
                try:
                    return self.conn.recv(), peak
                except (EOFError, OSError):
                    detail = self._exit_detail()
                    self.respawn()
                    raise DemoCrashedError(demo_id, "died", detail) from None
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
                log.info("demo %s: no reply within %.1f s, killing the worker's group", demo_id, timeout_s)
                self.respawn()
                raise DemoTimeoutError(demo_id, timeout_s)

    def run(self, demo_id: str, params: dict[str, Any], seed: int, lang: str, timeout_s: float) -> DemoResult:
        self.ensure_ready(demo_id)
        t0 = time.monotonic()
        try:
            self.conn.send(("run", demo_id, params, seed, lang))
        except (OSError, ValueError):
            self.respawn()
            raise DemoCrashedError(demo_id, "died", "could not send the request") from None
        msg, peak = self._wait_reply(demo_id, timeout_s, t0)
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
            raise DemoCrashedError(demo_id, "memory", str(msg[1]), memory_mb=self._runner.memory_mb)
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
        except Exception:
            pass


class DemoRunner:
    """Runs demos in a fixed pool of warm worker processes with a timeout and a memory limit.

    >>> with DemoRunner(timeout_s=20, memory_mb=1500) as runner:
    ...     result = runner.run("dropout", {"p": "0,3"}, seed=0, lang="ru")

    ``extra_modules``: module names imported both here and in the workers whose ``DEMO`` /
    ``DEMOS`` are added to the catalog (used by tests for deliberately slow or broken demos).
    ``workers``: pool size, 1…MAX_WORKERS; each worker is a process (~350 MB RSS with torch loaded).
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
        self.timeout_s = check_timeout(timeout_s)
        self.startup_timeout_s = check_timeout(startup_timeout_s, "startup_timeout_s")
        if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
            raise DemoLimitError("demo_bad_workers", "workers", workers, max=MAX_WORKERS)
        if memory_mb is not None and (
            isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb <= 0
        ):
            raise DemoLimitError("demo_bad_memory", "memory_mb", memory_mb)
        self.memory_mb = memory_mb
        extra = tuple(extra_modules)
        self._catalog = load_catalog(extra)
        self._config = WorkerConfig(extra, self.memory_mb, int(torch_threads), bool(preload))
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
        :class:`DemoTimeoutError` or :class:`DemoCrashedError` if the run fails, and
        ``ValueError`` for a ``timeout_s`` that is not a finite number > 0 (None = the runner's).
        """
        if self._closed:
            raise RuntimeError("DemoRunner is closed")
        timeout = self.timeout_s if timeout_s is None else check_timeout(timeout_s)
        demo = self.get_demo(demo_id)
        language = normalize_lang(lang)
        seed = check_seed(seed)
        values = validate_params(demo, params)
        worker = self._borrow()
        try:
            return worker.run(demo.id, values, seed, language, timeout)
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

    def wait_ready(self) -> None:
        """Block until every worker has finished warming up (before benchmarks, or at bot start)."""
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
        """Stop all workers (and their process groups).  Safe to call twice."""
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


__all__ = ["MAX_WORKERS", "DemoRunner", "check_timeout", "charged_mb", "rss_mb"]
