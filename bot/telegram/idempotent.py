"""Replies that are never sent twice for one update, even when the update is handled again after a crash.

While an update is handled, :data:`JOURNAL` holds its :class:`ReplyJournal`. :class:`IdempotentBot`
numbers every Bot API call with a side effect (sending, editing, answering a button, …) and records
its result under ``(update_id, n)`` once Telegram has answered. Handling the same update again makes
the same calls in the same order; a call already recorded is not made again: its recorded result is
returned instead.

The one gap Telegram leaves: it has no idempotency key, so a call whose answer never came back (the
process was killed during that very HTTP request, a window of milliseconds) is made again by the
retry. We chose a rare duplicate over a lost reply; the README's "Operations" section says so.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Protocol

from telegram.ext import ExtBot

logger = logging.getLogger(__name__)

# Bot API methods that change something a user sees; reads (getFile, getMe, …) and chat actions are free to repeat.
SIDE_EFFECT_PREFIXES = (
    "send",
    "edit",
    "answer",
    "delete",
    "copy",
    "forward",
    "pin",
    "unpin",
    "stop",
    "setMessageReaction",
)
REPEATABLE = frozenset({"sendChatAction"})


def has_side_effect(endpoint: str) -> bool:
    return endpoint not in REPEATABLE and endpoint.startswith(SIDE_EFFECT_PREFIXES)


class ReplyLog(Protocol):
    """Where a journal writes (the inbox store, via the database threads)."""

    async def record(self, update_id: int, seq: int, method: str, result: Any) -> None: ...


class ReplyJournal:
    """The calls made for one update: ``seq → (method, result)`` from earlier attempts, and a counter."""

    def __init__(
        self, update_id: int, recorded: dict[int, tuple[str, Any]] | None = None, log: ReplyLog | None = None
    ):
        self.update_id = update_id
        self.recorded = dict(recorded or {})
        self.log = log
        self.seq = 0
        self.replayed = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


JOURNAL: ContextVar[ReplyJournal | None] = ContextVar("memebot_reply_journal", default=None)


class IdempotentBot(ExtBot[Any]):
    """An ExtBot whose side-effect calls are journalled per update (see the module docstring)."""

    async def _do_post(self, endpoint: str, data: Any, **kwargs: Any) -> Any:
        journal = JOURNAL.get()
        if journal is None or not has_side_effect(endpoint):
            return await super()._do_post(endpoint, data, **kwargs)
        seq = journal.next_seq()
        known = journal.recorded.get(seq)
        if known is not None and known[0] == endpoint and known[1] is not None:
            journal.replayed += 1
            logger.info(
                "update %s: %s #%s was already sent; not sending it again", journal.update_id, endpoint, seq
            )
            return known[1]
        if known is not None:
            logger.warning(
                "update %s: call #%s is %s now but was %s before; sending",
                journal.update_id,
                seq,
                endpoint,
                known[0],
            )
        result = await super()._do_post(endpoint, data, **kwargs)
        if journal.log is not None:
            try:
                await journal.log.record(journal.update_id, seq, endpoint, result)
            except Exception:
                logger.warning(
                    "update %s: could not journal %s #%s (a retry after a crash may repeat it)",
                    journal.update_id,
                    endpoint,
                    seq,
                    exc_info=True,
                )
        return result
