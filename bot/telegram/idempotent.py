"""Replies that are never sent twice for one update, even when the update is handled again after a crash.

While an update is handled, :data:`JOURNAL` holds its :class:`ReplyJournal`. :class:`IdempotentBot`
numbers every Bot API call with a side effect (sending, editing, answering a button, …) and records
the result under ``(update_id, n)``. Handling the same update again makes the same calls in the same
order; a call already recorded is not sent again: the recorded result is returned instead.

What remains: a process killed in the few milliseconds between Telegram accepting a message and the
record being written sends that one message again (Telegram has no idempotency key).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

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

SaveReply = Callable[[int, int, str, Any], Awaitable[None]]


def has_side_effect(endpoint: str) -> bool:
    return endpoint not in REPEATABLE and endpoint.startswith(SIDE_EFFECT_PREFIXES)


class ReplyJournal:
    """The calls made for one update: those recorded by an earlier attempt, and a counter for this one."""

    def __init__(
        self,
        update_id: int,
        recorded: dict[int, tuple[str, Any]] | None = None,
        save: SaveReply | None = None,
    ):
        self.update_id = update_id
        self.recorded = dict(recorded or {})
        self.save = save
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
        if known is not None and known[0] == endpoint:
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
        if journal.save is not None:
            try:
                await journal.save(journal.update_id, seq, endpoint, result)
            except Exception:  # noqa: BLE001 - the reply went out; only the replay protection is lost
                logger.warning(
                    "update %s: could not record %s #%s (a retry after a crash may repeat it)",
                    journal.update_id,
                    endpoint,
                    seq,
                    exc_info=True,
                )
        return result


def journal_saver(record: Callable[[int, int, str, Any], None]) -> SaveReply:
    """A :data:`SaveReply` that runs a blocking ``record`` in a thread."""

    async def save(update_id: int, seq: int, method: str, result: Any) -> None:
        await asyncio.to_thread(record, update_id, seq, method, result)

    return save
