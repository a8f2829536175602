"""The list of demos, lookup by id (or by knowledge-note slug) and parameter validation.

Importing this module is cheap: demo modules import torch/matplotlib only when a demo runs.
Extra demos (for tests or experiments) live in any module that defines ``DEMO`` (one Demo)
or ``DEMOS`` (a list); load them with :func:`load_catalog`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from demos.base import Demo
from demos.errors import UnknownDemoError
from demos.params import validate_params as _validate_params

BUILTIN_MODULES: tuple[str, ...] = (
    "demos.log_negative",
    "demos.dropout",
    "demos.spatial_dropout",
    "demos.fine_tuning",
    "demos.transfer_logreg",
    "demos.universal_approximation",
    "demos.adversarial",
    "demos.learning_rate",
    "demos.optimizers",
    "demos.batch_norm",
    "demos.softmax_temperature",
    "demos.overfitting",
    "demos.attention",
    "demos.nan_loss",
    "demos.kmeans",
)


def demos_from_module(module_name: str) -> list[Demo]:
    """Import ``module_name`` and return the demos it defines (``DEMOS`` list or a single ``DEMO``)."""
    module = importlib.import_module(module_name)
    found = getattr(module, "DEMOS", None)
    if found is None:
        single = getattr(module, "DEMO", None)
        found = [single] if single is not None else []
    demos = list(found)
    for demo in demos:
        if not isinstance(demo, Demo):
            raise TypeError(f"{module_name}: {demo!r} is not a demos.base.Demo")
    if not demos:
        raise ValueError(f"module {module_name} defines neither DEMO nor DEMOS")
    return demos


def load_catalog(extra_modules: Iterable[str] = ()) -> dict[str, Demo]:
    """Built-in demos plus those from ``extra_modules``, keyed by id, in a stable order."""
    catalog: dict[str, Demo] = dict(_builtin())
    for name in extra_modules:
        for demo in demos_from_module(name):
            if demo.id in catalog and catalog[demo.id] is not demo:
                raise ValueError(f"duplicate demo id {demo.id!r} (from {name})")
            catalog[demo.id] = demo
    return catalog


@functools.lru_cache(maxsize=1)
def _builtin_items() -> tuple[tuple[str, Demo], ...]:
    items: list[tuple[str, Demo]] = []
    for name in BUILTIN_MODULES:
        for demo in demos_from_module(name):
            if any(demo.id == other for other, _ in items):
                raise ValueError(f"duplicate built-in demo id {demo.id!r}")
            items.append((demo.id, demo))
    return tuple(items)


def _builtin() -> dict[str, Demo]:
    return dict(_builtin_items())


def list_demos() -> list[Demo]:
    """All built-in demos, in a fixed order."""
    return [demo for _, demo in _builtin_items()]


def normalize_demo_id(demo_id: Any) -> str:
    """``" Spatial_Dropout "`` → ``"spatial-dropout"``."""
    return str(demo_id).strip().lower().replace("_", "-").replace(" ", "-")


def get_demo(demo_id: str, catalog: Mapping[str, Demo] | None = None) -> Demo:
    """Find a demo by id (case, ``_`` and spaces are forgiven) or by its note slug.

    Raises :class:`UnknownDemoError` (bilingual message listing the known ids).
    """
    cat = catalog if catalog is not None else _builtin()
    key = normalize_demo_id(demo_id)
    if key in cat:
        return cat[key]
    for demo in cat.values():
        if demo.note_slug == key:
            return demo
    raise UnknownDemoError(str(demo_id).strip(), list(cat))


def demo_for_note(note_slug: str, catalog: Mapping[str, Demo] | None = None) -> Demo | None:
    """The demo that illustrates a knowledge note, or None."""
    cat = catalog if catalog is not None else _builtin()
    for demo in cat.values():
        if demo.note_slug == note_slug:
            return demo
    return None


def validate_params(demo: Demo, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check user parameters for ``demo``: aliases and ``"0,3"`` accepted; unknown names, wrong types
    and out-of-range values raise :class:`demos.errors.DemoParamError`; missing ones get defaults."""
    return _validate_params(demo, raw)


__all__ = [
    "BUILTIN_MODULES",
    "demo_for_note",
    "demos_from_module",
    "get_demo",
    "list_demos",
    "load_catalog",
    "normalize_demo_id",
    "validate_params",
]
