"""Cleaning and checking what users and admins type: titles, explanations, reasons, aliases; slugs.

Every text is normalised first (:func:`common.textnorm.normalize_unicode`: Unicode line and
paragraph separators become newlines, NFC, zero-width and bidi characters removed), so two
names that look the same are the same and nothing invisible reaches a note file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from typing import Any

from bot.community.errors import (
    InvalidEdit,
    InvalidExplanation,
    InvalidReason,
    InvalidSubmission,
    InvalidTitle,
)
from bot.community.model import NOTE
from common.i18n import Msg
from common.textnorm import normalize_unicode
from indexer.notes import REQUIRED_SECTIONS, SECTIONS, SLUG_RE, normalize_alias

TITLE_MAX = 120
EXPLANATION_MAX = 2000
BODY_MAX = 12000  # a concept note's body (its sections), drafted by an admin
REASON_MAX = 500
ALIAS_MAX = 120
MAX_ALIASES = 20
MAX_RELATED = 10
SLUG_MAX = 48
SLUG_PREFIX = "meme-"

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip

ErrorType = type[InvalidSubmission]


def _normalized(text: object, error: ErrorType, field: str) -> str:
    if not isinstance(text, str):
        raise error("sub_not_text", field=Msg(field))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise error("sub_bad_unicode", field=Msg(field)) from None
    return normalize_unicode(text)


def _reject_controls(text: str, error: ErrorType, field: str, allowed: str = "") -> None:
    bad = next((ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in allowed), None)
    if bad is not None:
        raise error("sub_control_char", field=Msg(field), code=f"U+{ord(bad):04X}")


def has_visible(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LNS" for ch in text)


def _check_length(text: str, limit: int, error: ErrorType, field: str) -> None:
    if len(text) > limit:
        raise error("sub_too_long", field=Msg(field), n=len(text), limit=limit)


def _one_line(text: object, limit: int, error: ErrorType, field: str) -> str:
    text = " ".join(_normalized(text, error, field).split())
    _reject_controls(text, error, field)
    if not text or not has_visible(text):
        raise error("sub_empty", field=Msg(field))
    _check_length(text, limit, error, field)
    return text


def _multi_line(text: object, limit: int, error: ErrorType, field: str) -> str:
    text = _normalized(text if text is not None else "", error, field)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    _reject_controls(text, error, field, allowed="\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    _check_length(text, limit, error, field)
    return text


def validate_title(title: object) -> str:
    """The cleaned title (normalised, whitespace collapsed, 1..120 characters); raises :class:`InvalidTitle`."""
    return _one_line(title, TITLE_MAX, InvalidTitle, "field_title")


def validate_explanation(explanation: object, limit: int = EXPLANATION_MAX) -> str:
    """The cleaned explanation (may be empty, at most ``limit`` characters); raises :class:`InvalidExplanation`."""
    return _multi_line(explanation, limit, InvalidExplanation, "field_explanation")


def validate_note_body(body: object) -> str:
    """A drafted note's text (at most 12000 characters): plain text, or the note's ``## `` sections
    (known ones, the required ones present and not empty, nothing before the first)."""
    text = validate_explanation(body, BODY_MAX)
    lines = [line for line in text.split("\n") if line.strip()]
    headings = [line[3:].strip() for line in lines if line.startswith("## ")]
    if not headings:
        return text
    sections = re.split(r"^## .*$", text, flags=re.MULTILINE)[1:]
    filled = {h for h, part in zip(headings, sections, strict=False) if part.strip()}
    if (
        not lines[0].startswith("## ")
        or any(h not in SECTIONS for h in headings)
        or any(h not in filled for h in REQUIRED_SECTIONS)
    ):
        raise InvalidExplanation(
            "sub_note_sections", sections=", ".join(f"## {name}" for name in REQUIRED_SECTIONS)
        )
    return text


def validate_reason(reason: object) -> str:
    """The cleaned rejection reason (1..500 characters); raises :class:`InvalidReason`."""
    text = _multi_line(reason, REASON_MAX, InvalidReason, "field_reason")
    if not has_visible(text):
        raise InvalidReason("sub_reason_empty")
    return text


def validate_aliases(aliases: object) -> list[str]:
    """Cleaned, de-duplicated aliases (each like a title); raises :class:`InvalidEdit`."""
    if isinstance(aliases, str) or not isinstance(aliases, list | tuple):
        raise InvalidEdit("sub_aliases_not_list")
    result: list[str] = []
    seen: set[str] = set()
    for alias in aliases:
        clean = _one_line(alias, ALIAS_MAX, InvalidEdit, "field_alias")
        key = normalize_alias(clean)
        if key not in seen:
            seen.add(key)
            result.append(clean)
    if len(result) > MAX_ALIASES:
        raise InvalidEdit("sub_too_many_aliases", n=len(result), limit=MAX_ALIASES)
    return result


def validate_related(related: object, known_slugs: Collection[str]) -> list[str]:
    """Slugs of existing notes, de-duplicated (at most 10); raises :class:`InvalidEdit` naming a bad one."""
    if isinstance(related, str) or not isinstance(related, list | tuple):
        raise InvalidEdit("sub_related_not_list")
    clean: list[str] = []
    for raw in related:
        slug = str(raw).strip()
        if not SLUG_RE.match(slug) or slug not in known_slugs:
            raise InvalidEdit("sub_related_unknown", slug=slug[:60])
        if slug not in clean:
            clean.append(slug)
    if len(clean) > MAX_RELATED:
        raise InvalidEdit("sub_too_many_related", n=len(clean), limit=MAX_RELATED)
    return clean


def slugify(title: str, limit: int = SLUG_MAX - len(SLUG_PREFIX)) -> str:
    """Lowercase latin words joined by ``-``: Cyrillic transliterated, accents dropped, the rest removed.

    ``slugify("Оверфит на тесте!")`` → ``"overfit-na-teste"``. May return ``""`` (e.g. emoji only).
    """
    text = "".join(CYRILLIC.get(ch, ch) for ch in unicodedata.normalize("NFC", title).lower())
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut and cut.rfind("-") >= limit // 2 else cut
        slug = slug.strip("-")
    return slug


def make_slug(title: str, submission_id: int, taken: set[str], prefix: str = SLUG_PREFIX) -> str:
    """``meme-<slugified title>`` (or ``prefix`` + …) at most 48 characters, unique against ``taken``
    (adds ``-2``, ``-3`` …)."""
    base = slugify(title, SLUG_MAX - len(prefix)) or f"submission-{submission_id}"
    candidate = prefix + base
    n = 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        trimmed = (
            slugify(base, SLUG_MAX - len(prefix) - len(suffix))
            or base[: SLUG_MAX - len(prefix) - len(suffix)]
        )
        candidate = prefix + trimmed.strip("-") + suffix
    assert SLUG_RE.match(candidate) and len(candidate) <= SLUG_MAX, candidate
    return candidate


def validate_edits(
    title: str | None,
    explanation: str | None,
    aliases: list[str] | None,
    related: list[str] | None,
    english: dict[str, str | None],
    kind: str,
    known_slugs: Callable[[], Collection[str]],
) -> dict[str, Any]:
    """An admin's edits, each cleaned by its rule (None: not edited); ``known_slugs()`` is read only
    when related notes are edited. A drafted concept note's text is a note body (sections allowed)."""
    edits: dict[str, Any] = {}
    if title is not None:
        edits["title"] = validate_title(title)
    if explanation is not None:
        edits["explanation"] = (
            validate_note_body(explanation) if kind == NOTE else validate_explanation(explanation)
        )
    if english.get("title_en") is not None:
        edits["title_en"] = validate_title(english["title_en"])
    if english.get("explanation_en") is not None:
        edits["explanation_en"] = validate_explanation(english["explanation_en"])
    if aliases is not None:
        edits["aliases"] = validate_aliases(aliases)
    if related is not None:
        edits["related"] = validate_related(related, known_slugs())
    return edits


def slug_for(kind: str, title: str, title_en: str | None, submission_id: int, taken: set[str]) -> str:
    """A meme's slug is ``meme-<its title>``; a drafted concept note's is its English title."""
    if kind == NOTE:
        return make_slug(title_en or title, submission_id, taken, prefix="")
    return make_slug(title, submission_id, taken, prefix=SLUG_PREFIX)
