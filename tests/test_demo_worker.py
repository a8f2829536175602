"""The demo worker: validation before work, timeouts (the whole process group dies), refused limits,
memory limits, crashes, the bounded pool, thread safety, and a fast first demo after start."""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
from pathlib import Path

import pytest

# Every test here starts worker processes, runs demos or waits out a timeout: `make test-fast` skips them.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so that the worker can import tests.demo_fixtures too
    sys.path.insert(0, str(ROOT))

from demos import (  # noqa: E402
    DemoCrashedError,
    DemoError,
    DemoLimitError,
    DemoParamError,
    DemoRunner,
    DemoTimeoutError,
    UnknownDemoError,
)
from demos.procinfo import group_members, process_alive  # noqa: E402
from demos.worker import MAX_WORKERS, check_timeout  # noqa: E402
from tests.demo_fixtures import shared_runner, spawn_pid_file  # noqa: E402


@pytest.fixture(scope="module")
def runner():
    return shared_runner()


@pytest.fixture(scope="module")
def light_runner():
    """A runner without torch preloading: restarts are cheap, for the crash tests."""
    r = DemoRunner(timeout_s=30, memory_mb=700, extra_modules=["tests.demo_fixtures"], preload=False)
    yield r
    r.close()


# --------------------------------------------------------------------------- limits are real numbers


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 0, -1, "abc", None, True])
def test_a_timeout_that_would_disable_the_limit_is_refused(bad):
    with pytest.raises(ValueError, match="timeout_s") as info:
        check_timeout(bad)
    assert isinstance(info.value, DemoLimitError) and isinstance(
        info.value, DemoError
    )  # the CLI/bot print it
    assert "конечное число больше 0" in info.value.message("ru")
    with pytest.raises(ValueError, match="timeout_s"):
        DemoRunner(timeout_s=bad, prestart=False)


def test_a_per_run_timeout_is_checked_before_anything_runs(light_runner):
    for bad in (float("nan"), float("inf"), 0, -2.5):
        with pytest.raises(ValueError, match="timeout_s"):
            light_runner.run("test-echo", {}, timeout_s=bad)
    assert check_timeout("2.5") == 2.5 and check_timeout(1) == 1.0


def test_pool_size_is_bounded_and_other_limits_checked():
    for workers in (0, MAX_WORKERS + 1, 1.5, True):
        with pytest.raises(ValueError, match="workers"):
            DemoRunner(workers=workers, prestart=False)
    for memory in (-5, 0, 1.5, float("nan")):  # 0 used to mean "no limit" silently; None says it explicitly
        with pytest.raises(ValueError, match="memory_mb"):
            DemoRunner(memory_mb=memory, prestart=False)
    with pytest.raises(ValueError, match="startup_timeout_s"):
        DemoRunner(startup_timeout_s=math.nan, prestart=False)


# --------------------------------------------------------------------------- before the worker


def test_validation_happens_before_the_worker_runs(runner):
    runner.wait_ready()
    pid = runner.worker_pids()[0]
    restarts = runner.restarts
    t0 = time.monotonic()
    with pytest.raises(DemoParamError):
        runner.run("dropout", {"p": 1.5})
    with pytest.raises(UnknownDemoError):
        runner.run("nope")
    with pytest.raises(DemoParamError) as info:
        runner.run("dropout", {}, lang="de")
    assert info.value.param == "lang"
    with pytest.raises(DemoParamError):
        runner.run("dropout", {}, seed=-1)
    assert time.monotonic() - t0 < 0.5
    assert runner.worker_pids()[0] == pid and runner.restarts == restarts


# --------------------------------------------------------------------------- timeouts kill the group


@pytest.mark.slow
def test_timeout_kills_the_worker_and_the_next_run_works(runner):
    runner.wait_ready()
    before = runner.worker_pids()[0]
    t0 = time.monotonic()
    with pytest.raises(DemoTimeoutError) as info:
        runner.run("test-slow", {"seconds": 120}, timeout_s=1.5)
    assert 1.4 < time.monotonic() - t0 < 5
    assert "1,5 с" in info.value.message("ru") and "1.5 s" in info.value.message("en")
    assert not process_alive(before)
    assert runner.worker_pids()[0] != before
    result = runner.run("log-negative", {"n": 4}, seed=1, lang="en")  # a real demo on the new worker
    assert result.metrics["n_nan"] == 4
    assert result.worker_stats["worker_pid"] != before


def test_a_demos_child_process_dies_with_the_timed_out_worker(light_runner):
    light_runner.wait_ready()
    worker = light_runner.worker_pids()[0]
    pid_file = spawn_pid_file(worker)
    pid_file.unlink(missing_ok=True)
    with pytest.raises(DemoTimeoutError):
        light_runner.run("test-spawn", {"seconds": 300}, timeout_s=2.0)
    child = int(pid_file.read_text())
    pid_file.unlink()
    deadline = time.monotonic() + 5
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child), "the demo's child process survived the worker kill"
    assert not process_alive(worker)
    assert group_members(worker) == []  # nothing is left in the old worker's process group


