"""The process's named thread pools, and the encoders that run side by side on them."""

from __future__ import annotations

import threading

import numpy as np

from common.pools import pool
from indexer.encoders import MultiEncoder


class _Part:
    """A stand-in encoder that records the thread it ran on and waits for its sibling (a barrier):
    the call finishes only if the parts really run at the same time."""

    def __init__(self, name: str, dim: int, value: float, barrier: threading.Barrier) -> None:
        self.name, self.dim, self.value, self.barrier = name, dim, value, barrier
        self.threads: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.threads.append(threading.current_thread().name)
        self.barrier.wait(timeout=5)
        return np.full((len(texts), self.dim), self.value, dtype=np.float32)


def test_a_pool_is_made_once_per_name() -> None:
    assert pool("test-a", 1) is pool("test-a", 3)
    assert pool("test-a", 1) is not pool("test-b", 1)


def test_multi_encoder_runs_its_parts_side_by_side_and_keeps_their_order() -> None:
    barrier = threading.Barrier(2)
    first, second = _Part("use", 2, 1.0, barrier), _Part("e5", 3, 2.0, barrier)
    vectors = MultiEncoder([first, second]).encode(["a", "b"])  # a serial encode would break the barrier
    assert vectors.tolist() == [[1.0, 1.0, 2.0, 2.0, 2.0]] * 2
    assert first.threads == [threading.current_thread().name]
    assert second.threads[0].startswith("memebot-encode")
    assert MultiEncoder([first, second]).encode([]).shape == (0, 5)
