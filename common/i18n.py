"""The one language layer: which language a user gets, and every user-facing text in it.

``t(key, lang, **params)`` formats the text ``key`` of :mod:`common.texts` in Russian or English.
A count is written with its noun in the right form by a plural field:
``"{n:картинка|картинки|картинок}"`` gives «1 картинка», «3 картинки», «163 картинки»… and
``"{n:example|examples}"`` gives "1 example", "2 examples". A value that is itself a
:class:`Msg` (a text key with its own parameters) is rendered in the same language.

Example::

    t("photos_found", "ru", n=163)   # «Нашёл 163 картинки»
    as_lang("en-GB")                 # "en"
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

Lang = Literal["ru", "en"]
LANGS: tuple[Lang, ...] = ("ru", "en")
DEFAULT_LANG: Lang = "ru"

CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN_RE = re.compile(r"[a-z]", re.IGNORECASE)
LATIN_WORD_RE = re.compile(r"[a-z]+")
# Telegram language codes of users who read Russian more easily than English.
RUSSIAN_READERS = ("ru", "uk", "be", "kk")


def as_lang(value: object, default: Lang = DEFAULT_LANG) -> Lang:
    """``"ru"``/``"ru-RU"``/``"uk"`` → ``"ru"``; ``"en…"`` → ``"en"``; anything else → ``default``."""
    code = str(value or "").strip().lower()
    if code.startswith(RUSSIAN_READERS):
        return "ru"
    if code.startswith("en"):
        return "en"
    return default


# Frequent Russian words as people write them in Latin letters («chto takoe kross validaciya»); none
# is an English word. Two of them, or one in four words, make a Latin message Russian.
TRANSLIT_RU_WORDS = frozenset(
    """chto shto kak pochemu zachem takoe takoi takoy eto etot eta mne menya obyasni obyasnite obiasni
    rasskazhi raskazhi pokazhi nuzhno mozhno kogda gde kakoy kakoi kakaya kakie ili dlya skolko tolko
    ochen esli chem vot uzhe eshche eshe kto nado delat sdelat rabotaet pozhaluysta pozhaluista privet
    spasibo nichego voobshche vobshe podrobnee mem setka setki setke setku nejroset neyroset obuchenie
    zhe tozhe pri bez tak nuzhen nuzhna ponimayu ponyal znayu kakogo kakuyu demku zapusti""".split()
)


def detect_lang(text: str) -> Lang:
    """``"ru"`` when Cyrillic letters are at least a third of the letters, or when a Latin message is
    transliterated Russian (:data:`TRANSLIT_RU_WORDS`); else ``"en"`` (no letters: ru)."""
    cyr = len(CYRILLIC_RE.findall(text))
    lat = len(LATIN_RE.findall(text))
    if cyr == 0 and lat == 0:
        return "ru"
    if cyr >= lat / 2:
        return "ru"
    words = LATIN_WORD_RE.findall(text.lower())
    russian = sum(w in TRANSLIT_RU_WORDS for w in words)
    return "ru" if russian >= 2 or (russian and 4 * russian >= len(words)) else "en"


def user_lang(language_code: str | None, message_text: str | None = None) -> Lang:
    """The language to answer a user in: their client's language if ru/en, else their message's."""
    if language_code and as_lang(language_code, default=cast(Lang, "")) in LANGS:
        return as_lang(language_code)
    return detect_lang(message_text) if message_text else DEFAULT_LANG


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for ``n``: 1 картинка, 2 картинки, 5 картинок, 11 картинок, 21 картинка."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def plural(n: float, forms: str, lang: Lang) -> str:
    """``forms`` is ``"one|few|many"`` (ru) or ``"one|many"`` (en); a fractional ``n`` takes ru "few"."""
    parts = forms.split("|")
    if lang == "ru" and len(parts) == 3:
        if n != int(n):
            return parts[1]
        return plural_ru(int(n), *parts)
    return parts[0] if n == 1 else parts[-1]


@dataclass(frozen=True)
class Msg:
    """A text key with parameters, rendered later in whatever language is asked for."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        return t(self.key, lang, **self.params)


class _Formatter(string.Formatter):
    """``{n:a|b|c}`` → "n a/b/c" by plural rules; :class:`Msg` values rendered in the same language."""

    def __init__(self, lang: Lang):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            number, _, forms = (
                format_spec.partition(":") if format_spec.startswith(("0", ".")) else ("", "", format_spec)
            )
            shown = format(value, number) if number else _number(value, self.lang)
            return f"{shown} {plural(float(value), forms, self.lang)}"
        if isinstance(value, Msg):
            value = value.render(self.lang)
        elif isinstance(value, dict) and set(value) == set(LANGS):
            value = value[self.lang]
        return super().format_field(value, format_spec)


def _number(value: Any, lang: Lang) -> str:
    """Integers as they are; fractions with a decimal comma in Russian."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "ru" else text
    return str(int(value)) if isinstance(value, float) else str(value)


def t(key: str, lang: str, **params: Any) -> str:
    """The text ``key`` in ``lang`` (anything not ru/en falls back to Russian), formatted with ``params``.

    Raises ``KeyError`` for an unknown key: a missing text is a programming error, caught by tests.
    """
    from common.texts import TEXTS

    language = as_lang(lang)
    entry = TEXTS[key]
    template = entry[language]
    return _Formatter(language).vformat(template, (), params) if params or "{" in template else template


def has_text(key: str) -> bool:
    from common.texts import TEXTS

    return key in TEXTS
