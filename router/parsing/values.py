"""Parameter values in a request, for one demo's parameter specs.

Forms read, strongest first: ``name=value`` / ``name: value`` (anything else after the ``=`` is a
:class:`ParamValueError`), ``name value`` («p 0.3», "temperature of 2", «p равно 0.6»),
``value name`` ("2000 steps", «5 кластеров», «на трёх примерах»), the same with a word or two between
(«вероятность сохранения 0.8», "5 newton steps"), and finally a bare number for the one numeric
parameter it can be («дропаут 0.7», "overfitting 12" → degree, as noise stops at 2).
Percents are fractions for float parameters; for a parameter declared ``complement`` (a drop
probability) "keep X" / «оставь X» means 1 − X. Choice values are found by name or everyday word
(«функция bump», "the wave function", «на синусе»); text values are a quoted phrase or the rest of the
text after the parameter's name («на предложении: кот сел на ковёр»).

Values are typed: ``int`` for integral values of int parameters, ``float`` otherwise, ``str`` for
choices and text. Ranges are not checked here: the demo registry does that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from common.errors import UserError
from router.parsing.lexicon import DROP_WORDS, KEEP_WORDS
from router.parsing.mentions import (
    Mention,
    choice_phrases,
    find_mentions,
    is_strict_separator,
    said_of_a_quantity,
    value_after,
    value_before,
)
from router.parsing.tokens import Token, find, parse_number

Value = float | int | str
NUMERIC = ("int", "float")
MAX_FILLERS_AFTER = 2  # «вероятность сохранения 0.8»: words between a name and its value
MAX_FILLERS_BEFORE = 1  # "5 newton steps"
CONTEXT_WORDS = 3  # how far a keep/drop verb may stand from the value
_CLAUSE_END = set(",;.!?()")
# up to three words between a demo's name and the colon that opens its text («внимание для: …», "attention map for: …")
_NAME_TAIL_COLON_RE = re.compile(r"(?:[^\W\d_]+\s+){0,2}(?:[^\W\d_]+)?\s*:")
# A text given after a few words that only say "now this one" and a colon ("now try: the animal didn't
# cross the street", «а теперь: кот сел на ковёр», «попробуй на этом: …»): the text of a demo that
# takes one, when nothing names its parameter.
_TEXT_LEAD_RE = re.compile(
    r"^\W*(?:(?:а|и|ну|ок|окей|ok|okay|and|now|then|теперь|тогда|попробуй|давай|try|with|on|на|с|for|для"
    r"|вот|этом|этой|это|this|one|it|another|другой|другом|ещё|еще)\s*){1,4}:\s*",
    re.I,
)
_QUOTES_RE = re.compile(r"«([^»]*)»|\"([^\"]*)\"|“([^”]*)”|„([^“”]*)[“”]|(?<!\w)'([^']*)'(?!\w)")
_KEEP_RE = re.compile("|".join(f"(?:{w})" for w in KEEP_WORDS))
_DROP_RE = re.compile("|".join(f"(?:{w})" for w in DROP_WORDS))


def _fmt(value: Any) -> str:
    return f"{float(value):g}" if isinstance(value, int | float) else str(value)


class ParamValueError(UserError):
    """A parameter's value is written but can't be read; the message names the parameter and its range."""

    key = "demo_value_float"

    def __init__(self, param: Any, got: str = "") -> None:
        kind = getattr(param, "kind", "float")
        fields: dict[str, Any] = {"param": param.name}
        if kind in NUMERIC:
            key = "demo_value_int" if kind == "int" else "demo_value_float"
            fields.update(lo=_fmt(param.min), hi=_fmt(param.max), example=_fmt(param.default))
        elif kind == "choice":
            key = "demo_value_choice"
            fields.update(choices=", ".join(map(str, param.choices)), example=param.default)
        else:
            key = "demo_value_text"
        super().__init__(key, **fields)
        self.param = str(param.name)
        self.got = got


def quoted_spans(text: str) -> list[tuple[int, int, int, int]]:
    """Quoted phrases: (outer start, outer end, inner start, inner end) offsets."""
    spans = []
    for m in _QUOTES_RE.finditer(text):
        group = next(g for g in range(1, 6) if m.group(g) is not None)
        spans.append((m.start(), m.end(), m.start(group), m.end(group)))
    return spans


class _Reader:
    def __init__(self, text: str, tokens: list[Token], params: Sequence[Any]) -> None:
        self.text, self.tokens, self.params = text, tokens, list(params)
        self.values: dict[str, Value] = {}
        self.problems: list[ParamValueError] = []
        self.settled: set[str] = set()  # set, or reported as unreadable
        self.used: set[int] = set()

    def settle(self, param: Any, value: Value | None = None, got: str | None = None) -> None:
        self.settled.add(param.name)
        if got is not None:
            self.problems.append(ParamValueError(param, got))
        elif value is not None:
            self.values[param.name] = value

    def blank(self, start: int, end: int) -> None:
        for tok in self.tokens:
            if start <= tok.start and tok.end <= end:
                tok.blank = True

    # ---------------------------------------------------------------- text

    def read_text(self, param: Any, name_spans: Sequence[tuple[int, int]]) -> None:
        mentions = find_mentions(self.tokens, [param])
        quotes = quoted_spans(self.text)
        if quotes:
            after = [q for q in quotes if any(self.tokens[m.end - 1].end <= q[0] for m in mentions)]
            start, end, inner_start, inner_end = (after or quotes)[0]
            inner = self.text[inner_start:inner_end].strip()
            self.settle(param, inner, got=None if inner else "")
            self.blank(start, end)
            return
        leads = [self.tokens[m.end - 1].end for m in mentions] + [e for _, e in name_spans]
        lead_in = _TEXT_LEAD_RE.match(self.text)
        if not mentions and lead_in is not None:
            leads.append(lead_in.end())
        for lead in leads:
            rest = self.text[lead:].lstrip()
            is_mention = lead not in (e for _, e in name_spans) or (
                lead_in is not None and lead == lead_in.end()
            )
            if not is_mention:  # after the demo's name, the text follows a colon ("attention map for: …")
                colon = _NAME_TAIL_COLON_RE.match(rest)
                if colon is None:
                    continue
                rest = rest[colon.end() - 1 :]
            rest = rest.lstrip("=:—–- \t").rstrip(" .!?\t\n")
            if re.search(r"\w", rest):
                self.settle(param, rest)
                self.blank(lead, len(self.text))
                return

    # ---------------------------------------------------------------- choices

    def read_choice(self, param: Any) -> None:
        for start, end, choice in self._choice_hits(param):
            self.settle(param, choice)
            self.blank(self.tokens[start].start, self.tokens[end - 1].end)
            return
        for m in find_mentions(self.tokens, [param]):
            j = m.end + (1 if m.end < len(self.tokens) and is_strict_separator(self.tokens[m.end]) else 0)
            if j < len(self.tokens) and self.tokens[j].kind != "punct" and not self.tokens[j].blank:
                self.settle(param, got=self.tokens[j].text)
                return

    def _choice_hits(self, param: Any) -> list[tuple[int, int, str]]:
        hits = []
        for choice in param.choices:
            for s, e, _ in find(self.tokens, choice_phrases(str(choice))):
                hits.append((s, e, str(choice)))
        return sorted(hits, key=lambda h: (h[0], h[0] - h[1]))  # "sin(6x)" is wave, not sin

    # ---------------------------------------------------------------- numbers

    def read_numbers(self) -> None:
        numeric = [p for p in self.params if getattr(p, "kind", "") in NUMERIC]
        mentions = find_mentions(self.tokens, numeric)
        starts = {m.start for m in find_mentions(self.tokens, self.params)}
        for m in mentions:  # name=value: the strictest form, and the only one that can be wrong
            if is_strict_separator(self.tokens[m.end]) if m.end < len(self.tokens) else False:
                j = m.end + 1
                unset = [p for p in m.params if p.name not in self.settled]
                if j < len(self.tokens) and self.tokens[j].kind == "num":
                    word = self._rest_of_word(j)
                    if unset and (word[:1].isdigit() or word[:1] in "+-.,"):
                        if parse_number(word.rstrip("%")) is None:  # «p=0.3.5», "lr=1e-3x"
                            self.settle(unset[0], got=word)
                            continue
                    self.take(m, j)
                elif unset and j not in starts:  # not «dropout: p=0.3»
                    got = self.tokens[j].text if j < len(self.tokens) else ""
                    self.settle(unset[0], got=self._rest_of_word(j) if got else "")
        passes: tuple[Callable[[Mention], int | None], ...] = (
            lambda m: value_after(self.tokens, m),  # «p 0.3», "temperature of 2"
            lambda m: value_before(self.tokens, m),  # "2000 steps"
            self._value_through_fillers,  # «вероятность сохранения 0.8», "5 newton steps"
        )
        for value_of in passes:
            for m in mentions:
                k = value_of(m)
                if k is not None:
                    self.take(m, k)
        self.read_bare_numbers(numeric)

    def _rest_of_word(self, j: int) -> str:
        """The written word starting at token ``j``, without the punctuation after it."""
        tail = self.text[self.tokens[j].start :].split()
        return tail[0].rstrip(",;.!?)»\"'") if tail else ""

    def _value_through_fillers(self, m: Mention) -> int | None:
        j = m.end
        for _ in range(MAX_FILLERS_AFTER + 1):
            if j >= len(self.tokens):
                return None
            tok = self.tokens[j]
            if tok.kind == "num":
                return None if tok.blank or j in self.used else j
            if tok.kind != "word" or tok.blank:
                return None
            j += 1
        j = m.start - 1
        for _ in range(MAX_FILLERS_BEFORE):
            if j < 0 or self.tokens[j].kind != "word" or self.tokens[j].blank:
                return None
            j -= 1
        if j >= 0 and self.tokens[j].kind == "num" and not self.tokens[j].blank and j not in self.used:
            return j
        return None

    def read_bare_numbers(self, numeric: Sequence[Any]) -> None:
        free = [
            i
            for i, t in enumerate(self.tokens)
            if t.kind == "num"
            and not t.blank
            and (t.percent or not t.weak)
            and i not in self.used
            and not said_of_a_quantity(self.tokens, i)  # «accuracy 90% это хорошо?» sets no parameter
        ]
        unset = [p for p in numeric if p.name not in self.settled]
        if (
            len(numeric) == 1
            and len(unset) == 1
            and len(free) == 1
            and (_keeps_or_drops(unset[0]) or self._kept_or_dropped(free[0], None) is None)
        ):  # «дропаут 1.5»: the registry says why not
            self.take(unset[0], free[0])
            return
        for i in free:
            fits = [p for p in unset if p.name not in self.settled and _fits(p, self._number(p, i))]
            if self._kept_or_dropped(i, None) is not None:
                # «оставь 70% нейронов» is said of units: only a keep or drop probability takes it
                # (not the temperature of the demo that ran last)
                fits = [p for p in fits if _keeps_or_drops(p)]
            if len(fits) == 1:
                self.take(fits[0], i)

    def _number(self, param: Any, i: int) -> float:
        tok = self.tokens[i]
        return tok.value / 100 if tok.percent else tok.value

    def take(self, target: Any, i: int) -> None:
        """Read number ``i`` for ``target``: a parameter, or a :class:`Mention` of one or more."""
        mention = target if isinstance(target, Mention) else None
        param = self._choose(mention, i) if mention else target
        if param is None or param.name in self.settled or i in self.used:
            return
        self.used.add(i)
        tok = self.tokens[i]
        if tok.percent and param.kind == "int":
            self.settle(param, got=self.text[tok.start : tok.end])
            return
        value = self._number(param, i)
        if is_complement(param) and self._says_keep(i, mention):
            value = 1.0 - value
        if param.kind == "int" and float(value).is_integer():
            self.settle(param, int(value))
        else:
            self.settle(param, float(f"{value:.12g}"))

    def _choose(self, mention: Mention, i: int) -> Any:
        """Of the parameters a name may mean («шаг»: lr or steps), the one the value fits («шаг 0.1» — lr,
        «300 шагов» — steps); else an int parameter for a whole number; else the first."""
        unset = [p for p in mention.params if p.name not in self.settled]
        fits = [p for p in unset if _fits(p, self._number(p, i))]
        whole = [p for p in unset if p.kind == "int" and float(self.tokens[i].value).is_integer()]
        return (fits or whole or unset or [None])[0]

    def _says_keep(self, i: int, mention: Mention | None) -> bool:
        """Is the value said of what is kept («оставь 20%», "keep probability 0.9") rather than dropped?"""
        return self._kept_or_dropped(i, mention) is True

    def _kept_or_dropped(self, i: int, mention: Mention | None) -> bool | None:
        """True when the value is said of what is kept («оставь 20%»), False when of what is dropped
        ("zero out 10%"), None when of neither (the nearest such word decides)."""
        lo = min(i, mention.start) if mention else i
        hi = max(i, mention.end - 1) if mention else i
        inside = [t.text for t in self.tokens[lo : hi + 1] if t.kind == "word"]
        if any(_KEEP_RE.fullmatch(w) for w in inside):
            return True
        if any(_DROP_RE.fullmatch(w) for w in inside):
            return False
        nearest: tuple[int, bool] | None = None
        for step, j in ((-1, lo - 1), (1, hi + 1)):
            words = 0
            while (
                0 <= j < len(self.tokens) and words < CONTEXT_WORDS and self.tokens[j].text not in _CLAUSE_END
            ):
                tok, j = self.tokens[j], j + step
                if tok.kind != "word":
                    continue
                words += 1
                keep = bool(_KEEP_RE.fullmatch(tok.text))
                if keep or _DROP_RE.fullmatch(tok.text):
                    if nearest is None or words < nearest[0]:
                        nearest = (words, keep)
                    break
        return nearest[1] if nearest else None


def _alias_words(param: Any) -> list[str]:
    return [w for a in getattr(param, "aliases", ()) for w in re.split(r"[\s_-]+", str(a).lower())]


def is_complement(param: Any) -> bool:
    """Is ``param`` a drop probability, so that "keep X" means 1 − X? Declared by ``complement``; without
    it, a parameter whose aliases say "drop" («обнуление», "drop_p") and never "keep" is one."""
    declared = getattr(param, "complement", None)
    if declared is not None:
        return bool(declared)
    words = _alias_words(param)
    return any(_DROP_RE.fullmatch(w) for w in words) and not any(_KEEP_RE.fullmatch(w) for w in words)


def _keeps_or_drops(param: Any) -> bool:
    """Is ``param`` a probability to keep or to drop (declared either way, or so named by its aliases)?"""
    return getattr(param, "complement", None) is not None or any(
        _KEEP_RE.fullmatch(w) or _DROP_RE.fullmatch(w) for w in _alias_words(param)
    )


def _fits(param: Any, value: float) -> bool:
    if param.kind == "int" and not float(value).is_integer():
        return False
    return bool(param.min <= value <= param.max)


def read_params(
    text: str, tokens: list[Token], params: Sequence[Any], name_spans: Sequence[tuple[int, int]] = ()
) -> tuple[dict[str, Value], list[ParamValueError]]:
    """The values ``text`` gives for ``params`` and the ones it writes but can't be read.

    ``tokens`` are :func:`router.parsing.tokens.tokenize` of ``text`` (they get marked as used);
    ``name_spans`` are where demo names are written: they are not parameter names or values, unless
    a whole name is also a parameter's («температура 0.5»).
    """
    whole = {(tokens[m.start].start, tokens[m.end - 1].end) for m in find_mentions(tokens, params)}
    reader = _Reader(text, tokens, params)
    for span in name_spans:
        if span not in whole:
            reader.blank(*span)
    for param in params:
        if getattr(param, "kind", "") == "text":
            reader.read_text(param, [s for s in name_spans if s not in whole])
    for param in params:
        if getattr(param, "kind", "") == "choice":
            reader.read_choice(param)
    reader.read_numbers()
    order = [p.name for p in params]
    return {k: reader.values[k] for k in order if k in reader.values}, reader.problems
