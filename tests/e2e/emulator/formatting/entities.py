"""UTF-16 lengths, entity records, URL checks, whitespace trimming and the entities Telegram finds by itself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and text limits."""
    return len(text.encode("utf-16-le")) // 2


def char_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def is_space(ch: str) -> bool:  # TDLib's is_space: the terminating NUL counts as a space
    return ch in " \t\r\n\0\v"


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def make_entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def check_url(url: str) -> str | None:
    """The URL a text link may point to, or None when TDLib would drop the link."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if match:
        scheme = match.group(1).lower()
        if scheme in ("http", "https", "ftp"):
            parts = urlsplit(url)
            return url if parts.netloc and parts.hostname else None
        if scheme in ("tg", "ton", "tonsite"):
            return url
        # "example.com:8080/x" has a "scheme" only in appearance
        if not re.match(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+:\d+", url):
            return None
    if re.match(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?([/?#].*)?$", url):
        return "http://" + url
    return None


def link_user_id(url: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


STRIP_CHARS = " \t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202f\u205f\u3000\ufeff"


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace and moves the entities with the text."""
    left = len(text) - len(text.lstrip(STRIP_CHARS))
    stripped = text.strip(STRIP_CHARS)
    shift = utf16_len(text[:left])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] - shift + entity["length"], total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_AUTO_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(r"(?<![\w@/.])(?:https?://|www\.|t\.me/)[^\s<>\"]+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w@])")),
    ("bot_command", re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w{1,256}")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![\w])")),
]


def find_auto_entities(text: str, existing: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The entities Telegram detects by itself: URLs, e-mails, /commands, @mentions, #hashtags, $CASHTAGS."""
    u16_at = [0]
    for ch in text:
        u16_at.append(u16_at[-1] + char_units(ch))
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing
        if e["type"] in ("code", "pre", "text_link", "text_mention", "custom_emoji")
    ]
    taken: list[tuple[int, int]] = []
    found = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)]}'\"":
                    end -= 1
            if kind == "hashtag" and match.group()[1:].isdigit():
                continue
            if any(start < b and a < end for a, b in taken):
                continue
            u_start, u_end = u16_at[start], u16_at[end]
            if any(u_start < b and a < u_end for a, b in blocked):
                continue
            taken.append((start, end))
            found.append(make_entity(kind, u_start, u_end - u_start))
    return sort_entities(found)
