"""Which demo a request means.

In order: a demo named in the text (its id, title, the head of its title, or the title and aliases of
its knowledge notes, passed in by the caller; the one named first, where a name inside a longer one
does not count: "spatial dropout" is not "dropout"); else the caller's fallback (retrieval or the dialogue), unless the text sets parameters
that demo lacks and exactly one other demo has; else a word found in one demo's names only; else the
one demo whose parameters the text sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from router.parsing.lexicon import STOP_STEMS
from router.parsing.mentions import chosen_params, explicit_params, find_mentions
from router.parsing.tokens import (
    Phrase,
    PhraseTable,
    Token,
    WordMatcher,
    find_each,
    first_letter,
    phrase_of_name,
    tokenize,
    word_pattern,
)

# Where a title splits into names: "Dropout: …", "Механизм внимания (attention)" — never inside log(0).
_TITLE_PARTS_RE = re.compile(r":|;|\s—\s|\s\(|\)")
_LETTER_RE = re.compile(r"[^\W\d_]")
MIN_WORD = 5  # letters in a word that may identify a demo on its own


@dataclass
class Naming:
    """The demo found (None if none), how it was found and where demo names were written (text offsets)."""

    demo_id: str | None
    how: str = ""  # "name" | "fallback" | "words" | "params"
    spans: list[tuple[int, int]] = field(default_factory=list)


def names_of(spec: Any, extra: Iterable[str] = ()) -> list[str]:
    """The names a request may call a demo by: id, titles, the parts of the titles, ``extra`` (note names)."""
    names = [spec.id, spec.id.replace("-", " ")]
    titles = (getattr(spec, "title_ru", ""), getattr(spec, "title_en", ""))
    for title in (*titles, *extra):
        if not title:
            continue
        names.append(title)
        # A demo's title is its subject, a colon, then what it shows: «Learning rate: слишком маленький,
        # хороший, …». The parts of the subject name it; «хороший» does not.
        named = title.partition(":")[0] if title in titles else title
        parts = [part for part in _TITLE_PARTS_RE.split(named) if 0 < len(part.split()) <= 4]
        names += [part for part in parts if len(_LETTER_RE.findall(part)) >= 4]
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def _word_sources(spec: Any, extra: Iterable[str], common: frozenset[str]) -> list[str]:
    """The names whose single words may name a demo, and the words of the titles' descriptions that
    are not ``common``: «многочлены» names the overfitting demo, «хороший» (Learning rate: слишком
    маленький, хороший, …) names none."""
    titles = [t for t in (getattr(spec, "title_ru", ""), getattr(spec, "title_en", "")) if t]
    named = [name for name in names_of(spec, extra) if name not in titles or ":" not in name]
    described = [
        tok.text
        for title in titles
        for tok in tokenize(title.partition(":")[2])
        if tok.kind == "word" and tok.text not in common
    ]
    return named + described


@dataclass(frozen=True)
class _Index:
    phrases: tuple[tuple[str, Phrase], ...]
    table: PhraseTable  # the phrases grouped by first letter (built once per set of names)
    # patterns of words found in one demo's names only, grouped by first letter the same way
    words_by_letter: Mapping[str, tuple[tuple[str, WordMatcher], ...]]

    def words_for(self, text: str) -> tuple[tuple[str, WordMatcher], ...]:
        """The one-demo word patterns a token starting like ``text`` could match."""
        return self.words_by_letter.get(text[:1], ()) + self.words_by_letter.get("", ())


@dataclass(frozen=True)
class _Titles:
    id: str
    title_ru: str
    title_en: str


_Key = tuple[tuple[str, str, str, tuple[str, ...]], ...]  # per demo: id, titles, its notes' names


def _key(demos: Sequence[Any], names: Mapping[str, Sequence[str]]) -> _Key:
    return tuple(
        (d.id, getattr(d, "title_ru", ""), getattr(d, "title_en", ""), tuple(names.get(d.id, ())))
        for d in demos
    )


def _build_index(key: _Key, common: frozenset[str]) -> _Index:
    phrases: list[tuple[str, Phrase]] = []
    owners: dict[str, tuple[WordMatcher, set[str]]] = {}
    for demo_id, title_ru, title_en, extra in key:
        spec = _Titles(demo_id, title_ru, title_en)
        for name in names_of(spec, extra):
            phrase = phrase_of_name(name)
            if phrase is not None:
                phrases.append((demo_id, phrase))
        for name in _word_sources(spec, extra, common):
            for tok in tokenize(name):
                if (
                    tok.kind == "word"
                    and len(tok.text) >= MIN_WORD
                    and not tok.text.startswith(tuple(STOP_STEMS))
                ):
                    owners.setdefault(word_pattern(tok.text), (WordMatcher(tok.text), set()))[1].add(demo_id)
    words_by_letter: dict[str, list[tuple[str, WordMatcher]]] = {}
    for matcher, ids in owners.values():
        if len(ids) == 1:
            words_by_letter.setdefault(first_letter(matcher), []).append((next(iter(ids)), matcher))
    return _Index(
        tuple(phrases),
        PhraseTable.of(phrase for _, phrase in phrases),
        {k: tuple(v) for k, v in words_by_letter.items()},
    )


# Phrase tables by (names, common words): a process meets one or two sets of names. Building one
# tokenises every name (~40 ms); :func:`tables_for` and :func:`adopt` let a caller save them with the
# index version the names came from and load them at the next start instead.
_TABLES: dict[tuple[_Key, frozenset[str]], _Index] = {}
_MAX_TABLES = 16


def _index(key: _Key, common: frozenset[str]) -> _Index:
    index = _TABLES.get((key, common))
    if index is None:
        index = _keep(key, common, _build_index(key, common))
    return index


def _keep(key: _Key, common: frozenset[str], index: _Index) -> _Index:
    if len(_TABLES) >= _MAX_TABLES:
        _TABLES.clear()
    _TABLES[(key, common)] = index
    return index


def tables_for(
    demos: Sequence[Any], names: Mapping[str, Sequence[str]], common: frozenset[str]
) -> dict[tuple[_Key, frozenset[str]], _Index]:
    """The phrase tables :func:`identify` uses for these demos: with no extra names and no common
    words (a demo's own names only), and with ``names`` and ``common``. Built if not yet; picklable."""
    keys = [(_key(demos, {}), frozenset()), (_key(demos, names), common)]
    return {(key, words): _index(key, words) for key, words in keys}


def adopt(tables: Mapping[tuple[_Key, frozenset[str]], _Index]) -> None:
    """Use phrase tables built earlier (by :func:`tables_for`, in this process or saved by another)."""
    for (key, common), index in tables.items():
        _keep(key, common, index)


def identify(
    tokens: Sequence[Token],
    demos: Sequence[Any],
    names: Mapping[str, Sequence[str]] | None = None,
    fallback: str | None = None,
    common: frozenset[str] = frozenset(),
) -> Naming:
    """Find the demo ``tokens`` ask for (see the module doc for the order of evidence); ``common``:
    words too widespread to name a demo from its title's description (:func:`_word_sources`)."""
    index = _index(_key(demos, names or {}), common)
    by_id = {d.id: d for d in demos}
    hits: dict[str, list[tuple[int, int, int]]] = {}
    for (demo_id, _), found in zip(index.phrases, find_each(tokens, index.table), strict=True):
        for s, e, ph in found:
            hits.setdefault(demo_id, []).append((s, e, ph.size))
    spans = [(tokens[s].start, tokens[e - 1].end) for found in hits.values() for s, e, _ in found]
    if len(hits) > 1:
        hits = _drop_parameter_names(tokens, hits, by_id)
    if hits:
        return Naming(_first_named(hits), "name", spans)
    evidence = {d.id: explicit_params(tokens, d.params) for d in demos}
    by_params = _only_best({d: len(v) for d, v in evidence.items() if v})
    if fallback in by_id:
        fallback_lacks_them = evidence[str(fallback)] == set() and any(evidence.values())
        if fallback_lacks_them and by_params:
            return Naming(by_params, "params", spans)
        return Naming(fallback, "fallback", spans)
    votes: dict[str, int] = {}
    for tok in tokens:
        if tok.kind != "word" or tok.blank:
            continue
        for demo_id, pattern in index.words_for(tok.text):
            if pattern.fullmatch(tok.text):
                votes[demo_id] = votes.get(demo_id, 0) + 1
    by_words = _only_best(votes)
    if by_words:
        return Naming(by_words, "words", spans)
    # «one ReLU layer fitting sin(6x), 2000 steps»: steps fit many demos, the wave only one (a choice
    # alone is no evidence: «закодировал цифрами от 1 до 50» asks for no demo of digits)
    written = {d.id: len(evidence[d.id] | chosen_params(tokens, d.params)) for d in demos if evidence[d.id]}
    by_written = _only_best({d: n for d, n in written.items() if n})
    return Naming(by_written, "params" if by_written else "", spans)


def _first_named(hits: Mapping[str, list[tuple[int, int, int]]]) -> str:
    """The demo named first, not counting names inside a longer name ("dropout" in "spatial dropout")."""
    every = [(s, e, size, d) for d, found in hits.items() for s, e, size in found]
    inside = [
        (s, e, size, d)
        for s, e, size, d in every
        if not any(o != d and os <= s and e <= oe and osize > size for os, oe, osize, o in every)
    ]
    return min(inside or every, key=lambda h: (h[0], -h[2]))[3]


def _only_best(scores: Mapping[str, int]) -> str | None:
    if not scores:
        return None
    top = max(scores.values())
    best = [d for d, s in scores.items() if s == top]
    return best[0] if len(best) == 1 else None


def _drop_parameter_names(
    tokens: Sequence[Token], hits: dict[str, list[tuple[int, int, int]]], by_id: Mapping[str, Any]
) -> dict[str, list[tuple[int, int, int]]]:
    """Of several demos named, forget one named only by words that are another's parameter:
    "optimizers with lr 0.01" is not the learning-rate demo."""
    kept = {}
    for demo_id, found in hits.items():
        others = [p for other in hits if other != demo_id for p in by_id[other].params]
        covered = find_mentions(tokens, others)
        if not all(any(m.start <= s and e <= m.end for m in covered) for s, e, _ in found):
            kept[demo_id] = found
    return kept or hits
