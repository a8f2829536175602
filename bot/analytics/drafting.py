"""A draft note's names from a cluster's questions: titles, aliases and the slug it will get.

Each question's core phrase («что такое фильтр калмана» → «фильтр калмана») is a name candidate;
short ones asked by the most people win. Names another note already has are left out (the index
would refuse them). The body stays empty: the admin writes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.analytics.phrases import core_phrase, has_cyrillic
from bot.analytics.wanted import WantedCluster
from bot.community.validation import ALIAS_MAX, MAX_ALIASES, TITLE_MAX, make_slug
from common.textnorm import name_key
from indexer.notes import NoteCatalog

NAME_WORDS = 4  # a name is at most this many words ("фильтр калмана", "markov chain monte carlo")
ALIASES = 8
QUESTIONS_KEPT = 50


@dataclass(frozen=True)
class DraftProposal:
    """What a new note drafted from a cluster starts with."""

    title: str
    title_en: str
    aliases: list[str]
    slug: str
    questions: list[dict[str, Any]]


def _display(name: str) -> str:
    """«фильтр калмана» → «Фильтр калмана»; a short vowel-poor latin word is an acronym: onnx → ONNX."""
    if (
        " " not in name
        and not has_cyrillic(name)
        and len(name) <= 6
        and sum(ch in "aeiouy" for ch in name) <= 1
    ):
        return name.upper()
    return name[:1].upper() + name[1:]


def candidates(cluster: WantedCluster) -> list[str]:
    """Name candidates, most people first (then most asked, then shortest)."""
    people: dict[str, set[str]] = {}
    asks: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for q in cluster.questions:
        phrase = core_phrase(q.query)
        if not phrase or len(phrase.split()) > NAME_WORDS or len(phrase) > min(ALIAS_MAX, 60):
            continue
        if not any(ch.isalpha() for ch in phrase):
            continue
        key = name_key(phrase)
        people.setdefault(key, set()).add(q.user_hash)
        asks[key] += 1
        spelling.setdefault(key, phrase)
    ranked = sorted(people, key=lambda k: (-len(people[k]), -asks[k], len(k), k))
    return [spelling[k] for k in ranked]


def propose(cluster: WantedCluster, catalog: NoteCatalog, taken: set[str]) -> DraftProposal:
    """Titles (Russian and English), aliases and a free slug for a note answering ``cluster``."""
    # a topic the glossary knows gives the names first: a note with them takes it off the glossary
    known = [cluster.topic.topic_ru, cluster.topic.topic] if cluster.topic is not None else []
    free = list(dict.fromkeys(name for name in [*known, *candidates(cluster)] if catalog.owner(name) is None))
    russian = [n for n in free if has_cyrillic(n)]
    english = [n for n in free if not has_cyrillic(n)]
    fallback = core_phrase(cluster.questions[0].query) or cluster.questions[0].query
    title = _display((russian or english or [fallback])[0])[:TITLE_MAX]
    title_en = _display((english or russian or [fallback])[0])[:TITLE_MAX]
    used = {name_key(title), name_key(title_en)}
    aliases = [n for n in free if name_key(n) not in used][: min(ALIASES, MAX_ALIASES)]
    slug = make_slug(title_en, cluster.id, set(taken) | set(catalog.slugs), prefix="")
    questions = [{"id": q.id, "q": q.query, "lang": q.lang} for q in cluster.questions[:QUESTIONS_KEPT]]
    return DraftProposal(title, title_en, aliases, slug, questions)
