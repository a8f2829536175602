"""Core types of the demos package: results, the run context, the Demo class, shown code.

A demo is a small real experiment.  ``Demo.run`` validates parameters, seeds every random
generator, calls the demo's implementation and wraps what it returns into a :class:`DemoResult`.
Heavy libraries (torch, matplotlib) are imported lazily inside the implementations, so importing
this module (and listing or validating demos) is cheap.

**The code a demo shows is the code it runs.** Each demo keeps its experiment in one plain
function (``experiment(...)``: numbers in, a dict of plain numbers out); :func:`shown_code` turns
that function's own source plus the call with the actual arguments into the snippet the user
sees, and the demo builds its text and plots from what that very function returned.
"""

from __future__ import annotations

import inspect
import random
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from common.i18n import Lang, plural
from demos.errors import (
    DemoCrashedError,
    DemoError,
    DemoParamError,
    DemoTimeoutError,
    UnknownDemoError,
)
from demos.params import Param, check_seed, normalize_lang, validate_params


@dataclass
class DemoResult:
    """What a demo run returns.

    ``metrics`` holds the numbers the text is built from (so tests and callers can check them;
    ``metrics["result"]`` is what the shown code's ``result`` holds); ``worker_stats`` is filled by
    :class:`demos.worker.DemoRunner` (elapsed seconds, peak RSS) and is empty for in-process runs.
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

    def __init__(self, lang: Lang, seed: int) -> None:
        import numpy as np

        self.lang: Lang = lang
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

    def plural(self, n: float, ru: str | Sequence[str], en: str | Sequence[str]) -> str:
        """The noun form for ``n`` (via :func:`common.i18n.plural`): ``plural(2, "шаг|шага|шагов",
        "step|steps")`` → ``"шага"`` / ``"steps"``; tuples of forms work too."""
        forms = ru if self.ru else en
        text = forms if isinstance(forms, str) else "|".join(forms)
        return plural(n, text, self.lang)

    def grouped(self, n: int) -> str:
        """An integer with grouped thousands: «100 000» (no-break spaces) / "100,000"."""
        text = f"{int(n):,}"
        return text.replace(",", "\u00a0") if self.ru else text

    def count(self, n: int, ru: str, en: str) -> str:
        """``count(163, "картинка|картинки|картинок", "picture|pictures")`` → «163 картинки»."""
        return f"{self.grouped(n)} {self.plural(int(n), ru, en)}"

    def times(self, ratio: float, digits: int | None = None) -> str:
        """How many times larger: «в 6263 раза», «в 25 раз», «в 2,5 раза» / "6263×", "2.5×"."""
        if digits is None:
            digits = 0 if abs(ratio) >= 10 else 1
        shown = self.num(ratio, digits)
        if not self.ru:
            return f"{shown}×"
        return f"в {shown} {plural(float(shown.replace(',', '.')), 'раз|раза|раз', 'ru')}"

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
        language = normalize_lang(lang)
        seed = check_seed(seed)
        values = validate_params(self, params)
        seed_everything(seed, torch=self.uses_torch)
        out = self.impl(dict(values), RunContext(language, seed))
        if len(out.captions) != len(out.images):
            raise ValueError(f"demo {self.id}: {len(out.images)} images but {len(out.captions)} captions")
        return DemoResult(
            demo_id=self.id,
            lang=language,
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


class Raw(str):
    """An argument shown as written (``Raw("lambda x: x**2")``), not as a quoted string."""

    def __repr__(self) -> str:
        return str(self)


def shown_code(
    fn: Callable[..., Any], *, imports: str = "", helpers: Sequence[Callable[..., Any]] = (), **kwargs: Any
) -> str:
    """The snippet a demo shows: ``imports``, the source of ``helpers`` and ``fn``, then
    ``result = fn(**kwargs)`` with the actual arguments. Executing it reproduces ``fn(**kwargs)``."""
    parts = [imports.strip()] if imports.strip() else []
    parts += [textwrap.dedent(inspect.getsource(f)).strip() for f in (*helpers, fn)]
    args = [f"{k}={v!r}" for k, v in kwargs.items()]
    call = f"result = {fn.__name__}({', '.join(args)})"
    if len(call) > 100:
        call = f"result = {fn.__name__}(\n" + "".join(f"    {a},\n" for a in args) + ")"
    parts.append(call)
    return "\n\n\n".join(parts) + "\n"


__all__ = [
    "Demo",
    "DemoCrashedError",
    "DemoError",
    "DemoOutput",
    "DemoParamError",
    "DemoResult",
    "DemoTimeoutError",
    "Param",
    "Raw",
    "RunContext",
    "UnknownDemoError",
    "seed_everything",
    "shown_code",
]
