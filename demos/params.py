"""Demo parameters: the :class:`Param` declaration, parsing and validation.

Pure Python (no torch, no numpy), so the bot can validate user input before a worker process is
touched. This module imports nothing from the rest of the package except the errors: ``base``
imports it, never the other way round.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from common.i18n import Lang
from common.textnorm import clean_text
from demos.errors import DemoParamError

SEED_MAX = 2**32 - 1
LANGS: tuple[Lang, ...] = ("ru", "en")
KINDS = ("float", "int", "choice", "text")
TEXT_MAX_CHARS = 200
WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@dataclass(frozen=True)
class Param:
    """One user-tunable parameter of a demo.

    ``kind``: ``"float"`` / ``"int"`` (range ``min``…``max``), ``"choice"`` (one of ``choices``) or
    ``"text"`` (a phrase of ``min``…``max`` words; an empty default means "a default phrase in the
    user's language", chosen by the demo).
    """

    name: str
    kind: str
    default: float | int | str
    min: float | int = 0
    max: float | int = 0
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
        elif self.kind == "text":
            if not isinstance(self.default, str) or not 1 <= self.min <= self.max:
                raise ValueError(f"Param {self.name}: text needs a str default and 1 <= min <= max words")
        elif isinstance(self.default, str) or not self.min <= self.default <= self.max:
            raise ValueError(f"Param {self.name}: default must lie in [min, max]")

    def help(self, lang: str) -> str:
        return self.help_ru if lang == "ru" else self.help_en


class DemoSpec(Protocol):
    """What validation needs to know about a demo."""

    @property
    def id(self) -> str: ...

    @property
    def params(self) -> tuple[Param, ...]: ...


def norm_key(name: str) -> str:
    """Normalise a parameter name typed by a user: case, ``ё``, dashes and spaces."""
    key = str(name).strip().casefold().replace("ё", "е")
    for ch in ("-", " "):
        key = key.replace(ch, "_")
    return key


def normalize_lang(lang: Any) -> Lang:
    """``"ru"``, ``"ru-RU"``, ``"RU"`` → ``"ru"``; ``"en*"`` → ``"en"``; anything else is an error."""
    short = str(lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    if short == "ru":
        return "ru"
    if short == "en":
        return "en"
    raise DemoParamError("demo_lang", param="lang", got=repr(lang))


def check_seed(seed: Any) -> int:
    """Seeds are integers 0..2**32-1 (strings of digits are accepted)."""
    value: int | None = None
    if isinstance(seed, bool):
        value = None
    elif isinstance(seed, int):
        value = seed
    elif isinstance(seed, str) and seed.strip().lstrip("+").isdigit():
        value = int(seed.strip())
    if value is None or not 0 <= value <= SEED_MAX:
        raise DemoParamError("demo_seed", param="seed", max=SEED_MAX, got=seed)
    return value


def fmt_bound(value: float | int, kind: str) -> str:
    return str(int(value)) if kind == "int" else repr(float(value))


def _range_error(param: Param, got: Any) -> DemoParamError:
    key = "demo_param_int" if param.kind == "int" else "demo_param_float"
    lo, hi = fmt_bound(param.min, param.kind), fmt_bound(param.max, param.kind)
    return DemoParamError(key, param=param.name, lo=lo, hi=hi, got=got)


def _to_number(param: Param, raw: Any) -> float:
    """Parse ``raw`` as a real number: ``"0,3"``, ``" 0.3 "``, ``"−1"``, ``"1e-3"`` and ``"30%"`` are accepted."""
    if isinstance(raw, bool):
        raise _range_error(param, raw)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
        percent = text.endswith("%")
        if percent:
            text = text[:-1]
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise _range_error(param, raw) from None
        if percent:
            if param.kind != "float" or param.max > 1.0:
                raise _range_error(param, raw)
            value /= 100.0
    if not math.isfinite(value):
        raise _range_error(param, raw)
    return value


def words_of(text: str) -> list[str]:
    """The words of a phrase, lower-cased (punctuation dropped, hyphenated words kept whole)."""
    return [w.casefold() for w in WORD_RE.findall(text)]


def _to_text(param: Param, raw: Any) -> str:
    text = clean_text(str(raw), limit=TEXT_MAX_CHARS * 4, multiline=False)
    if not text and param.default == "":
        return ""  # "use the demo's default phrase"
    if len(text) > TEXT_MAX_CHARS:
        raise DemoParamError("demo_param_text_long", param=param.name, n=len(text), limit=TEXT_MAX_CHARS)
    words = words_of(text)
    if not param.min <= len(words) <= param.max:
        raise DemoParamError(
            "demo_param_words", param=param.name, lo=int(param.min), hi=int(param.max), n=len(words)
        )
    return " ".join(words)


def coerce_value(param: Param, raw: Any) -> float | int | str:
    """Convert one raw value for ``param`` or raise :class:`DemoParamError`."""
    if param.kind == "choice":
        text = str(raw).strip().casefold()
        for choice in param.choices:
            if text == str(choice).casefold():
                return choice
        choices = ", ".join(map(str, param.choices))
        raise DemoParamError("demo_param_choice", param=param.name, choices=choices, got=raw)
    if param.kind == "text":
        return _to_text(param, raw)
    value = _to_number(param, raw)
    if param.kind == "int":
        if value != int(value):
            raise _range_error(param, raw)
        ivalue = int(value)
        if not param.min <= ivalue <= param.max:
            raise _range_error(param, raw)
        return ivalue
    if not param.min <= value <= param.max:
        raise _range_error(param, raw)
    return float(value)


def _lookup(params: Sequence[Param]) -> dict[str, Param]:
    lookup: dict[str, Param] = {}
    for param in params:
        for key in (param.name, *param.aliases):
            lookup[norm_key(key)] = param
    return lookup


def validate_params(demo: DemoSpec, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Resolve aliases, parse and range-check ``raw``; fill defaults for the rest.

    Raises :class:`DemoParamError` for unknown names, names given twice (e.g. both
    ``p`` and ``prob``), wrong types and out-of-range values.
    """
    lookup = _lookup(demo.params)
    values: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    for key, raw_value in (raw or {}).items():
        param = lookup.get(norm_key(key))
        if param is None:
            if not demo.params:
                raise DemoParamError("demo_param_none", param=str(key), demo_id=demo.id)
            names = "; ".join(
                p.name + (f" ({', '.join(p.aliases)})" if p.aliases else "") for p in demo.params
            )
            raise DemoParamError("demo_param_unknown", param=str(key), demo_id=demo.id, names=names)
        if param.name in values:
            raise DemoParamError(
                "demo_param_twice", param=param.name, first=given_as[param.name], second=str(key)
            )
        values[param.name] = coerce_value(param, raw_value)
        given_as[param.name] = str(key)
    for param in demo.params:
        values.setdefault(param.name, param.default)
    return {p.name: values[p.name] for p in demo.params}


def describe_param(param: Param, lang: str) -> str:
    """One line such as ``p: число 0.0…0.95, по умолчанию 0.5 (также: drop, prob) — …``."""
    ru = lang == "ru"
    if param.kind == "choice":
        kind = ("один из " if ru else "one of ") + " | ".join(map(str, param.choices))
    elif param.kind == "text":
        kind = (
            f"фраза из {int(param.min)}…{int(param.max)} слов"
            if ru
            else f"a phrase of {int(param.min)}…{int(param.max)} words"
        )
    else:
        lo, hi = fmt_bound(param.min, param.kind), fmt_bound(param.max, param.kind)
        word = ("целое" if ru else "int") if param.kind == "int" else ("число" if ru else "float")
        kind = f"{word} {lo}…{hi}"
    if param.kind == "text" and param.default == "":
        default = (
            "по умолчанию — фраза на языке ответа" if ru else "default: a phrase in the answer's language"
        )
    else:
        default = ("по умолчанию " if ru else "default ") + str(param.default)
    aliases = ""
    if param.aliases:
        aliases = (" (также: " if ru else " (aka: ") + ", ".join(param.aliases) + ")"
    help_text = param.help_ru if ru else param.help_en
    return f"{param.name}: {kind}, {default}{aliases}" + (f" — {help_text}" if help_text else "")
