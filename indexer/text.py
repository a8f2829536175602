"""Stemmed tokens for BM25 (Russian and English); language detection lives in :mod:`common.i18n`."""

from __future__ import annotations

import functools
import re
import threading

import snowballstemmer

from common.i18n import CYRILLIC_RE, detect_lang
from indexer.stopwords import STOPWORDS_EN, STOPWORDS_RUSSIAN

WORD_RE = re.compile(r"[a-zа-яё0-9]+(?:[.'][a-z0-9]+)*", re.IGNORECASE)

# Question words carry no topic; they would make every "что такое …" match every note.
_EXTRA_STOP = {
    "такое",
    "это",
    "зачем",
    "почему",
    "какой",
    "какая",
    "какие",
    "объясни",
    "расскажи",
    "мне",
    "пожалуйста",
    "плз",
    "чё",
    "че",
    "шо",
    "вообще",
    "нужен",
    "нужно",
    "можно",
    "про",
    "explain",
    "tell",
    "please",
    "pls",
    "whats",
    "what's",
    "does",
    "mean",
    "about",
    "me",
    "actually",
}
STOPWORDS = {w.replace("ё", "е") for w in (*STOPWORDS_EN, *STOPWORDS_RUSSIAN, *_EXTRA_STOP)}

__all__ = ["STOPWORDS", "detect_lang", "stems", "tokenize"]

_local = threading.local()  # snowball stemmers are not thread-safe


def _stemmers() -> tuple[snowballstemmer.stemmer, snowballstemmer.stemmer]:
    if not hasattr(_local, "ru"):
        _local.ru = snowballstemmer.stemmer("russian")
        _local.en = snowballstemmer.stemmer("english")
    return _local.ru, _local.en


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    # Memoised: a build stems ~115k words of which ~10k are distinct (9 s → under 1 s per rebuild).
    ru, en = _stemmers()
    return str((ru if CYRILLIC_RE.search(word) else en).stemWord(word))


def stems(text: str) -> list[str]:
    """Every word lowercased (``ё``→``е``) and stemmed, stop words kept: for names, where "mean
    shift" must not shrink to "shift"."""
    return [_stem(word) for word in WORD_RE.findall(text.lower().replace("ё", "е"))]


def tokenize(text: str) -> list[str]:
    """Lowercased, ``ё``→``е``, stop words dropped, each word stemmed by its own script's stemmer."""
    return [
        _stem(word)
        for word in WORD_RE.findall(text.lower().replace("ё", "е"))
        if word not in STOPWORDS and (len(word) >= 2 or word.isdigit())
    ]


# Words that frame a question rather than name its topic. BM25 keeps them (its stop lists are
# short), but "how much of the question does this note speak of" must not count them: every note's
# ``asked`` phrasings contain "how do I", «как сделать», so they would match any question.
QUESTION_FRAME_WORDS = (
    "how do does did doing done i me my mine you your we our us can could should would will shall "
    "what why when where which who whom whose get got have has had so up out there here about any some "
    "more most very just also than too all from with was were been being am this these those one "
    "want need try way thing things really actually please explain explained explaining explanation "
    "tell simply simple ok okay alright cool"
    " почему зачем какой какая какое какие каком какую мой моя мое мои моего свой своя свои можно нужно "
    "надо делать сделать вообще вот ли же бы это этот эта эти что-то как-то объясни объясните расскажи "
    "расскажите хочу пытаюсь простыми пальцах ладно окей хорошо понятно ясно сколько реально нафига "
    "нафиг нахрена накой чёт чето щас короче кароче"
)


@functools.cache
def question_frame_terms() -> frozenset[str]:
    """:data:`QUESTION_FRAME_WORDS` stemmed as :func:`tokenize` stems them, stop words included: a
    stop word's other forms are not stop words ("explain" is one, "explained" stems to it)."""
    return frozenset(_stem(w) for w in WORD_RE.findall(QUESTION_FRAME_WORDS.lower().replace("ё", "е")))
