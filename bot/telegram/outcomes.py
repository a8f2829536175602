"""Recording what the bot answered, from the handlers: no I/O on the answer path.

An answer's 👍/👎 buttons carry a random token made before sending; the record (with the time the
answer took) is queued after sending and written by the learning loop's writer thread.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Update

from bot.analytics.outcomes import new_token
from bot.telegram.context import BotContext

logger = logging.getLogger(__name__)


def answer_token(context: BotContext) -> str | None:
    """A token for the 👍/👎 buttons of an answer about to be sent; None when nothing is recorded."""
    return new_token() if context.memebot.learning is not None else None


def _who(update: Update) -> tuple[int, int] | None:
    if update.effective_user is None or update.effective_chat is None:
        return None
    return update.effective_user.id, update.effective_chat.id


def record_answer(
    context: BotContext, update: Update, answer: Any, token: str | None, started: float | None
) -> None:
    """Queue the outcome of a typed question (``started``: ``time.perf_counter()`` when it arrived)."""
    loop, who = context.memebot.learning, _who(update)
    if loop is None or who is None:
        return
    latency = (time.perf_counter() - started) * 1000 if started is not None else None
    loop.record_answer(token or new_token(), who[0], who[1], answer, latency)


def record_shown(context: BotContext, update: Update, token: str, lang: str, slug: str, query: str) -> None:
    """Queue a note shown by a button, a picture or /random (votable; not counted as a question)."""
    loop, who = context.memebot.learning, _who(update)
    if loop is not None and who is not None:
        loop.record_shown(token, who[0], who[1], lang, slug, query)
