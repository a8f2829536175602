"""Normalising untrusted text before any work is done on it.

``clean_text`` is applied to every question, title, alias and explanation that enters the system:
NFKC (full-width letters, ligatures and compatibility forms become plain ones), zero-width and
bidi control characters removed, Unicode line/paragraph separators (U+2028/U+2029) turned into
newlines, other control characters dropped, and the length capped *before* anything expensive runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Zero-width and invisible formatting characters that make two equal-looking names differ.
INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
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


# ---------------------------------------------------------------- search-side normalisation

NAME_SPLIT_RE = re.compile(r"[^\w+#]+")

# Latin → Cyrillic, longest spellings first (common informal transliteration: «obyasni», «chto»,
# «prodavtsa», «shchuka», «pozhaluysta»; «validaciya»: "c" before e/i is ц, "iya" is ия; «-tsya» is
# «-тся»). Only used on words the index does not know as written.
# fmt: off
_TRANSLIT = [
    ("tsya", "тся"), ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"),
    ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("ja", "я"), ("ju", "ю"), ("jo", "ё"),
    ("iya", "ия"), ("iyu", "ию"), ("iye", "ие"), ("ci", "ци"), ("ce", "це"),
    ("iy", "ий"), ("yy", "ый"), ("y", "ы"), ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"),
    ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("h", "х"), ("c", "к"), ("q", "к"), ("x", "кс"), ("'", "ь"),
]
# fmt: on
_VOWELS = set("аеёиоуыэюя")


def translit_to_cyrillic(word: str) -> str:
    """Informal Latin spelling of a Russian word in Cyrillic: «obyasni» → «обясни», «takoy» → «такой».

    Lossy by nature (``ъ``/``ь`` are rarely written); callers check the result against known words
    and allow one edit. A word with non-Latin letters is returned unchanged.
    """
    low = word.lower()
    if not low.isascii() or not any(c.isalpha() for c in low):
        return word
    out: list[str] = []
    i = 0
    while i < len(low):
        for latin, cyr in _TRANSLIT:
            if low.startswith(latin, i):
                # "y" after a vowel is й («takoy», «moy»), else ы («tachky»).
                if latin == "y" and out and out[-1][-1] in _VOWELS:
                    cyr = "й"
                if latin == "e" and not out:
                    cyr = "э" if low[i + 1 : i + 3] in ("to", "ti", "tot") else "е"
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(low[i])
            i += 1
    return "".join(out)


def name_words(text: str) -> list[str]:
    """Words of a name or question as compared for name matching: case-folded, ``ё`` = ``е``."""
    return [w for w in NAME_SPLIT_RE.split(text.casefold().replace("ё", "е")) if w]


def within_one_edit(a: str, b: str, substitution: bool = True) -> bool:
    """True when ``a`` becomes ``b`` by at most one insertion, deletion, substitution (unless
    ``substitution`` is False) or swap of neighbours."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return (substitution and a[i + 1 :] == b[i + 1 :]) or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i:] == b[i + 1 :]


def edits1_match(word: str, vocabulary: Iterable[str], substitution: bool = True) -> str | None:
    """The one vocabulary word within one edit of ``word`` (None when none, or several, are)."""
    found = None
    for candidate in vocabulary:
        if (
            abs(len(candidate) - len(word)) <= 1
            and candidate[:1] == word[:1]
            and within_one_edit(word, candidate, substitution)
        ):
            if found is not None and found != candidate:
                return None
            found = candidate
    return found
