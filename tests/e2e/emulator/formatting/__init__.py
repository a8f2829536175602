"""Text as Telegram measures and formats it: UTF-16 lengths and TDLib-compatible HTML, MarkdownV2 and Markdown."""

from __future__ import annotations

from .checks import check_entities, format_text
from .entities import STRIP_CHARS, find_auto_entities, sort_entities, strip_text, utf16_len
from .html import parse_html
from .markdown import parse_markdown, parse_markdown_v2

__all__ = [
    "STRIP_CHARS",
    "check_entities",
    "find_auto_entities",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "sort_entities",
    "strip_text",
    "utf16_len",
]
