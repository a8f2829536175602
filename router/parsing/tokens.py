"""Tokens of a request and phrase matching over them.

The text is lower-cased (length-preserving, so token offsets point into the original text), ``ё``
is read as ``е`` and a dash or underscore between letters as a space ("k-means" = "k means",
``keep_prob`` = "keep prob"). Numbers are read in every usual form — ``0.3``, ``.3``, ``0,3``,
``1e-3``, ``10^-3``, ``8/255``, ``2k``, ``30%``, «30 процентов», "2,000" (in Latin-script text), «2 000» with a
non-breaking space — and number words («трёх», «двадцати пяти», "twenty-five", «две тысячи»)
become number tokens too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from router.parsing.lexicon import (
    DIGIT_ORDINAL,
    EN_ORDINALS,
    FRACTION_WORDS,
    MULTIPLIERS,
    NUMBER_WORDS,
    ORDINAL_TAILS,
    PERCENT_WORDS,
    RU_ORDINAL,
    RU_ORDINAL_VALUES,
    ZERO_WORDS,
)

_DIGITS = r"\d+(?:[.,]\d+)?/\d+(?:[.,]\d+)?(?![\d/])|\d+(?:[.,]\d+)?|[.,]\d+"  # 8/255 first
_GROUPED = r"[1-9]\d{0,2}(?:[\u00a0\u202f\u2009]\d{3})+"
_COMMA_THOUSANDS = r"[1-9]\d{0,2}(?:,\d{3})+(?![.,]?\d)"
_TAIL = r"(?:e[-+]?\d+|\^[-+]?\d+)?)(?P<k>[kк])?(?!\w)"  # 2k, «2к шагов»
_WORD = r"(?P<word>[^\W_][\w'’]*)"
_PUNCT = r"(?P<punct>\S)"
_TOKEN_RE = re.compile(rf"(?P<num>(?<![\w.,])[-+]?(?:{_GROUPED}|{_DIGITS}){_TAIL}|{_WORD}|{_PUNCT}")
_TOKEN_RE_EN = re.compile(
    rf"(?P<num>(?<![\w.,])[-+]?(?:{_GROUPED}|{_COMMA_THOUSANDS}|{_DIGITS}){_TAIL}|{_WORD}|{_PUNCT}"
)
_JOINER_RE = re.compile(r"(?<=[^\W\d_])[-_](?=[^\W\d_])")
_CYRILLIC_RE = re.compile(r"[а-яА-ЯёЁ]")
_PERCENT_RE = re.compile("|".join(PERCENT_WORDS))
_RU_ENDINGS = sorted(
    "иями ями ами ого его ому ему ыми ими иях ах ях ов ев ей ой ий ый ая яя ое ее ые ие ом ем ам ям ью ия ии "
    "а я о е ы и у ю ь й".split(),
    key=len,
    reverse=True,
)
_EN_ENDINGS = ("ing", "ies", "ed", "es", "s", "e", "y")
_EN_SUFFIX = r"(?:s|es|e|ed|d|y|ies|ing|ings|er|ers|[bdgmnpt](?:ed|ing|er))?"


@dataclass
class Token:
    """One word, number or punctuation mark; ``start``/``end`` index the original text."""

    kind: str  # "num" | "word" | "punct"
    text: str
    start: int
    end: int
    value: float = 0.0
    percent: bool = False  # «30%», "30 percent": the value is still 30
    weak: bool = False  # a number word or ordinal: a value only next to a parameter's name (or as a percent)
    blank: bool = False  # part of a demo's name: not a parameter's name or value


def normalize(text: str) -> str:
    """Lower case (one character per character), ``ё`` → ``е``, dashes and underscores between letters → spaces."""
    low = "".join((ch.lower() or ch)[0] for ch in text).replace("ё", "е").replace("\u2212", "-")
    return _JOINER_RE.sub(" ", low)


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC_RE.search(text))


def parse_number(raw: str) -> float | None:
    """``"0,3"``, ``".3"``, ``"1e-3"``, ``"10^-3"``, ``"8/255"``, ``"2k"``, ``"2к"``, ``"2 000"``, ``"2,000"`` → float;
    None if not a number."""
    text = raw.strip().lower().replace("\u2212", "-")
    for space in "\u00a0\u202f\u2009 ":
        text = text.replace(space, "")
    scale = 1.0
    if text.endswith(("k", "к")):
        text, scale = text[:-1], 1000.0
    if re.fullmatch(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+", text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        if "/" in text:
            top, bottom = text.split("/", 1)
            return float(top) / float(bottom) * scale
        if "^" in text:
            base, power = text.split("^", 1)
            return float(base) ** float(power) * scale
        return float(text) * scale
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; number words, percents and "2 thousand" are folded into number tokens."""
    norm = normalize(text)
    pattern = _TOKEN_RE if is_cyrillic(text) else _TOKEN_RE_EN
    tokens: list[Token] = []
    for m in pattern.finditer(norm):
        if m.group("num"):
            value = parse_number(m.group("num") + (m.group("k") or ""))
            if value is not None:
                tokens.append(Token("num", m.group(0), m.start(), m.end(), value=value))
                continue
        kind = "word" if m.group("word") else "punct"
        tokens.append(Token(kind, m.group(0), m.start(), m.end()))
    return _fold_percents(_fold_number_words(tokens))