def test_closing_the_runner_leaves_no_processes():
    r = DemoRunner(timeout_s=10, extra_modules=["tests.demo_fixtures"], workers=2, preload=False)
    pids = [p for p in r.worker_pids() if p]
    assert len(pids) == 2
    assert r.run("test-echo", {"x": 2}).metrics["x"] == 2.0
    r.close()
    assert not any(process_alive(p) for p in pids)
    assert all(group_members(p) == [] for p in pids)
    with pytest.raises(RuntimeError):
        r.run("test-echo")


# --------------------------------------------------------------------------- memory and crashes


def test_torch_allocation_over_the_limit_is_reported_and_recycled(light_runner):
    """RLIMIT_DATA works together with torch: torch's allocator fails cleanly, the worker is replaced."""
    pid = light_runner.run("test-echo").metrics["pid"]
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-memory", {"lib": "torch", "mb": 4000})
    assert info.value.reason == "memory"
    assert "allocate" in info.value.detail  # torch's DefaultCPUAllocator refused, nothing was killed
    assert "700" in info.value.message("en") and "памяти" in info.value.message("ru")
    assert light_runner.run("test-echo", {"x": 5}).metrics["pid"] != pid


def test_numpy_memory_hog_hits_rlimit_data(light_runner):
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-memory", {"mb": 5000})
    assert info.value.reason == "memory"
    assert "MemoryError" in info.value.detail  # stopped by RLIMIT_DATA inside the worker
    assert light_runner.run("test-echo", {"x": 2}).metrics["x"] == 2.0


def test_shared_memory_hog_is_killed_by_the_rss_watchdog(light_runner):
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-shm", {"mb": 5000})
    assert info.value.reason == "memory"
    assert "RSS" in info.value.detail  # RLIMIT_DATA does not see shared pages; the watchdog does
    assert light_runner.run("test-echo", {"x": 3}).metrics["x"] == 3.0


def test_raising_demo_reports_and_keeps_the_worker(light_runner):
    pid = light_runner.run("test-echo").metrics["pid"]
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-raise", {})
    assert info.value.reason == "exception"
    assert "boom from test-raise" in info.value.message("en")
    assert "ValueError" in info.value.traceback
    assert light_runner.run("test-echo").metrics["pid"] == pid  # same process, still serving


def test_dying_worker_is_replaced(light_runner):
    pid = light_runner.run("test-echo").metrics["pid"]
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-exit", {"code": 7})
    assert info.value.reason == "died" and "exit code 7" in info.value.detail
    assert light_runner.run("test-echo").metrics["pid"] != pid


# --------------------------------------------------------------------------- concurrency and the pool


def test_runner_is_thread_safe(light_runner):
    results: dict[int, float] = {}
    errors: list[BaseException] = []

    def call(i: int) -> None:
        try:
            results[i] = light_runner.run("test-echo", {"икс": f"{i},5"}).metrics["x"]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert results == {i: i + 0.5 for i in range(6)}


async def test_runner_from_asyncio_to_thread(light_runner):
    a, b = await asyncio.gather(
        asyncio.to_thread(light_runner.run, "test-echo", {"x": 1}, 0, "ru"),
        asyncio.to_thread(light_runner.run, "test-echo", {"x": 4}, 0, "en"),
    )
    assert (a.text, b.text) == ("эхо x=1.0", "echo x=4.0")


def test_pool_of_two_workers_stays_two(light_runner):
    with DemoRunner(timeout_s=10, extra_modules=["tests.demo_fixtures"], workers=2, preload=False) as r:
        pids = {r.run("test-echo").metrics["pid"] for _ in range(4)}
        assert pids <= set(r.worker_pids()) and len(r.worker_pids()) == 2
        with pytest.raises(DemoCrashedError):
            r.run("test-exit", {"code": 1})
        assert len([p for p in r.worker_pids() if p]) == 2  # the dead one was replaced, not added to


@pytest.mark.slow
def test_first_demo_after_start_is_fast():
    """A prestarted runner warms up in the background; once warm, the first real demo takes ≤ 3 s
    (on an idle 2-core machine; the bound here leaves room for a loaded CI box)."""
    with DemoRunner(timeout_s=60) as r:
        r.wait_ready()
        t0 = time.monotonic()
        result = r.run("learning-rate", {}, seed=0, lang="ru")
        first = time.monotonic() - t0
    assert result.images
    assert first < 6.0, f"first demo took {first:.1f} s"
