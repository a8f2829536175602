"""Core types of the demos package: parameters, results, the Demo class.

A demo is a small real experiment.  ``Demo.run`` validates parameters, seeds every
random generator, calls the demo's implementation and wraps what it returns into a
:class:`DemoResult`.  Heavy libraries (torch, matplotlib) are imported lazily inside
the implementations, so importing this module (and listing or validating demos) is cheap.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from demos.errors import (
    DemoCrashedError,
    DemoError,
    DemoParamError,
    DemoTimeoutError,
    UnknownDemoError,
)
from demos.params import check_seed, normalize_lang, validate_params

KINDS = ("float", "int", "choice")


@dataclass(frozen=True)
class Param:
    """One user-tunable parameter of a demo."""

    name: str
    kind: str  # "float" | "int" | "choice"
    default: float | int | str
    min: float | int | None = None
    max: float | int | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    help_ru: str = ""
    help_en: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Param {self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "choice":
            if self.default not in self.choices:
                raise ValueError(f"Param {self.name}: default {self.default!r} not in {self.choices}")
        else:
            if self.min is None or self.max is None or not self.min <= self.default <= self.max:
                raise ValueError(f"Param {self.name}: default must lie in [min, max]")

    def help(self, lang: str) -> str:
        return self.help_ru if lang == "ru" else self.help_en


@dataclass
class DemoResult:
    """What a demo run returns.

    ``metrics`` holds the numbers the text is built from (so tests and callers can
    check them); ``worker_stats`` is filled by :class:`demos.worker.DemoRunner`
    (elapsed seconds, peak RSS) and is empty for in-process runs.
    """

    demo_id: str
    lang: str
    params: dict[str, Any]
    seed: int
    text: str
    code: str
    images: list[bytes] = field(default_factory=list)
    image_captions: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    worker_stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoOutput:
    """What a demo implementation returns; ``Demo.run`` turns it into a DemoResult."""

    text: str
    code: str
    images: list[bytes] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


class RunContext:
    """Language helpers and the seeded numpy generator handed to an implementation."""

    def __init__(self, lang: str, seed: int) -> None:
        import numpy as np

        self.lang = lang
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    @property
    def ru(self) -> bool:
        return self.lang == "ru"

    def t(self, ru: str, en: str) -> str:
        """Pick the string for the current language."""
        return ru if self.ru else en

    def num(self, value: float, digits: int = 3) -> str:
        """Fixed-point number; Russian text uses a decimal comma."""
        text = f"{float(value):.{digits}f}"
        if text.startswith("-") and float(text) == 0.0:
            text = text[1:]
        return text.replace(".", ",") if self.ru else text

    def g(self, value: float) -> str:
        """Short ``%g`` form (``0.1``), decimal comma in Russian (``0,1``)."""
        text = f"{float(value):g}"
        return text.replace(".", ",") if self.ru else text

    def sci(self, value: float, digits: int = 2) -> str:
        """Number in ``%g`` style (scientific when tiny), decimal comma in Russian."""
        text = f"{float(value):.{digits}g}"
        return text.replace(".", ",") if self.ru else text

    def plural(self, n: int, ru: tuple[str, str, str], en: tuple[str, str]) -> str:
        """``plural(2, ("шаг", "шага", "шагов"), ("step", "steps"))`` → ``"шага"`` / ``"steps"``."""
        n = abs(int(n))
        if not self.ru:
            return en[0] if n == 1 else en[1]
        if n % 10 == 1 and n % 100 != 11:
            return ru[0]
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return ru[1]
        return ru[2]

    def pct(self, fraction: float, digits: int = 0) -> str:
        """``0.9412`` → ``"94%"``."""
        return self.num(100.0 * float(fraction), digits) + "%"


Impl = Callable[[dict[str, Any], RunContext], DemoOutput]


@dataclass(frozen=True)
class Demo:
    """A runnable demo.  ``impl(params, ctx)`` does the work and returns a DemoOutput."""

    id: str
    title_ru: str
    title_en: str
    note_slug: str
    params: tuple[Param, ...]
    impl: Impl = field(repr=False, compare=False)
    uses_torch: bool = True

    def title(self, lang: str) -> str:
        return self.title_ru if normalize_lang(lang) == "ru" else self.title_en

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def run(self, params: Mapping[str, Any] | None = None, seed: int = 0, lang: str = "ru") -> DemoResult:
        """Validate, seed everything, run the experiment in this process and return the result."""
        lang = normalize_lang(lang)
        seed = check_seed(seed)
        values = validate_params(self, params)
        seed_everything(seed, torch=self.uses_torch)
        out = self.impl(dict(values), RunContext(lang, seed))
        if len(out.captions) != len(out.images):
            raise ValueError(f"demo {self.id}: {len(out.images)} images but {len(out.captions)} captions")
        return DemoResult(
            demo_id=self.id,
            lang=lang,
            params=values,
            seed=seed,
            text=out.text,
            code=out.code,
            images=list(out.images),
            image_captions=list(out.captions),
            metrics=dict(out.metrics),
        )


def seed_everything(seed: int, torch: bool = True) -> None:
    """Seed python's ``random``, numpy's legacy global generator and (optionally) torch."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)
    if torch:
        import torch as _torch

        _torch.manual_seed(seed)


__all__ = [
    "Demo",
    "DemoCrashedError",
    "DemoError",
    "DemoOutput",
    "DemoParamError",
    "DemoResult",
    "DemoTimeoutError",
    "Param",
    "RunContext",
    "UnknownDemoError",
    "seed_everything",
]
