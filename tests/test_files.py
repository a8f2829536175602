"""Derived files built once, by one process at a time, and built again after a build that died."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from common.files import build_once, stamped


def test_two_builders_started_together_build_once(tmp_path: Path) -> None:
    out, calls = tmp_path / "use", []
    inside = threading.Event()

    def write(target: Path) -> None:
        calls.append(target)
        inside.set()
        time.sleep(0.3)  # the second builder arrives while this one writes
        (target / "table.npy").write_bytes(b"x")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(build_once, out, {"v": 1}, write)
        inside.wait(5)
        second = pool.submit(build_once, out, {"v": 1}, write)
        assert first.result() == second.result() == out
    assert calls == [out] and (out / "table.npy").read_bytes() == b"x" and stamped(out, {"v": 1})

    build_once(out, {"v": 2}, write)  # another package version: built again
    assert len(calls) == 2 and stamped(out, {"v": 2}) and not stamped(out, {"v": 1})


def test_a_build_that_died_halfway_is_done_again(tmp_path: Path) -> None:
    out = tmp_path / "e5"

    def dies(target: Path) -> None:
        (target / "half.bin").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        build_once(out, {"v": 1}, dies)
    assert not stamped(out, {"v": 1})
    build_once(out, {"v": 1}, lambda target: (target / "whole.bin").write_bytes(b"whole"))
    assert stamped(out, {"v": 1}) and (out / "whole.bin").exists()
