"""Long polling that confirms an update to Telegram only after the inbox has stored it.

``getUpdates`` confirms every update below the ``offset`` it is called with. PTB's own updater
asks for the next batch as soon as the last one is queued in memory, so a crash loses the queue.
:class:`InboxPoller` asks for the next batch only after :meth:`UpdateWorker.receive` returned, i.e.
after the batch is in the database.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.telegram.inbox import UpdateWorker

logger = logging.getLogger(__name__)


class InboxPoller:
    """``getUpdates`` in a loop, each batch recorded before the next call acknowledges it."""

    def __init__(self, worker: UpdateWorker, timeout: int = 10, poll_interval: float = 0.0):
        self.worker = worker
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._task: asyncio.Task[None] | None = None
        self.offset: int | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    async def start(self) -> None:
        bot = self.worker.application.bot
        await bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._run(), name="inbox:poll")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        bot = self.worker.application.bot
        delay = 1.0
        while True:
            try:
                updates = await bot.get_updates(
                    offset=self.offset,
                    timeout=self.timeout,
                    allowed_updates=Update.ALL_TYPES,
                    read_timeout=self.timeout + 10,
                )
            except RetryAfter as exc:
                await asyncio.sleep(
                    float(
                        exc.retry_after
                        if isinstance(exc.retry_after, int | float)
                        else exc.retry_after.total_seconds()
                    )
                )
                continue
            except InvalidToken:
                logger.error("Telegram rejected the bot token; polling stopped")
                raise
            except Conflict:
                logger.warning(
                    "another process is polling with this token (or a webhook is set); retrying in %.0fs",
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            except (NetworkError, TelegramError):
                logger.warning("getUpdates failed; retrying in %.0fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            if updates:
                await self.worker.receive(list(updates))
                self.offset = updates[-1].update_id + 1  # the next call confirms this batch: it is stored now
            if self.poll_interval:
                await asyncio.sleep(self.poll_interval)
