"""Imported by ``bench_bot.py --memo`` into the bot process: the answer pipeline remembers its answers.

A repeated question then costs the pipeline almost nothing, so the bot's CPU per answer is what the
bot spends around the pipeline (PTB, HTTP, the inbox, persistence, the learning loop). Benchmarks only.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.answer.pipeline import AnswerPipeline

_answer = AnswerPipeline.answer
_seen: dict[tuple[str, str | None], Any] = {}


def answer(
    self: AnswerPipeline, query: str, lang: str | None = None, state: Any = None, picture: bool = False
):
    key = (query, lang)
    if picture or key not in _seen:
        fresh = copy.deepcopy(state)
        _seen[key] = _answer(self, query, lang, fresh, picture)
    return _seen[key]


AnswerPipeline.answer = answer  # type: ignore[method-assign]
