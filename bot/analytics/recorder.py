"""Writing outcomes off the answer path: a bounded queue and one writer thread.

:meth:`OutcomeRecorder.submit` never blocks and never raises. The writer takes batches from the queue;
when the database is down it retries with backoff, and when the queue is full the oldest records are
dropped with a log line, so a dead database costs the bot some statistics, never an answer.

Example::

    recorder = OutcomeRecorder(store.write)
    recorder.submit(record)      # returns at once
    recorder.flush(timeout=2)    # wait until written (votes, /forget, tests)
    recorder.close()
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from bot.analytics.outcomes import OutcomeRecord

logger = logging.getLogger(__name__)

QUEUE_LIMIT = 5000
BATCH = 200
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)  # then the batch is dropped
LOG_EVERY = 10.0  # seconds between two "dropped" log lines


class OutcomeRecorder:
    """Queue outcomes for ``write(batch)`` in a background thread (started on first submit)."""

    def __init__(
        self,
        write: Callable[[Sequence[OutcomeRecord]], None],
        limit: int = QUEUE_LIMIT,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ):
        self._write = write
        self._queue: deque[OutcomeRecord] = deque()
        self._limit = limit
        self._retry_delays = tuple(retry_delays)
        self._cond = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.written = 0
        self.dropped = 0
        self._last_log = -LOG_EVERY

    def submit(self, record: OutcomeRecord) -> None:
        """Queue one outcome; drops the oldest queued one (logged) if the queue is full. Never raises."""
        with self._cond:
            if self._closed:
                self._drop(1, "the recorder is closed")
                return
            if len(self._queue) >= self._limit:
                self._queue.popleft()
                self._drop(1, "the queue is full (is the database down?)")
            self._queue.append(record)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outcome-recorder", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far was written or dropped; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (up to ``timeout``), then stop the thread."""
        self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    # ------------------------------------------------------------------ the writer thread

    def _drop(self, n: int, why: str) -> None:
        """Count and log dropped records (one line per ``LOG_EVERY`` seconds at most)."""
        self.dropped += n
        now = time.monotonic()
        if now - self._last_log >= LOG_EVERY:
            self._last_log = now
            logger.warning("dropped answer records: %s; %d dropped so far", why, self.dropped)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
                self._busy = True
            try:
                self._write_with_retries(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _write_with_retries(self, batch: list[OutcomeRecord]) -> None:
        for attempt, delay in enumerate((*self._retry_delays, None)):
            try:
                self._write(batch)
            except Exception as exc:
                if delay is None or self._closed:
                    self._drop(
                        len(batch),
                        f"the database refused them {attempt + 1} times ({type(exc).__name__}: {str(exc)[:200]})",
                    )
                    return
                logger.info(
                    "writing %d answer record(s) failed (%s); retrying in %.1f s",
                    len(batch),
                    type(exc).__name__,
                    delay,
                )
                time.sleep(delay)
            else:
                self.written += len(batch)
                return
