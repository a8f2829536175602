"""The topic of a question without its frame: «что такое фильтр калмана» → «фильтр калмана».

Questions about one topic share their topic words, not their frame ("what is", «объясни простыми
словами»); the frame makes unrelated questions look alike to an encoder. :func:`core_phrase`
removes it for clustering and for proposing a note's names; :func:`latin` transliterates Cyrillic
so «федеративное» and "federated" share letters.
"""

from __future__ import annotations

import re

from bot.community.validation import CYRILLIC
from common.textnorm import normalize_unicode

_LEADING = re.compile(
    r"^(?:что такое|что за|что это(?: такое)?|кто такой|объясни(?:те)?|расскажи(?:те)?(?: мне)?(?: про| о| об| что такое)?|"
    r"простыми словами|по-простому|в чём (?:смысл|суть|идея)|как работа\w*|как устроен\w*|как|зачем нужн\w*|зачем|"
    r"почему|можно ли|what(?:'s| is| are| does)|explain(?: to me)?|tell me about|eli5|how (?:does|do|did|is|are|to)|how|"
    r"why(?: does| do| is| are)?|in simple terms|the|a|an|про|о|об)\s+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s+(?:простыми словами|по-простому|это что|что это(?: такое)?|это как|как работа\w*|зачем нужн\w*|"
    r"explained|in simple terms|simply|mean|work|works|is|are)$",
    re.IGNORECASE,
)
_EDGE_PUNCT = " \t\n?!.,;:«»\"'()[]…-—"


def core_phrase(question: str) -> str:
    """The question without its frame and edge punctuation, lowercased (may be the whole question)."""
    text = " ".join(normalize_unicode(question).lower().split()).strip(_EDGE_PUNCT)
    for _ in range(4):
        stripped = _TRAILING.sub("", _LEADING.sub("", text)).strip(_EDGE_PUNCT)
        if stripped == text or not stripped:
            break
        text = stripped
    return text


def latin(text: str) -> str:
    """Cyrillic letters transliterated (``калман`` → ``kalman``); everything else kept."""
    return "".join(CYRILLIC.get(ch, ch) for ch in text.lower())


def has_cyrillic(text: str) -> bool:
    return any(ch in CYRILLIC for ch in text.lower())
