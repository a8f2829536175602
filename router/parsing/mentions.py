"""Where a request names a parameter: its ``name``, an alias declared by its spec, or an everyday
word for parameters so named (:data:`router.parsing.lexicon.PARAM_WORDS`).

Parameter specs are duck-typed: anything with ``name``, ``kind`` and ``aliases`` (and, for numbers,
``min``/``max``/``default``; for choices, ``choices``) will do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from router.parsing.lexicon import (
    CHOICE_WORDS,
    EQUALS_WORDS,
    PARAM_WORDS,
    QUANTITY_WORDS,
    STRICT_SEPARATORS,
)
from router.parsing.tokens import Phrase, Token, find, phrase_of_name, phrase_of_pattern

_EQUALS_RE = re.compile("|".join(f"(?:{w})" for w in EQUALS_WORDS))
_QUANTITY_RE = re.compile("|".join(f"(?:{w})" for w in QUANTITY_WORDS))


@dataclass(frozen=True)
class Mention:
    """Tokens ``start:end`` name one of ``params`` (several when they share a name, like «шаг» for the
    learning rate and for steps: the value decides, see :mod:`router.parsing.values`)."""

    params: tuple[Any, ...]
    start: int
    end: int
    size: int

    @property
    def param(self) -> Any:
        return self.params[0]


@lru_cache(maxsize=512)
def _phrases(name: str, aliases: tuple[str, ...]) -> tuple[Phrase, ...]:
    phrases = [phrase_of_name(a) for a in (name, *aliases)]
    phrases += [phrase_of_pattern(p) for p in PARAM_WORDS.get(name, ())]
    return tuple(p for p in phrases if p is not None)


def param_phrases(param: Any) -> tuple[Phrase, ...]:
    return _phrases(str(param.name), tuple(str(a) for a in getattr(param, "aliases", ())))


def find_mentions(tokens: Sequence[Token], params: Iterable[Any]) -> list[Mention]:
    """Non-overlapping mentions in text order; of two overlapping ones the longer name wins
    («шаг обучения» is the learning rate, not a number of steps)."""
    best: dict[tuple[int, int], dict[str, tuple[int, Any]]] = {}
    for param in params:
        for s, e, ph in find(tokens, param_phrases(param)):
            same = best.setdefault((s, e), {})
            if ph.size > same.get(param.name, (-1, None))[0]:
                same[param.name] = (ph.size, param)
    found = []
    for (s, e), by_name in best.items():
        ranked = sorted(by_name.values(), key=lambda sp: -sp[0])
        found.append(Mention(tuple(p for _, p in ranked), s, e, ranked[0][0]))
    found.sort(key=lambda m: (-(m.end - m.start), -m.size, m.start))
    taken: list[Mention] = []
    for m in found:
        if all(m.end <= o.start or m.start >= o.end for o in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def is_strict_separator(tok: Token) -> bool:
    return tok.kind == "punct" and tok.text in STRICT_SEPARATORS


def is_equals_word(tok: Token) -> bool:
    return tok.kind != "num" and bool(_EQUALS_RE.fullmatch(tok.text))


def said_of_a_quantity(tokens: Sequence[Token], i: int) -> bool:
    """Number ``i`` follows a quantity no demo takes («accuracy 90%», "top-p 0.9", «f1 = 0.8»), past at
    most one separator or equals word (:data:`router.parsing.lexicon.QUANTITY_WORDS`)."""
    j = i - 1
    if j >= 0 and (is_strict_separator(tokens[j]) or is_equals_word(tokens[j])):
        j -= 1
    words: list[str] = []
    while j >= 0 and len(words) < 2 and tokens[j].kind == "word":
        words.insert(0, tokens[j].text)
        if _QUANTITY_RE.fullmatch(" ".join(words)):
            return True
        j -= 1
    return False


def value_after(tokens: Sequence[Token], m: Mention) -> int | None:
    """Index of the number right after the mention («p=0.3», «p 0.3», «p равно 0.3», "p of 0.3")."""
    j = m.end
    if j < len(tokens) and (
        is_strict_separator(tokens[j]) or is_equals_word(tokens[j]) or tokens[j].text in "-—–"
    ):
        j += 1
    if j < len(tokens) and tokens[j].kind == "num" and not tokens[j].blank:
        return j
    return None


def value_before(tokens: Sequence[Token], m: Mention) -> int | None:
    """Index of the number right before the mention ("2000 steps", «5 кластеров», "5-shot")."""
    j = m.start - 1
    if j >= 1 and tokens[j].text == "-" and tokens[j].start == tokens[j - 1].end:  # "5-shot"
        j -= 1
    if j >= 0 and tokens[j].kind == "num" and not tokens[j].blank:
        return j
    return None


def explicit_params(tokens: Sequence[Token], params: Iterable[Any]) -> set[str]:
    """Names of the parameters written next to a number: evidence of which demo is meant."""
    if not any(t.kind == "num" and not t.blank for t in tokens):
        return set()  # no number, nothing written next to one (most questions: names are not searched)
    return {
        str(p.name)
        for m in find_mentions(tokens, params)
        if value_after(tokens, m) is not None or value_before(tokens, m) is not None
        for p in m.params
    }


def choice_phrases(choice: str) -> list[Phrase]:
    """How a choice may be written: its own name and the words of :data:`CHOICE_WORDS` for it
    ("wave": «sin(6x)», «синус»)."""
    own = phrase_of_name(choice)
    return ([own] if own else []) + [phrase_of_pattern(p) for p in CHOICE_WORDS.get(choice, ())]


def chosen_params(tokens: Sequence[Token], params: Iterable[Any]) -> set[str]:
    """Names of the choice parameters one of whose word choices is written («sin(6x)», "bump"):
    evidence of which demo is meant, like a value written next to a parameter's name."""
    return {
        str(param.name)
        for param in params
        if any(
            find(tokens, choice_phrases(str(c)))
            for c in getattr(param, "choices", ()) or ()
            if re.search(r"[^\W\d_]", str(c))
        )
    }
