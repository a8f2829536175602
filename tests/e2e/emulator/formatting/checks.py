"""Formatted text as the Bot API takes it: parse_mode or explicit entities, trimmed and measured."""

from __future__ import annotations

import copy
from typing import Any

from ..constants import ENTITY_TYPES, MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH
from ..errors import ParseError, bad
from .entities import check_url, find_auto_entities, sort_entities, strip_text, utf16_len
from .html import parse_html
from .markdown import parse_markdown, parse_markdown_v2


def format_text(
    text: Any, parse_mode: Any, entities: Any, *, caption: bool, strict_ampersand: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities of a text or caption, or the ``ApiError`` Telegram answers with."""
    if text is None:
        text = ""
    elif not isinstance(text, str):
        text = str(text)
    if entities is not None:
        plain, found = text, check_entities(text, entities)
    elif parse_mode in (None, ""):
        plain, found = text, []
    else:
        mode = str(parse_mode).lower()
        try:
            if mode == "html":
                plain, found = parse_html(text, strict_ampersand=strict_ampersand)
            elif mode == "markdownv2":
                plain, found = parse_markdown_v2(text)
            elif mode == "markdown":
                plain, found = parse_markdown(text)
            else:
                raise bad("unsupported parse_mode")
        except ParseError as exc:
            raise bad(f"can't parse entities: {exc}") from exc
    plain, found = strip_text(plain, found)
    if caption:
        if utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise bad("message caption is too long")
    else:
        if not plain:
            raise bad("message text is empty")
        if utf16_len(plain) > MAX_MESSAGE_LENGTH:
            raise bad("message is too long")
    found = sort_entities(found + find_auto_entities(plain, found))
    return plain, found


def check_entities(text: str, entities: Any) -> list[dict[str, Any]]:
    """Explicit ``entities`` / ``caption_entities`` checked against the text they describe."""
    if not isinstance(entities, list):
        raise bad("can't parse entities JSON object")
    total = utf16_len(text)
    result = []
    for entity in entities:
        if not isinstance(entity, dict):
            raise bad("can't parse entities JSON object")
        kind, offset, length = entity.get("type"), entity.get("offset"), entity.get("length")
        if kind not in ENTITY_TYPES:
            raise bad(f"can't parse entities: unsupported entity type {kind!r}")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length <= 0:
            raise bad("can't parse entities: entity offset and length must be non-negative integers")
        if offset + length > total:
            raise bad("can't parse entities: entity goes beyond the end of the text")
        if kind == "text_link" and (
            not isinstance(entity.get("url"), str) or check_url(entity["url"]) is None
        ):
            raise bad("can't parse entities: text_link needs a valid url")
        if kind == "text_mention" and not isinstance(entity.get("user"), dict):
            raise bad("can't parse entities: text_mention needs a user")
        if kind == "custom_emoji" and not entity.get("custom_emoji_id"):
            raise bad("can't parse entities: custom_emoji needs custom_emoji_id")
        result.append(copy.deepcopy(entity))
    return result
