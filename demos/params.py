"""Parameter parsing and validation shared by the registry, ``Demo.run`` and the worker.

Everything here is pure Python (no torch), so the bot can validate user input
before a worker process is touched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from demos.errors import DemoParamError

if TYPE_CHECKING:  # pragma: no cover
    from demos.base import Demo, Param

SEED_MAX = 2**32 - 1
LANGS = ("ru", "en")


def norm_key(name: str) -> str:
    """Normalise a parameter name typed by a user: case, ``ё``, dashes and spaces."""
    key = str(name).strip().casefold().replace("ё", "е")
    for ch in ("-", " "):
        key = key.replace(ch, "_")
    return key


def normalize_lang(lang: Any) -> str:
    """``"ru"``, ``"ru-RU"``, ``"RU"`` → ``"ru"``; ``"en*"`` → ``"en"``; anything else is an error."""
    code = str(lang or "").strip().lower().replace("_", "-")
    short = code.split("-", 1)[0]
    if short in LANGS:
        return short
    raise DemoParamError(
        "lang",
        f"Язык должен быть ru или en, получено {lang!r}",
        f"Language must be ru or en, got {lang!r}",
    )


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
        raise DemoParamError(
            "seed",
            f"seed должен быть целым числом от 0 до {SEED_MAX}, получено {seed}",
            f"seed must be an integer from 0 to {SEED_MAX}, got {seed}",
        )
    return value


def fmt_bound(value: float | int, kind: str) -> str:
    return str(int(value)) if kind == "int" else repr(float(value))


def _range_error(param: Param, got: Any) -> DemoParamError:
    lo, hi = fmt_bound(param.min, param.kind), fmt_bound(param.max, param.kind)
    if param.kind == "int":
        what_ru, what_en = "целым числом", "an integer"
    else:
        what_ru, what_en = "числом", "a number"
    return DemoParamError(
        param.name,
        f"Параметр {param.name} должен быть {what_ru} от {lo} до {hi}, получено {got}",
        f"Parameter {param.name} must be {what_en} from {lo} to {hi}, got {got}",
    )


def _to_number(param: Param, raw: Any) -> float:
    """Parse ``raw`` as a real number: ``"0,3"``, ``" 0.3 "``, ``"−1"`` and ``"30%"`` are accepted."""
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
            if param.kind != "float" or param.max is None or param.max > 1.0:
                raise _range_error(param, raw)
            value /= 100.0
    if not math.isfinite(value):
        raise _range_error(param, raw)
    return value


def coerce_value(param: Param, raw: Any) -> float | int | str:
    """Convert one raw value for ``param`` or raise :class:`DemoParamError`."""
    if param.kind == "choice":
        text = str(raw).strip().casefold()
        for choice in param.choices:
            if text == str(choice).casefold():
                return choice
        opts = ", ".join(map(str, param.choices))
        raise DemoParamError(
            param.name,
            f"Параметр {param.name} должен быть одним из: {opts}; получено {raw}",
            f"Parameter {param.name} must be one of: {opts}; got {raw}",
        )
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


def validate_params(demo: Demo, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Resolve aliases, parse and range-check ``raw``; fill defaults for the rest.

    Raises :class:`DemoParamError` for unknown names, names given twice (e.g. both
    ``p`` and ``prob``), wrong types and out-of-range values.
    """
    lookup: dict[str, Param] = {}
    for param in demo.params:
        for key in (param.name, *param.aliases):
            lookup[norm_key(key)] = param
    values: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    for key, raw_value in (raw or {}).items():
        param = lookup.get(norm_key(key))
        if param is None:
            if demo.params:
                names = "; ".join(
                    p.name + (f" ({', '.join(p.aliases)})" if p.aliases else "") for p in demo.params
                )
                ru = f"У демо {demo.id} нет параметра «{key}». Доступные параметры: {names}"
                en = f"Demo {demo.id} has no parameter '{key}'. Available parameters: {names}"
            else:
                ru = f"У демо {demo.id} нет параметров, получено «{key}»"
                en = f"Demo {demo.id} takes no parameters, got '{key}'"
            raise DemoParamError(str(key), ru, en)
        if param.name in values:
            raise DemoParamError(
                param.name,
                f"Параметр {param.name} указан дважды ({given_as[param.name]} и {key})",
                f"Parameter {param.name} is given twice ({given_as[param.name]} and {key})",
            )
        values[param.name] = coerce_value(param, raw_value)
        given_as[param.name] = str(key)
    for param in demo.params:
        values.setdefault(param.name, param.default)
    return {p.name: values[p.name] for p in demo.params}


def describe_param(param: Param, lang: str) -> str:
    """One line such as ``p: число 0.05…1.0, по умолчанию 0.5 (также: prob, keep) — …``."""
    ru = lang == "ru"
    if param.kind == "choice":
        rng = " | ".join(map(str, param.choices))
        kind = ("один из " if ru else "one of ") + rng
    else:
        lo, hi = fmt_bound(param.min, param.kind), fmt_bound(param.max, param.kind)
        word = ("целое" if ru else "int") if param.kind == "int" else ("число" if ru else "float")
        kind = f"{word} {lo}…{hi}"
    default = ("по умолчанию " if ru else "default ") + str(param.default)
    aliases = ""
    if param.aliases:
        aliases = (" (также: " if ru else " (aka: ") + ", ".join(param.aliases) + ")"
    help_text = param.help_ru if ru else param.help_en
    return f"{param.name}: {kind}, {default}{aliases}" + (f" — {help_text}" if help_text else "")
