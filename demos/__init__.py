"""Runnable demos: small real experiments that show an idea, with plots.

Public API::

    from demos import DemoRunner, list_demos, get_demo, validate_params
    with DemoRunner(timeout_s=20, memory_mb=1500) as runner:
        result = runner.run("dropout", {"p": "0,3"}, seed=0, lang="ru")
        result.text, result.code, result.images, result.metrics

Importing this package is cheap: torch and matplotlib are imported only where demos run.
This package must not import from ``bot``, ``router`` or ``indexer``.
"""

from demos.base import Demo, DemoOutput, DemoResult, Param, RunContext
from demos.errors import (
    DemoCrashedError,
    DemoError,
    DemoLimitError,
    DemoParamError,
    DemoTimeoutError,
    UnknownDemoError,
)
from demos.registry import demo_for_note, get_demo, list_demos, validate_params
from demos.worker import DemoRunner

__all__ = [
    "Demo",
    "DemoCrashedError",
    "DemoError",
    "DemoLimitError",
    "DemoOutput",
    "DemoParamError",
    "DemoResult",
    "DemoRunner",
    "DemoTimeoutError",
    "Param",
    "RunContext",
    "UnknownDemoError",
    "demo_for_note",
    "get_demo",
    "list_demos",
    "validate_params",
]