def _ordinal(tokens: Sequence[Token], i: int) -> tuple[float, int] | None:
    """«третьей», "third", "3rd", «12-й»: (value, tokens used)."""
    tok = tokens[i]
    if tok.kind == "word":
        if m := RU_ORDINAL.fullmatch(tok.text):
            return RU_ORDINAL_VALUES[m.group(1)], 1
        if tok.text in EN_ORDINALS:
            return EN_ORDINALS[tok.text], 1
        if m := DIGIT_ORDINAL.fullmatch(tok.text):
            return float(m.group(1)), 1
    glued = (
        i + 2 < len(tokens) and tokens[i + 1].start == tok.end and tokens[i + 2].start == tokens[i + 1].end
    )
    if tok.kind == "num" and glued and tokens[i + 1].text == "-" and tokens[i + 2].text in ORDINAL_TAILS:
        return tok.value, 3
    return None


def _fold_number_words(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "word" and tok.text in FRACTION_WORDS:
            out.append(Token("num", tok.text, tok.start, tok.end, value=FRACTION_WORDS[tok.text]))
            i += 1
            continue
        ordinal = _ordinal(tokens, i)
        if ordinal is not None:  # "second" is also a unit of time: only next to a parameter's name
            value, used = ordinal
            out.append(Token("num", tok.text, tok.start, tokens[i + used - 1].end, value=value, weak=True))
            i += used
            continue
        if (
            tok.kind == "num"
            and i >= 2
            and tokens[i - 1].text == "("
            and tokens[i - 1].start == tokens[i - 2].end
        ):
            tok.weak = True  # an argument, as in torch.log(-1)
        if tok.text == "zero" and i + 1 < len(tokens) and tokens[i + 1].text == "out":
            out.append(tok)  # the verb, a word: "zero out 10% of activations" drops 10%
            i += 1
            continue
        words = _read_number_words(tokens, i)
        spoken, said = _read_spoken_decimal(tokens, i, *words)
        if said:  # a decimal or a fraction said in words is a value, as written digits are
            out.append(Token("num", tok.text, tok.start, tokens[i + said - 1].end, value=spoken))
            i += said
            continue
        value, used = _read_decimal_words(tokens, i, *words)
        if used:  # «почему три?» is no parameter: number words are values only next to a name (or a %)
            # but «а если вообще ноль?» sets one: "zero" is hardly ever said of anything else
            weak = not (used == 1 and tok.text in ZERO_WORDS)
            out.append(Token("num", tok.text, tok.start, tokens[i + used - 1].end, value=value, weak=weak))
            i += used
        elif tok.kind == "num" and i + 1 < len(tokens) and tokens[i + 1].text in MULTIPLIERS:
            nxt = tokens[i + 1]
            out.append(Token("num", tok.text, tok.start, nxt.end, value=tok.value * MULTIPLIERS[nxt.text]))
            i += 2
        else:
            out.append(tok)
            i += 1
    return out


_WHOLE_WORDS = frozenset({"целых", "целая", "целую", "целой"})
_FRACTION_PLACES = {
    "десятых": 10,
    "десятая": 10,
    "десятую": 10,
    "сотых": 100,
    "сотая": 100,
    "сотую": 100,
    "тысячных": 1000,
    "тысячная": 1000,
    "тысячную": 1000,
}
_POINT_WORDS = frozenset({"point", "запятая", "точка"})


def _digit_words(tokens: Sequence[Token], j: int) -> tuple[str, int]:
    """The digits said one by one after a decimal point («ноль пять», "zero five") or as one number
    under a hundred («двадцать пять»): (digits, index after them); "" when none."""
    digits = ""
    while j < len(tokens) and tokens[j].kind == "word" and NUMBER_WORDS.get(tokens[j].text, 10) < 10:
        digits += str(int(NUMBER_WORDS[tokens[j].text]))
        j += 1
    if not digits:
        value, used = _read_number_words(tokens, j)
        if used and value < 100:
            return str(int(value)), j + used
        if j < len(tokens) and tokens[j].kind == "num" and tokens[j].text.isdigit():
            return tokens[j].text, j + 1
    return digits, j


def _read_spoken_decimal(tokens: Sequence[Token], i: int, whole: float, used: int) -> tuple[float, int]:
    """A decimal said in words: "zero point zero five" → 0.05, "point five" → 0.5, «ноль один» → 0.1,
    «ноль ноль пять» → 0.05, «одна тысячная» → 0.001 (``whole``, ``used``: :func:`_read_number_words`
    at ``i``). Returns (value, tokens used); used is 0 if none."""
    j = i + used
    if j + 1 < len(tokens) and tokens[j].text in _POINT_WORDS:
        digits, end = _digit_words(tokens, j + 1)
        if digits:
            return whole + float("0." + digits), end - i
    if used and tokens[i].text in ZERO_WORDS and i + 1 < len(tokens):
        digits, end = _digit_words(tokens, i + 1)
        if digits:
            return float("0." + digits), end - i
    if used and j < len(tokens) and tokens[j].text in _FRACTION_PLACES:
        return whole / _FRACTION_PLACES[tokens[j].text], used + 1
    return 0.0, 0


def _read_decimal_words(tokens: Sequence[Token], i: int, whole: float, used: int) -> tuple[float, int]:
    """The number read at ``i`` (``whole``, ``used`` tokens: :func:`_read_number_words`), extended by a
    fraction in words: «ноль целых три десятых» → 0.3, «одна целая пять десятых» → 1.5, «0 целых 25
    сотых» → 0.25. Returns (value, tokens used): the number as read when no fraction follows."""
    read = whole, used
    if tokens[i].kind == "num" and not used:
        whole, used = float(tokens[i].value or 0.0), 1
    if not used or i + used + 1 >= len(tokens) or tokens[i + used].text not in _WHOLE_WORDS:
        return read
    start = i + used + 1
    part, part_used = _read_number_words(tokens, start)
    if not part_used and tokens[start].kind == "num":
        part, part_used = float(tokens[start].value or 0.0), 1
    place = start + part_used
    if not part_used or place >= len(tokens) or tokens[place].text not in _FRACTION_PLACES:
        return read
    return whole + part / _FRACTION_PLACES[tokens[place].text], place - i + 1


def _read_number_words(tokens: Sequence[Token], i: int) -> tuple[float, int]:
    """«двадцать пять», "two hundred", «три тысячи»: (value, tokens used); used is 0 if none."""
    total, current, used = 0.0, 0.0, 0
    while i + used < len(tokens) and tokens[i + used].kind == "word":
        word = tokens[i + used].text
        if word in MULTIPLIERS and used:
            scale = MULTIPLIERS[word]
            if scale == 100 and current < 100:
                current = max(current, 1) * 100
            elif scale == 1000:
                total, current = total + max(current, 1) * 1000, 0.0
            else:
                break
        elif word in NUMBER_WORDS:
            value = NUMBER_WORDS[word]
            rest = current % 100
            if used and not (
                (value >= 100 and current == 0 and total == 0)
                or (10 <= value < 100 and rest == 0)
                or (value < 10 and (rest == 0 or (rest >= 20 and rest % 10 == 0)))
            ):
                break
            current += value
        else:
            break
        used += 1
    return total + current, used


def _fold_percents(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == "num" and not prev.percent:
            if tok.text == "%" or (tok.kind == "word" and _PERCENT_RE.fullmatch(tok.text)):
                prev.percent, prev.end = True, tok.end
                continue
        out.append(tok)
    return out


def _word_parts(word: str) -> tuple[str, str]:
    """(the literal stem every match starts with, the regex)."""
    if not word[:1].isalpha():
        return word, re.escape(word)
    if is_cyrillic(word):
        stem = next(
            (word[: -len(e)] for e in _RU_ENDINGS if word.endswith(e) and len(word) - len(e) >= 4), word
        )
        if len(stem) <= 3:
            return stem, re.escape(stem) + r"\w{0,2}"
        return stem, re.escape(stem) + r"\w{0,4}"
    if len(word) <= 3:
        return word, re.escape(word)
    stem = next((word[: -len(e)] for e in _EN_ENDINGS if word.endswith(e) and len(word) - len(e) >= 3), word)
    return stem, re.escape(stem) + _EN_SUFFIX  # "drop" matches "drops", "dropped", never "dropout"


def word_pattern(word: str) -> str:
    """A regex for ``word`` written with any usual ending: «вероятность» also matches «вероятностью»."""
    return _word_parts(word)[1]


_SPECIAL = frozenset("\\.^$*+?{}[]|()")


def literal_prefix(pattern: str) -> str:
    """The text every full match of ``pattern`` starts with ("" when unsure): «вероятност\\w*» →
    «вероятност», "bumps?" → "bump", "a|b" → ""."""
    depth, escaped = 0, False
    for ch in pattern:
        if not escaped:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if ch == "|" and depth == 0:
                return ""  # a top-level alternative starts differently
        escaped = ch == "\\" and not escaped
    end = 0
    while end < len(pattern) and pattern[end] not in _SPECIAL:
        end += 1
    if end < len(pattern) and pattern[end] in "?*{":
        end -= 1  # the letter before a quantifier may be absent or repeated
    return pattern[: max(end, 0)]


class WordMatcher:
    """``fullmatch`` of :func:`word_pattern` (or a lexicon pattern), compiled on first need. Most
    names never meet a token that starts like them, and compiling the ~500 patterns of the demos'
    names and parameters up front cost 0.15–0.25 s of every cold start."""

    __slots__ = ("_compiled", "pattern", "prefix")

    def __init__(self, word: str, pattern: str | None = None):
        if pattern is None:
            self.prefix, self.pattern = _word_parts(word)
        else:
            self.prefix, self.pattern = literal_prefix(pattern), pattern
        self._compiled: re.Pattern[str] | None = None

    def fullmatch(self, text: str) -> re.Match[str] | None:
        if not text.startswith(self.prefix):
            return None
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled.fullmatch(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordMatcher) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"WordMatcher({self.pattern!r})"


@dataclass(frozen=True)
class Phrase:
    """A name to look for: one item per token (a word matcher or regex, or a number's value). ``size`` ranks rival names."""

    items: tuple[re.Pattern[str] | WordMatcher | float, ...]
    size: int


@lru_cache(maxsize=4096)
def phrase_of_name(name: str) -> Phrase | None:
    """A phrase for a name written by a person (a spec alias, a title, a note alias)."""
    items: list[re.Pattern[str] | WordMatcher | float] = []
    for tok in tokenize(name):
        items.append(tok.value if tok.kind == "num" else WordMatcher(tok.text))
    return Phrase(tuple(items), len(name.strip())) if items else None


@lru_cache(maxsize=1024)
def phrase_of_pattern(pattern: str) -> Phrase:
    """A phrase from a lexicon entry: space-separated word regexes."""
    parts = pattern.split()
    return Phrase(tuple(WordMatcher(p, p) for p in parts), len(pattern.replace("\\w*", "")))


def matches_at(tokens: Sequence[Token], i: int, phrase: Phrase) -> bool:
    if i + len(phrase.items) > len(tokens):
        return False
    for tok, item in zip(tokens[i:], phrase.items, strict=False):
        if tok.blank:
            return False
        if isinstance(item, float):
            if tok.kind != "num" or tok.value != item:
                return False
        elif tok.kind == "num" or not item.fullmatch(tok.text):
            return False
    return True


def first_letter(item: re.Pattern[str] | WordMatcher | float) -> str:
    """The letter a token must start with to match ``item`` ("" when any may, or for a number)."""
    prefix = item.prefix if isinstance(item, WordMatcher) else ""
    return prefix[:1]


@dataclass(frozen=True)
class PhraseTable:
    """Phrases grouped by the letter their first word starts with, built once for a fixed list of
    names (the demos' ~1,700 names and their notes' aliases): a question then tries only the phrases
    whose first letter starts one of its words, not every phrase."""

    phrases: tuple[Phrase, ...]
    by_letter: Mapping[str, tuple[int, ...]]
    anywhere: tuple[int, ...]  # phrases whose first item is a number or has no literal first letter

    @classmethod
    def of(cls, phrases: Iterable[Phrase]) -> PhraseTable:
        listed = tuple(phrases)
        by_letter: dict[str, list[int]] = {}
        anywhere: list[int] = []
        for n, phrase in enumerate(listed):
            letter = first_letter(phrase.items[0])
            if letter:
                by_letter.setdefault(letter, []).append(n)
            else:
                anywhere.append(n)
        return cls(listed, {k: tuple(v) for k, v in by_letter.items()}, tuple(anywhere))


def find_each(
    tokens: Sequence[Token], phrases: Sequence[Phrase] | PhraseTable
) -> list[list[tuple[int, int, Phrase]]]:
    """For each of ``phrases`` (in order), every place where it occurs as (first token, end token,
    phrase). The words are read once and grouped by first letter, so a phrase is tried only where a
    word starts like it: the demos' ~400 names were each tried on every word of every question. With a
    :class:`PhraseTable` the phrases are grouped too, and only those a word could start are tried."""
    words = [None if t.kind == "num" or t.blank else t.text for t in tokens]
    every = [i for i, w in enumerate(words) if w]
    by_first: dict[str, list[int]] = {}
    for i in every:
        by_first.setdefault(str(words[i])[0], []).append(i)
    numbers = [i for i, t in enumerate(tokens) if t.kind == "num" and not t.blank]
    if isinstance(phrases, PhraseTable):
        listed = phrases.phrases
        tried = sorted({*phrases.anywhere, *(n for k in by_first for n in phrases.by_letter.get(k, ()))})
    else:
        listed = tuple(phrases)
        tried = list(range(len(listed)))
    out: list[list[tuple[int, int, Phrase]]] = [[] for _ in listed]
    for n in tried:
        phrase = listed[n]
        first = phrase.items[0]
        if isinstance(first, float):
            starts = [i for i in numbers if tokens[i].value == first]
        else:
            letter = first_letter(first)
            pool = by_first.get(letter, []) if letter else every
            starts = [i for i in pool if first.fullmatch(str(words[i]))]
        size = len(phrase.items)
        out[n] = [(i, i + size, phrase) for i in starts if size == 1 or matches_at(tokens, i, phrase)]
    return out


def find(tokens: Sequence[Token], phrases: Iterable[Phrase]) -> list[tuple[int, int, Phrase]]:
    """Every place where one of ``phrases`` occurs, as (first token, end token, phrase)."""
    return [match for found in find_each(tokens, list(phrases)) for match in found]


@lru_cache(maxsize=64)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))
