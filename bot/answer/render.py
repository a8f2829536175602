"""Plain-text rendering of an :class:`~bot.answer.model.Answer` (the CLI; Telegram renders HTML itself)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.answer.model import Answer
from common.i18n import Lang, t
from indexer.search import Hit


def hit_title(hit: Hit, lang: Lang) -> str:
    return hit.title if lang == "ru" else hit.title_en


def demo_title(demos: Sequence[Any], demo_id: str, lang: Lang) -> str:
    spec = next((d for d in demos if d.id == demo_id), None)
    if spec is None:
        return demo_id
    return str(spec.title_ru if lang == "ru" else spec.title_en)


def unknown_heading(answer: Answer) -> str:
    """The line above a refusal's suggestions: the topic without a note when it is known."""
    if answer.topic:
        return t("unknown_topic", answer.lang, topic=answer.topic)
    return t("unknown", answer.lang)


def render_text(answer: Answer, demos: Sequence[Any]) -> str:
    """The answer as plain text in its language: a note (short or deep), a demo line, or a short reply."""
    lang = answer.lang
    if answer.status == "demo" and answer.demo is not None:
        if answer.demo.error:
            return answer.demo.error
        params = ", ".join(f"{k}={v}" for k, v in answer.demo.params.items()) or "—"
        return t("demo_run", lang, title=demo_title(demos, answer.demo.id, lang), params=params)
    note = answer.note
    if note is None:
        if answer.status == "unknown" and answer.suggestions:
            return "\n".join(
                [unknown_heading(answer), *(f"• {hit_title(h, lang)}" for h in answer.suggestions)]
            )
        return answer.text
    if answer.end_of_note:
        related = ", ".join(r.display_title(lang) for r in answer.related) or "—"
        return t("end_of_note", lang, title=note.display_title(lang), related=related)
    body = note.deep(lang) if answer.depth == "deep" else note.short(lang)
    parts = [note.display_title(lang), "", body]
    if answer.related:
        parts += ["", t("related", lang) + " " + ", ".join(r.display_title(lang) for r in answer.related)]
    if note.demo and answer.depth == "short":
        parts += ["", t("demo_available", lang, title=demo_title(demos, note.demo, lang), id=note.demo)]
    if answer.suggestions:
        parts += [
            "",
            t("did_you_mean", lang) + " " + ", ".join(hit_title(h, lang) for h in answer.suggestions),
        ]
    return "\n".join(parts)
