"""Telegram MarkdownV2 and legacy Markdown parsed into (plain text, entities) the way TDLib does."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ParseError
from .entities import byte_offset, char_units, check_url, is_space, link_user_id, make_entity, sort_entities

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram MarkdownV2 into (plain text, entities) like TDLib; raise ParseError as Telegram would."""
    s = text + "\0"
    n = len(text)
    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    quote: tuple[int, bool] | None = None  # (utf16 offset, expandable)
    i = 0

    def close_quote(end: int) -> None:
        nonlocal quote
        if quote is not None and end > quote[0]:
            kind = "expandable_blockquote" if quote[1] else "blockquote"
            entities.append(make_entity(kind, quote[0], end - quote[0]))
        quote = None

    while i < n:
        c = s[i]
        if (i == 0 or s[i - 1] == "\n") and not stack:
            if c == ">":
                if quote is None:
                    quote = (u16, False)
                i += 1
                continue
            if c == "*" and s[i + 1] == "*" and s[i + 2] == ">":
                close_quote(u16 - 1 if out and out[-1] == "\n" else u16)
                quote = (u16, True)
                i += 3
                continue
            if quote is not None:
                close_quote(u16 - 1 if out and out[-1] == "\n" else u16)
        if c == "\\" and 0 < ord(s[i + 1]) <= 126 and i + 1 < n:
            out.append(s[i + 1])
            u16 += 1
            i += 2
            continue
        if (
            quote is not None
            and quote[1]
            and c == "|"
            and s[i + 1] == "|"
            and s[i + 2] in "\n\0"
            and not stack
        ):
            close_quote(u16)
            i += 2
            continue
        top = stack[-1]["type"] if stack else None
        reserved = "`" if top in ("code", "pre") else _MDV2_RESERVED
        if c not in reserved:
            out.append(c)
            u16 += char_units(c)
            i += 1
            continue
        is_end = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and s[i + 1] != "_")
            or (top == "code" and c == "`")
            or (top == "pre" and c == "`" and s[i + 1] == "`" and s[i + 2] == "`")
            or (top in ("text_link", "custom_emoji") and c == "]")
            or (top == "underline" and c == "_" and s[i + 1] == "_")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and c == "|" and s[i + 1] == "|")
        )
        if not is_end:
            begin_byte = byte_offset(text, i)
            argument = ""
            if c == "_":
                kind = "underline" if s[i + 1] == "_" else "italic"
                i += 2 if kind == "underline" else 1
            elif c == "*":
                kind, i = "bold", i + 1
            elif c == "~":
                kind, i = "strikethrough", i + 1
            elif c == "|" and s[i + 1] == "|":
                kind, i = "spoiler", i + 2
            elif c == "[":
                kind, i = "text_link", i + 1
            elif c == "!" and s[i + 1] == "[":
                kind, i = "custom_emoji", i + 2
            elif c == "`":
                if s[i + 1] == "`" and s[i + 2] == "`":
                    kind = "pre"
                    i += 3
                    language_end = i
                    while not is_space(s[language_end]) and s[language_end] != "`":
                        language_end += 1
                    if i != language_end and language_end < n and s[language_end] != "`":
                        argument = s[i:language_end]
                        i = language_end
                    if s[i] in "\n\r":
                        i += 2 if s[i + 1] in "\n\r" and s[i] != s[i + 1] else 1
                else:
                    kind, i = "code", i + 1
            else:
                raise ParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
            stack.append(
                {"type": kind, "argument": argument, "offset": u16, "out": len(out), "byte": begin_byte}
            )
            continue
        entry = stack.pop()
        kind = entry["type"]
        skip = u16 == entry["offset"]
        extra: dict[str, Any] = {}
        if kind in ("underline", "spoiler"):
            i += 2
        elif kind == "pre":
            i += 3
            if entry["argument"]:
                extra["language"] = entry["argument"]
        elif kind in ("text_link", "custom_emoji"):
            if s[i + 1] != "(":
                if kind == "custom_emoji":
                    raise ParseError("Custom emoji entity must contain a tg://emoji URL")
                url = "".join(out[entry["out"] :])
                i += 1
            else:
                i += 2
                url_begin = i
                chars: list[str] = []
                while i < n and s[i] != ")":
                    if s[i] == "\\" and 0 < ord(s[i + 1]) <= 126:
                        chars.append(s[i + 1])
                        i += 2
                        continue
                    chars.append(s[i])
                    i += 1
                if s[i] != ")":
                    raise ParseError(f"Can't find end of a URL at byte offset {byte_offset(text, url_begin)}")
                i += 1
                url = "".join(chars)
            if kind == "custom_emoji":
                match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if not match:
                    raise ParseError("Custom emoji URL must have an emoji identifier")
                extra["custom_emoji_id"] = match.group(1)
            else:
                user_id = link_user_id(url)
                checked = check_url(url)
                if user_id is not None:
                    kind = "text_mention"
                    extra["user"] = {"id": user_id, "is_bot": False, "first_name": ""}
                elif checked is not None:
                    extra["url"] = checked
                else:
                    skip = True
        else:
            i += 1
        if not skip:
            entities.append(make_entity(kind, entry["offset"], u16 - entry["offset"], **extra))
    if stack:
        raise ParseError(f"Can't find end of the entity starting at byte offset {stack[-1]['byte']}")
    close_quote(u16)
    return "".join(out), sort_entities(entities)


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Telegram Markdown into (plain text, entities) like TDLib; raise ParseError as Telegram would."""
    s = text + "\0"
    n = len(text)
    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = s[i]
        if c == "\\" and s[i + 1] in "_*`[":
            out.append(s[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += char_units(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and s[i] == "`" and s[i + 1] == "`":
            i += 2
            is_pre = True
            language_end = i
            while not is_space(s[language_end]) and s[language_end] != "`":
                language_end += 1
            if i != language_end and language_end < n and s[language_end] != "`":
                language = s[i:language_end]
                i = language_end
            if s[i] in "\n\r":
                i += 2 if s[i + 1] in "\n\r" and s[i] != s[i + 1] else 1
        offset = u16
        out_begin = len(out)
        while i < n and (s[i] != end_char or (is_pre and not (s[i + 1] == "`" and s[i + 2] == "`"))):
            out.append(s[i])
            u16 += char_units(s[i])
            i += 1
        if i == n:
            raise ParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
            )
        length = u16 - offset
        if c == "[":
            if s[i + 1] == "(":
                i += 2
                url_chars: list[str] = []
                while i < n and s[i] != ")":
                    url_chars.append(s[i])
                    i += 1
                url = "".join(url_chars)
            else:
                url = "".join(out[out_begin:])
            if length > 0:
                user_id = link_user_id(url)
                checked = check_url(url)
                if user_id is not None:
                    entities.append(
                        make_entity(
                            "text_mention",
                            offset,
                            length,
                            user={"id": user_id, "is_bot": False, "first_name": ""},
                        )
                    )
                elif checked is not None:
                    entities.append(make_entity("text_link", offset, length, url=checked))
        elif length > 0:
            kind = {"_": "italic", "*": "bold", "`": "pre" if is_pre else "code"}[c]
            entities.append(make_entity(kind, offset, length, language=language or None))
        if is_pre:
            i += 2
        i += 1
    return "".join(out), sort_entities(entities)
