"""Sending what the moderation workflow owes people: admin cards, card updates, verdicts — with retries.

Rows come from :mod:`bot.storage.outbox` (written in the same transaction as the state change). The
worker claims due rows, renders them from the submission as it is *now* (:mod:`bot.telegram.notify`),
sends, and marks them sent; a failure is retried with exponential backoff (Telegram's ``retry_after``
when it gives one) up to :data:`MAX_ATTEMPTS`, then logged as failed. Rows of one chat go in order, so
a card's update never overtakes the card. Every replica runs a worker; claims keep them apart.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.community.errors import SubmissionNotFound
from bot.community.model import PUBLISHED, SubmissionView
from bot.community.service import SubmissionService
from bot.storage.outbox import ADMIN_CARD, CARD_UPDATE, VERDICT, OutboxStore, OwedMessage, card_key
from bot.storage.people import PeopleStore
from bot.telegram.dbcalls import db_call
from bot.telegram.notify import admin_card, verdict_text
from common.i18n import Lang, as_lang

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # 2 s doubling to 10 min: about half an hour of retries
BATCH = 16


class Done(Exception):
    """Nothing (more) to send for this row; ``result`` is stored with it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OutboxWorker:
    """Claims owed messages and sends them; ``before_verdict`` runs before telling a submitter "published"."""

    def __init__(
        self,
        bot: Bot,
        store: OutboxStore,
        service: SubmissionService,
        people: PeopleStore | None = None,
        before_verdict: Callable[[], Awaitable[object]] | None = None,
        base_delay_s: float = 2.0,
        poll_s: float = 2.0,
    ):
        self.bot = bot
        self.store = store
        self.service = service
        self.people = people
        self.before_verdict = before_verdict
        self.base_delay_s = base_delay_s
        self.poll_s = poll_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    async def start(self, sole_consumer: bool) -> None:
        if sole_consumer:
            try:
                await db_call(self.store.release_all)
            except SQLAlchemyError:
                logger.warning("outbox unavailable at start", exc_info=True)
        self._task = asyncio.create_task(self._loop(), name="outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and send one batch; returns how many rows were handled."""
        rows = await db_call(self.store.claim, BATCH)
        await asyncio.gather(*(self._send(row) for row in rows))
        return len(rows)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                handled = await self.run_once()
            except SQLAlchemyError:
                logger.warning("outbox unavailable; will try again", exc_info=True)
                handled = 0
            if handled:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            except TimeoutError:
                pass

    async def _send(self, row: OwedMessage) -> None:
        try:
            result = await self._deliver(row)
        except Done as done:
            await db_call(self.store.sent, row.id, {"skipped": done.reason})
            return
        except RetryAfter as exc:
            wait = (
                exc.retry_after
                if isinstance(exc.retry_after, int | float)
                else exc.retry_after.total_seconds()
            )
            await db_call(self.store.retry_later, row.id, float(wait) + 0.5, f"RetryAfter: {wait}")
            return
        except Exception as exc:
            await self._failed(row, exc)
            return
        await db_call(self.store.sent, row.id, result)
        if row.kind == VERDICT and row.submission_id is not None:
            await db_call(self.service.mark_notified, row.submission_id)
        self.sent += 1
        self.wake()  # the chat's next row may be due now

    async def _failed(self, row: OwedMessage, exc: Exception) -> None:
        detail = f"{type(exc).__name__}: {exc}"
        if row.attempts >= MAX_ATTEMPTS:
            logger.error(
                "giving up on %s to chat %s after %d attempts: %s", row.key, row.chat_id, row.attempts, detail
            )
            await db_call(self.store.failed, row.id, detail)
            return
        delay = min(600.0, self.base_delay_s * 2 ** (row.attempts - 1)) * (0.8 + 0.4 * random.random())
        level = logging.INFO if isinstance(exc, Forbidden) else logging.WARNING
        logger.log(
            level,
            "could not send %s to chat %s (attempt %d, again in %.1fs): %s",
            row.key,
            row.chat_id,
            row.attempts,
            delay,
            detail,
        )
        await db_call(self.store.retry_later, row.id, delay, detail)

    # ------------------------------------------------------------------ rendering and sending

    async def _deliver(self, row: OwedMessage) -> Any:
        if row.submission_id is None:
            raise Done("no submission")
        try:
            view = await db_call(self.service.get, row.submission_id)
        except SubmissionNotFound:
            raise Done("submission gone") from None
        if row.kind == VERDICT:
            return await self._verdict(row, view)
        if row.kind == ADMIN_CARD:
            return await self._card(row, view)
        if row.kind == CARD_UPDATE:
            return await self._card_update(row, view)
        raise Done(f"unknown kind {row.kind}")

    async def _verdict(self, row: OwedMessage, view: SubmissionView) -> Any:
        text = verdict_text(view)
        if text is None:
            raise Done(f"undecided ({view.status})")
        if view.status == PUBLISHED and self.before_verdict is not None:
            await self.before_verdict()  # the submitter may ask about the meme right away
        message = await self.bot.send_message(row.chat_id, text, parse_mode=ParseMode.HTML)
        return {"message_id": message.message_id}

    async def _card(self, row: OwedMessage, view: SubmissionView) -> Any:
        lang = await self._lang_of(row.chat_id)
        caption, buttons = admin_card(view, lang, await self._name_of(view.decided_by))
        image = await asyncio.to_thread(view.image_path.read_bytes)
        message = await self.bot.send_photo(
            row.chat_id, image, caption=caption, parse_mode=ParseMode.HTML, reply_markup=buttons
        )
        return {"message_id": message.message_id}

    async def _card_update(self, row: OwedMessage, view: SubmissionView) -> Any:
        card = await db_call(self.store.result_of, card_key(view.id, row.chat_id))
        message_id = card[1].get("message_id") if card is not None and isinstance(card[1], dict) else None
        if message_id is None:
            raise Done("the admin never got the card")
        caption, buttons = admin_card(
            view, await self._lang_of(row.chat_id), await self._name_of(view.decided_by)
        )
        try:
            await self.bot.edit_message_caption(
                chat_id=row.chat_id,
                message_id=message_id,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=buttons,
            )
        except BadRequest as exc:
            text = str(exc).lower()
            if "not modified" in text or "not found" in text or "can't be edited" in text:
                raise Done(str(exc)) from None
            raise
        return {"message_id": message_id}

    async def _lang_of(self, user_id: int) -> Lang:
        known = await self._person(user_id)
        return as_lang(known[1] if known else None, default="ru")

    async def _name_of(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        known = await self._person(user_id)
        return known[0] if known else f"id {user_id}"

    async def _person(self, user_id: int) -> tuple[str, str | None] | None:
        if self.people is None:
            return None
        try:
            return await db_call(self.people.get, user_id)
        except SQLAlchemyError:
            return None
