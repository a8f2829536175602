"""Telegram HTML parsed into (plain text, entities) the way TDLib does."""

from __future__ import annotations

import string
from typing import Any

from ..errors import ParseError
from .entities import byte_offset, char_units, check_url, is_space, link_user_id, make_entity, sort_entities


def _decode_html_entity(s: str, pos: int) -> tuple[str | None, int]:
    """TDLib's decode_html_entity on a NUL-terminated string: (character, position after it) or (None, pos)."""
    end = pos + 1
    value = 0
    if s[pos + 1] == "#":
        end += 1
        if s[pos + 2] == "x":
            end += 1
            while s[end] in string.hexdigits:
                value = value * 16 + int(s[end], 16)
                end += 1
        else:
            while s[end] in string.digits:
                value = value * 10 + int(s[end])
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None, pos
        if 0xD800 <= value <= 0xDFFF:
            raise ParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(value)
    else:
        while s[end].isascii() and s[end].isalpha():
            end += 1
        name = s[pos + 1 : end]
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if name not in named:
            return None, pos
        char = named[name]
    if s[end] == ";":
        end += 1
    return char, end


_HTML_TAGS = frozenset(
    ("a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote").split()
)


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities) the way TDLib does; raise ParseError as Telegram would.

    With ``strict_ampersand`` a ``&`` that does not start ``&lt; &gt; &amp; &quot;`` or a numeric entity is an
    error (Telegram itself keeps such an ampersand as text).
    """
    s = text + "\0"
    n = len(text)
    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, index into out
    i = 0
    while i < n:
        c = s[i]
        if c == "&":
            char, end = _decode_html_entity(s, i)
            if char is not None:
                out.append(char)
                u16 += char_units(char)
                i = end
                continue
            if strict_ampersand:
                raise ParseError(
                    f'Character "&" at byte offset {byte_offset(text, i)} does not start an HTML entity; '
                    "write &amp;"
                )
        if c != "<":
            out.append(c)
            u16 += char_units(c)
            i += 1
            continue
        begin = i
        b_off = byte_offset(text, begin)
        i += 1
        if s[i] != "/":
            while not is_space(s[i]) and s[i] != ">":
                i += 1
            if s[i] == "\0":
                raise ParseError(f"Unclosed start tag at byte offset {b_off}")
            tag = s[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" at byte offset {b_off}')
            argument = ""
            while s[i] != ">":
                while s[i] != "\0" and is_space(s[i]):
                    i += 1
                if s[i] == ">":
                    break
                attr_begin = i
                while not is_space(s[i]) and s[i] != "=" and s[i] != ">":
                    i += 1
                attr = s[attr_begin:i].lower()
                if not attr:
                    raise ParseError(f'Empty attribute name in the tag "{tag}" at byte offset {b_off}')
                while s[i] != "\0" and is_space(s[i]):
                    i += 1
                if s[i] != "=":
                    if tag == "blockquote" and attr == "expandable":
                        argument = "expandable"
                        if s[i] == "\0":
                            raise ParseError(f"Unclosed start tag at byte offset {b_off}")
                        continue
                    raise ParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {b_off}"
                    )
                i += 1
                while s[i] != "\0" and is_space(s[i]):
                    i += 1
                if s[i] == "\0":
                    raise ParseError(f'Unclosed start tag "{tag}" at byte offset {b_off}')
                if s[i] not in "'\"":
                    token_begin = i
                    while s[i].isascii() and (s[i].isalnum() or s[i] in ".-"):
                        i += 1
                    value = s[token_begin:i].lower()
                    if not is_space(s[i]) and s[i] != ">":
                        raise ParseError(
                            f"Unexpected end of name token at byte offset {byte_offset(text, token_begin)}"
                        )
                else:
                    quote = s[i]
                    i += 1
                    chars: list[str] = []
                    while s[i] != quote and s[i] != "\0":
                        if s[i] == "&":
                            char, end = _decode_html_entity(s, i)
                            if char is not None:
                                chars.append(char)
                                i = end
                                continue
                        chars.append(s[i])
                        i += 1
                    if s[i] == quote:
                        i += 1
                    value = "".join(chars)
                if s[i] == "\0":
                    raise ParseError(f"Unclosed start tag at byte offset {b_off}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {b_off}')
            stack.append((tag, argument, u16, len(out)))
            i += 1  # the '>'
            continue
        # an end tag
        if not stack:
            raise ParseError(f"Unexpected end tag at byte offset {b_off}")
        while not is_space(s[i]) and s[i] != ">":
            i += 1
        end_tag = s[begin + 2 : i]
        while is_space(s[i]) and s[i] != "\0":
            i += 1
        if s[i] != ">":
            raise ParseError(f"Unclosed end tag at byte offset {b_off}")
        tag, argument, offset, out_begin = stack.pop()
        if end_tag and end_tag != tag:
            raise ParseError(
                f'Unmatched end tag at byte offset {b_off}, expected "</{tag}>", found "</{end_tag}>"'
            )
        i += 1
        if u16 <= offset:
            continue
        length = u16 - offset
        if tag in ("i", "em"):
            entities.append(make_entity("italic", offset, length))
        elif tag in ("b", "strong"):
            entities.append(make_entity("bold", offset, length))
        elif tag in ("s", "strike", "del"):
            entities.append(make_entity("strikethrough", offset, length))
        elif tag in ("u", "ins"):
            entities.append(make_entity("underline", offset, length))
        elif tag in ("tg-spoiler", "span"):
            entities.append(make_entity("spoiler", offset, length))
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument == "expandable" else "blockquote"
            entities.append(make_entity(kind, offset, length))
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise ParseError("Invalid custom emoji identifier specified")
            entities.append(make_entity("custom_emoji", offset, length, custom_emoji_id=argument))
        elif tag == "a":
            url = argument or "".join(out[out_begin:])
            user_id = link_user_id(url)
            if user_id is not None:
                entities.append(
                    make_entity(
                        "text_mention",
                        offset,
                        length,
                        user={"id": user_id, "is_bot": False, "first_name": ""},
                    )
                )
            else:
                checked = check_url(url)
                if checked is not None:
                    entities.append(make_entity("text_link", offset, length, url=checked))
        elif tag == "pre":
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == offset
                and last["length"] == length
                and last.get("language")
            ):
                last["type"] = "pre"
            else:
                entities.append(make_entity("pre", offset, length))
        elif tag == "code":
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and last["offset"] == offset
                and last["length"] == length
                and argument
            ):
                last["language"] = argument
            else:
                entities.append(make_entity("code", offset, length, language=argument or None))
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return "".join(out), sort_entities(entities)
