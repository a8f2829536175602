"""Telegram rendering: escaped HTML, splitting under Telegram's limits, keyboards and callback data.

Every piece of note or user text is escaped with :func:`html.escape` before it meets a tag.
Callback data is a short, versioned string parsed strictly by :func:`parse_callback`: anything
that does not parse is treated as stale or forged.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_LIMIT = 64

# Callback kinds. Each payload is validated by a pattern, so nothing else reaches a handler.
CB_DEEPER = "d"  # d:<slug>:<lang>        show the in-depth section
CB_NOTE = "n"  # n:<slug>:<lang>          show a related note
CB_DEMO = "r"  # r:<demo_id>:<lang>       run a demo with defaults
CB_VOTE = "v"  # v:<answer_token>:<+|->   feedback on an answer
CB_ASK = "q"  # q:<index>:<lang>          ask an example question from /help
CB_ADMIN = "a"  # a:<action>:<submission_id>  moderation (admins only, checked on every press)
CB_PAGE = "p"  # p:<kind>:<page>:<lang>     a page of the /memes or /concepts list
CB_WANTED = "w"  # w:draft:<cluster_id>     draft a note from wanted questions (admins only)

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CALLBACK_PATTERNS = {
    CB_DEEPER: re.compile(rf"^d:(?P<slug>{SLUG}):(?P<lang>ru|en)$"),
    CB_NOTE: re.compile(rf"^n:(?P<slug>{SLUG}):(?P<lang>ru|en)$"),
    CB_DEMO: re.compile(rf"^r:(?P<demo>{SLUG}):(?P<lang>ru|en)$"),
    CB_VOTE: re.compile(r"^v:(?P<answer>[A-Za-z0-9_-]{1,16}):(?P<vote>[+-])$"),
    CB_ASK: re.compile(r"^q:(?P<index>\d{1,2}):(?P<lang>ru|en)$"),
    CB_PAGE: re.compile(r"^p:(?P<kind>meme|concept):(?P<page>\d{1,3}):(?P<lang>ru|en)$"),
    CB_ADMIN: re.compile(
        r"^a:(?P<action>approve|reject|edit|reason|publish|skip):(?P<submission>\d{1,12})(?::(?P<arg>\w{1,16}))?$"
    ),
    CB_WANTED: re.compile(r"^w:(?P<action>draft):(?P<cluster>\d{1,12})$"),
}


@dataclass(frozen=True)
class Callback:
    kind: str
    fields: dict[str, str]


def parse_callback(data: str | None) -> Callback | None:
    """The parsed callback, or None for anything malformed, oversized or unknown."""
    if not data or len(data.encode("utf-8")) > CALLBACK_LIMIT:
        return None
    pattern = CALLBACK_PATTERNS.get(data.split(":", 1)[0])
    match = pattern.match(data) if pattern else None
    return Callback(data[0], match.groupdict()) if match else None


def callback(kind: str, *parts: object) -> str:
    """Build callback data; raises ValueError if it would not parse back or exceeds 64 bytes."""
    data = ":".join([kind, *(str(p) for p in parts)])
    if parse_callback(data) is None:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def esc(value: str) -> str:
    """Escape text for Telegram HTML (``<``, ``>``, ``&`` and quotes)."""
    return html.escape(value, quote=True)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`\n]+)`")


def note_markdown_to_html(text: str) -> str:
    """The notes use a little markdown (``**bold**``, ```code```); render it as safe Telegram HTML."""
    out = []
    for part in re.split(r"(`[^`\n]+`)", text):
        if _CODE.fullmatch(part):
            out.append(f"<code>{esc(part[1:-1])}</code>")
        else:
            out.append(_BOLD.sub(lambda m: f"<b>{m.group(1)}</b>", esc(part)))
    return "".join(out)


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units of the text after entities are parsed (tags removed)."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(plain.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split HTML text at paragraph boundaries (then lines, then words) so each part fits ``limit``.

    Tags never span paragraphs in our output, so splitting between paragraphs keeps HTML valid.
    """
    if telegram_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in _blocks(text, limit):
        candidate = f"{current}\n\n{block}" if current else block
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts


def _blocks(text: str, limit: int) -> list[str]:
    blocks: list[str] = []
    for para in text.split("\n\n"):
        if telegram_length(para) <= limit:
            blocks.append(para)
            continue
        for line in para.split("\n"):
            if telegram_length(line) <= limit:
                blocks.append(line)
                continue
            # A single over-long line: cut at spaces, on plain text (drop markup to stay valid).
            plain = esc(html.unescape(re.sub(r"<[^>]+>", "", line)))
            words, piece = plain.split(" "), ""
            for word in words:
                candidate = f"{piece} {word}" if piece else word
                if telegram_length(candidate) > limit and piece:
                    blocks.append(piece)
                    piece = word
                else:
                    piece = candidate
            if piece:
                blocks.append(piece)
    return blocks


def code_messages(title: str, code: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Code as ``<pre><code>`` messages, each a complete block under ``limit`` (split between lines).

    Splitting finished HTML could cut a ``<pre>`` in two; splitting the code first cannot.
    """
    header = f"<b>{esc(title)}</b>\n"
    opening, closing = '<pre><code class="language-python">', "</code></pre>"
    room = limit - telegram_length(header) - 8
    pieces, current = [], ""
    for line in code.strip().splitlines():
        candidate = f"{current}\n{line}" if current else line
        if current and telegram_length(esc(candidate)) > room:
            pieces.append(current)
            candidate = line
        current = candidate[:room]
    pieces.append(current)
    return [(header if i == 0 else "") + opening + esc(piece) + closing for i, piece in enumerate(pieces)]


def truncate_caption(text: str, limit: int = CAPTION_LIMIT) -> str:
    """A plain (escaped) caption cut at a word boundary with an ellipsis to fit ``limit``."""
    if telegram_length(text) <= limit:
        return text
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    cut = plain[: limit - 1]
    while telegram_length(esc(cut) + "…") > limit:
        cut = cut[:-1]
    if " " in cut[-40:]:
        cut = cut[: cut.rfind(" ")]
    return esc(cut) + "…"


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback_data) into an inline keyboard."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows if row]
    )
