"""Pull a demo id and its parameters out of a free-text request such as «покажи дропаут, p=0.3»,
«выкинь 30% нейронов», "fine-tuning with five shots" or «k-means на четырёх кластерах».

The router knows nothing of the demo implementations: callers pass the demo specs (anything with
``id``, ``title_ru``, ``title_en`` and ``params`` whose items have ``name``, ``kind``, ``aliases`` and
``min``/``max``/``default`` or ``choices``; a parameter may set ``complement = True`` when it is a drop
probability, so that "keep 70%" reads as 0.3). Values come back typed (``int``/``float``/``str``);
the demo registry checks their ranges. Values that are written but can't be read come back as
:class:`ParamValueError` problems whose message names the parameter and its range.
See :mod:`router.parsing` for how the text is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from router.parsing.mentions import find_mentions, value_after
from router.parsing.naming import Naming, identify
from router.parsing.naming import adopt as adopt_naming_tables
from router.parsing.naming import tables_for as naming_tables
from router.parsing.relative import read_relative, relative_factor
from router.parsing.tokens import tokenize
from router.parsing.values import ParamValueError, Value, quoted_spans, read_params

__all__ = [
    "DemoRequest",
    "ParamValueError",
    "adopt_naming_tables",
    "common_words",
    "extract_demo_request",
    "extract_params",
    "find_demo_id",
    "names_a_demo",
    "names_a_param",
    "naming_tables",
    "note_names",
    "read_relative",
    "relative_factor",
    "value_said_of_another",
]

# words before a number that may name what it is said of («перплексити 10», "batch size 64")
NAME_WORDS_BEFORE = 2


@dataclass
class DemoRequest:
    """What a ``run_demo`` message asks for. ``demo_id`` is None when no demo could be identified;
    ``problems`` are values written but unreadable (show ``problems[0].message(lang)`` instead of running)."""

    demo_id: str | None
    params: dict[str, Value] = field(default_factory=dict)
    problems: list[ParamValueError] = field(default_factory=list)
    # how the demo was found: "name" (written in the text), "fallback" (the caller's), "words" (a word only
    # its names use), "params" (the only demo with the parameters set), "" (not found)
    found_by: str = ""


def _identify(
    text: str,
    demos: Sequence[Any],
    names: Mapping[str, Sequence[str]] | None,
    fallback: str | None,
    common: frozenset[str] = frozenset(),
) -> Naming:
    """Look for the demo outside quotes first: «внимание на "dropout is cool"» is the attention demo."""
    tokens = tokenize(text)
    quotes = quoted_spans(text)
    outside = [t for t in tokens if not any(a <= t.start < b for a, b, _, _ in quotes)]
    naming = identify(outside, demos, names, fallback, common)
    if naming.demo_id is None and len(outside) < len(tokens):
        naming = identify(tokens, demos, names, fallback, common)
    return naming


def names_a_demo(text: str, demos: Sequence[Any]) -> bool:
    """A demo's id or title is written in ``text`` (``extract_demo_request(text, demos).found_by ==
    "name"``, without reading the parameters)."""
    return _identify(text, demos, None, None).how == "name"


def find_demo_id(
    text: str, demos: Sequence[Any], names: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """The demo a text names (by id, title, ``names`` such as its notes' titles and aliases, or a
    word only its names use), else the one whose parameters the text sets; None if none."""
    return _identify(text, demos, names, None).demo_id


def extract_params(
    text: str,
    params: Iterable[Any],
    problems: list[ParamValueError] | None = None,
    number_words: bool = False,
) -> dict[str, Value]:
    """The parameter values written in ``text`` for these parameter specs; values written but unreadable
    are left out and, if ``problems`` is given, appended to it.

    ``number_words=True`` reads a number word alone as a value too («а с тремя?», "and with seven?"):
    for a short follow-up right after the demo ran, where nothing else can be meant. Otherwise a
    number word is a value only beside a parameter's name («на трёх примерах»)."""
    tokens = tokenize(text)
    if number_words:
        for tok in tokens:
            if tok.kind == "num":
                tok.weak = False
    values, found = read_params(text, tokens, list(params))
    if problems is not None:
        problems.extend(found)
    return values


def extract_demo_request(
    text: str,
    demos: Sequence[Any],
    fallback_demo_id: str | None = None,
    names: Mapping[str, Sequence[str]] | None = None,
    common: frozenset[str] = frozenset(),
) -> DemoRequest:
    """Identify the demo (named in the text, else ``fallback_demo_id`` from retrieval or the dialogue)
    and read its parameters. ``names`` maps a demo id to more names for it (its notes' titles and
    aliases); ``common`` holds words of the demos' titles too widespread to name one (:func:`common_words`)."""
    naming = _identify(text, demos, names, fallback_demo_id, common)
    spec = next((s for s in demos if s.id == naming.demo_id), None)
    if spec is None:
        return DemoRequest(None)
    values, problems = read_params(text, tokenize(text), list(spec.params), naming.spans)
    return DemoRequest(spec.id, values, problems, naming.how)


def names_a_param(text: str, params: Iterable[Any]) -> bool:
    """One of ``params`` is named in ``text`` ("temp 0", «на трёх примерах»), not just given a bare number."""
    return bool(find_mentions(tokenize(text), params))


def value_said_of_another(
    text: str, params: Sequence[Any], other_params: Iterable[Any], names_another: Callable[[str], bool]
) -> bool:
    """A number in ``text`` is said of something other than ``params``: it follows or precedes another
    demo's parameter ("lr 0.1" after the dropout demo), or the words just before it are a name that
    ``names_another`` knows («перплексити 10 это хорошо?» after the batch-norm demo). Such a number is
    no bare value for ``params``. False whenever ``params`` are named: their values are read as usual."""
    tokens = tokenize(text)
    if find_mentions(tokens, params):
        return False
    theirs = find_mentions(tokens, other_params)
    for i, tok in enumerate(tokens):
        if tok.kind != "num" or tok.blank:
            continue
        if any(value_after(tokens, m) == i or m.start == i + 1 for m in theirs):  # "lr 0.1", «t=0.1»
            return True
        first = i
        while first > 0 and i - first < NAME_WORDS_BEFORE and tokens[first - 1].kind == "word":
            first -= 1
        if first < i and names_another(text[tokens[first].start : tok.start]):
            return True
    return False


def common_words(
    demos: Sequence[Any], share_of_notes: Callable[[str], float], limit: float
) -> frozenset[str]:
    """The words of the demos' titles that at least ``limit`` of the notes use (``share_of_notes``):
    «хороший», "small", «активации» are said of any topic, so alone they name no demo."""
    words = {
        tok.text
        for spec in demos
        for title in (getattr(spec, "title_ru", ""), getattr(spec, "title_en", ""))
        for tok in tokenize(title)
        if tok.kind == "word"
    }
    return frozenset(w for w in words if share_of_notes(w) >= limit)


def note_names(notes: Iterable[Any]) -> dict[str, list[str]]:
    """Demo id → the titles and aliases of the notes it illustrates (notes with ``demo`` set), for ``names``."""
    names: dict[str, list[str]] = {}
    for note in notes:
        if getattr(note, "demo", None):
            names.setdefault(note.demo, []).extend(note.names)
    return names
