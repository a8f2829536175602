"""Small talk is not help: greetings, thanks, goodbyes and emoji get a short human reply."""

from __future__ import annotations

import re

# Which reply a small-talk message gets; checked in order, the first kind whose words occur wins.
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "bye",
        re.compile(
            r"\b(пока|до свидания|до встречи|бывай|увидимся|bye|goodbye|see (?:you|ya)|cya|good night|спокойной ночи)\b",
            re.I,
        ),
    ),
    (
        "thanks",
        re.compile(r"(спасиб|благодар|пасиб|спс\b|thanks?\b|thank you|\bthx\b|\bty\b|cheers|👍|🙏)", re.I),
    ),
    (
        "hello",
        re.compile(
            r"\b(привет|здравству|добр(ое|ый|ого) (утр|день|вечер)|хай|здаров|hi|hello|hey|yo|good (morning|evening|afternoon))\b",
            re.I,
        ),
    ),
    ("who", re.compile(r"\b(ты кто|кто ты|ты бот|are you a bot|who are you|what are you)\b", re.I)),
)
EMOJI_ONLY_RE = re.compile(r"^[\W_\s]*$")
# Words that end the terminal chat when they are the whole message.
GOODBYES = {"пока", "bye", "goodbye", "до свидания", "выход", "quit", "exit", "/quit", "/exit"}


def smalltalk_kind(text: str) -> str:
    """``hello``, ``thanks``, ``bye``, ``who`` or ``other`` (an emoji, «ок», «лол» …)."""
    for kind, pattern in KINDS:
        if pattern.search(text):
            return kind
    return "other"


def looks_like_smalltalk(text: str) -> bool:
    """Only emoji or punctuation — «🤔», «?!», «👍» — is small talk whatever the router says."""
    return bool(text.strip()) and bool(EMOJI_ONLY_RE.match(text))


def is_goodbye(text: str) -> bool:
    return " ".join(text.lower().strip(" !.?").split()) in GOODBYES


def reply_key(kind: str) -> str:
    return f"smalltalk_{kind}"
