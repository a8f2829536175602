"""Values said relative to the ones a demo just ran with: "double it", "halve the steps", «вдвое
меньше», «увеличь шум в 3 раза», "lr 10x smaller", «раздели на 4».

Only a follow-up to a demo can be read this way: the caller passes the values the demo ran with.
Which parameter changes: the one named in the text; else the one the user set last; else the
demo's first numeric parameter. The new value is not range-checked here (the demo registry says why
a value does not fit, in the user's language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from router.parsing.lexicon import NUMBER_WORDS
from router.parsing.mentions import find_mentions
from router.parsing.tokens import parse_number, tokenize
from router.parsing.values import NUMERIC

_NUMBER = r"\d+(?:[.,]\d+)?"
_FACTOR_RE = re.compile(
    r"(?<![\w(])(?:"
    r"(?P<two>вдвое|вдвойне|удво\w*|double[ds]?|doubling|twice)"
    r"|(?P<three>втрое|утро\w*|triple[ds]?|tripling|thrice)"
    r"|(?P<half>halve[ds]?|halving|in half|by half|наполовину|пополам)"
    rf"|в\s+(?P<ru_times>{_NUMBER}|[а-яё]+)\s+раза?(?!\w)"
    rf"|(?P<times>{_NUMBER}|[a-z]+)\s*(?:x|×|times)(?!\w)"
    rf"|[x×]\s*(?P<x_times>{_NUMBER})"
    rf"|(?:умнож\w*|multiply|multiplied)(?:\s+[^\W\d]+)?\s+(?:на|by)\s+(?P<mul>{_NUMBER}|[^\W\d]+)"
    rf"|(?:раздел\w*|подел\w*|divide[ds]?)(?:\s+[^\W\d]+)?\s+(?:на|by)\s+(?P<div>{_NUMBER}|[^\W\d]+)"
    r")(?!\w)",
    re.I,
)
# Words that say the value goes down: "3 times smaller", «в 10 раз меньше», «уменьши вдвое».
_DOWN_RE = re.compile(
    r"(?<!\w)(?:меньш\w*|уменьш\w*|ниже|пониже|сократ\w*|опуст\w*|сниз\w*|less|smaller|lower|fewer|reduce\w*"
    r"|decrease\w*|cut|shrink\w*|down)(?!\w)",
    re.I,
)


_HALF_MORE = {"полтора": 1.5, "полторы": 1.5, "one-and-a-half": 1.5}  # «в полтора раза больше»


def _count(word: str) -> float | None:
    number = parse_number(word)
    if number is not None:
        return number
    return NUMBER_WORDS.get(word.lower(), _HALF_MORE.get(word.lower()))


def relative_factor(text: str) -> float | None:
    """The factor ``text`` scales a value by ("double it" → 2, «в 10 раз меньше» → 0.1), else None."""
    match = _FACTOR_RE.search(text)
    if match is None:
        return None
    groups = match.groupdict()
    count: float | None
    if groups["half"]:
        return 0.5
    if groups["div"]:
        count = _count(groups["div"])
        return 1 / count if count else None
    if groups["two"]:
        count = 2
    elif groups["three"]:
        count = 3
    else:
        count = _count(groups["ru_times"] or groups["times"] or groups["x_times"] or groups["mul"] or "")
    if not count or count == 1:
        return None
    return 1 / count if _DOWN_RE.search(text) else count


def read_relative(
    text: str, params: Sequence[Any], ran_with: Mapping[str, Any], last_set: str | None = None
) -> dict[str, int | float]:
    """The new value of one numeric parameter when ``text`` scales it; ``{}`` when it does not.

    ``ran_with``: the values the demo last ran with (defaults filled in); ``last_set``: the parameter
    the user set last, scaled when the text names none ("double it" after "try temp 1.5").
    """
    factor = relative_factor(text)
    numeric = [p for p in params if getattr(p, "kind", "") in NUMERIC]
    if factor is None or not numeric:
        return {}
    # a name two parameters share («шагов»: the learning rate's «шаг» or the steps) is the count's
    named = {
        sorted(m.params, key=lambda p: p.kind != "int")[0].name
        for m in find_mentions(tokenize(text), numeric)
    }
    by_name = {p.name: p for p in numeric}
    if len(named) == 1:
        param = by_name[next(iter(named))]
    elif not named and last_set in by_name:
        param = by_name[last_set]
    elif not named:
        param = numeric[0]
    else:
        return {}
    base = ran_with.get(param.name, param.default)
    if not isinstance(base, int | float):
        return {}
    value = base * factor
    if param.kind == "int":
        return {param.name: max(1, round(value))}
    return {param.name: float(f"{value:.6g}")}
