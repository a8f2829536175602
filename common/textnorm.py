"""Normalising untrusted text before any work is done on it.

``clean_text`` is applied to every question, title, alias and explanation that enters the system:
NFKC (full-width letters, ligatures and compatibility forms become plain ones), zero-width and
bidi control characters removed, Unicode line/paragraph separators (U+2028/U+2029) turned into
newlines, other control characters dropped, and the length capped *before* anything expensive runs.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and invisible formatting characters that make two equal-looking names differ.
INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    None,
)
LINE_SEPARATORS = {ord("\u2028"): "\n", ord("\u2029"): "\n\n", ord("\u0085"): "\n", ord("\r"): ""}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# A question longer than this is cut before any encoder or tokenizer sees it.
MAX_QUESTION_CHARS = 1000


def normalize_unicode(text: str) -> str:
    """Line/paragraph separators as newlines, NFC, invisible formatting characters removed.

    Control characters are kept, so a validator can name them; :func:`clean_text` drops them.
    """
    text = text.translate(LINE_SEPARATORS)
    return unicodedata.normalize("NFC", text).translate(INVISIBLE)


def clean_text(text: str, limit: int | None = None, multiline: bool = True) -> str:
    """NFKC, invisible characters removed, separators as newlines, controls dropped, capped at ``limit``.

    The cap is applied to the raw input first (so a megabyte costs nothing) and again at the end.
    ``multiline=False`` folds every run of whitespace, newlines included, into one space.
    """
    if limit is not None:
        text = text[: limit * 2]
    text = text.translate(LINE_SEPARATORS)
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    text = CONTROL_RE.sub("", text)
    if multiline:
        text = "\n".join(SPACES_RE.sub(" ", line).strip() for line in text.split("\n")).strip()
    else:
        text = " ".join(text.split())
    return text[:limit] if limit is not None else text


def clean_question(text: str) -> str:
    """A user's question as one line of at most :data:`MAX_QUESTION_CHARS` characters."""
    return clean_text(text, MAX_QUESTION_CHARS, multiline=False)


def name_key(text: str) -> str:
    """The form in which names (titles, aliases) are compared: cleaned, case-folded, ``ё`` = ``е``."""
    return " ".join(clean_text(text, multiline=False).casefold().replace("ё", "е").split())
