"""PTB persistence on the project's database: conversations, ``user_data`` and ``chat_data`` survive restarts.

PTB hands changed data to ``update_*`` after each update (the update worker calls
``Application.update_persistence``); they are *staged* here and written by the worker in the same
transaction that marks the update done (:meth:`take_staged`), so a state change and "this update
is handled" are stored together or not at all. Before an update is handled the worker
:meth:`preload`s its chat's and user's rows: a row another replica wrote replaces what this process
remembers, so a conversation goes on whichever replica gets the next message.

When the database is unreachable nothing fails: the data stays in memory and is written later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, cast

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.storage.state import DELETE, StateKey, StateStore
from bot.telegram.dbcalls import db_batch, db_call

logger = logging.getLogger(__name__)

USER, CHAT = "user", "chat"
_SNAPSHOT: ContextVar[dict[StateKey, Any] | None] = ContextVar("memebot_state_snapshot", default=None)


def conversation_kind(name: str) -> str:
    return f"conv:{name}"[:16]


def conversation_key(key: ConversationKey) -> str:
    return json.dumps(list(key))


class DatabasePersistence(BasePersistence[dict, dict, Any]):
    """``BasePersistence`` over :class:`bot.storage.state.StateStore` (``bot_data`` is not persisted: it holds services)."""

    def __init__(self, store: StateStore, writer: str, update_interval: float = 60):
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False), update_interval=update_interval
        )
        self.store = store
        self.writer = writer
        self._staged: dict[StateKey, Any] = {}
        # Rows the last preload found missing: PTB hands over every user's (mostly empty) user_data
        # after each update, and deleting a row that is not there cost a statement per update.
        self._absent: set[StateKey] = set()

    # ------------------------------------------------------------------ staging

    def _stage(self, key: StateKey, value: Any) -> None:
        if value is DELETE and key in self._absent and key not in self._staged:
            return
        self._absent.discard(key)
        self._staged[key] = value

    def take_staged(self) -> dict[StateKey, Any]:
        staged, self._staged = self._staged, {}
        return staged

    def restage(self, changes: dict[StateKey, Any]) -> None:
        """Changes that could not be written go back (newer staged values win)."""
        self._staged = {**changes, **self._staged}

    async def flush(self) -> None:
        """Write everything staged (on shutdown and now and then)."""
        staged = self.take_staged()
        if not staged:
            return
        try:
            await db_call(self.store.write, staged, self.writer)
        except SQLAlchemyError:
            logger.warning(
                "could not save %d conversation/user states; keeping them in memory",
                len(staged),
                exc_info=True,
            )
            self.restage(staged)

    # ------------------------------------------------------------------ loading at start

    async def _load(self, kind: str) -> dict[str, Any]:
        try:
            return await db_call(self.store.load_kind, kind)
        except SQLAlchemyError:
            logger.warning("could not load %s states; starting with none", kind, exc_info=True)
            return {}

    async def get_user_data(self) -> dict[int, dict]:
        return {int(k): v for k, v in (await self._load(USER)).items() if isinstance(v, dict)}

    async def get_chat_data(self) -> dict[int, dict]:
        return {int(k): v for k, v in (await self._load(CHAT)).items() if isinstance(v, dict)}

    async def get_bot_data(self) -> Any:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        return {
            tuple(json.loads(k)): state for k, state in (await self._load(conversation_kind(name))).items()
        }

    # ------------------------------------------------------------------ changes from PTB

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        self._stage(
            (conversation_kind(name), conversation_key(key)), DELETE if new_state is None else new_state
        )

    async def update_user_data(self, user_id: int, data: dict) -> None:
        self._stage((USER, str(user_id)), data if data else DELETE)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        self._stage((CHAT, str(chat_id)), data if data else DELETE)

    async def update_bot_data(self, data: Any) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        self._stage((CHAT, str(chat_id)), DELETE)

    async def drop_user_data(self, user_id: int) -> None:
        self._stage((USER, str(user_id)), DELETE)

    # ------------------------------------------------------------------ what other replicas wrote

    async def preload(self, application: Application, update: Update) -> None:
        """Read this update's rows (user, chat, conversations); adopt those another process wrote."""
        keys: list[StateKey] = []
        if update.effective_user is not None:
            keys.append((USER, str(update.effective_user.id)))
        if update.effective_chat is not None:
            keys.append((CHAT, str(update.effective_chat.id)))
        conversations = list(_persistent_conversations(application))
        for handler in conversations:
            try:
                keys.append(
                    (conversation_kind(cast(str, handler.name)), conversation_key(handler._get_key(update)))
                )
            except RuntimeError:
                continue
        keys = [k for k in keys if k not in self._staged]
        try:
            rows = await db_batch(self.store.db, self.store.load, keys)
        except SQLAlchemyError:
            logger.warning(
                "could not read the states of update %s; using what this process remembers", update.update_id
            )
            self._absent.clear()  # unknown now: deletes are written again
            return
        self._absent.difference_update(rows)
        self._absent.update(k for k in keys if k not in rows)
        foreign = {k: v for k, (v, writer) in rows.items() if writer != self.writer}
        _SNAPSHOT.set(foreign)
        for handler in conversations:
            try:
                key = handler._get_key(update)
            except RuntimeError:
                continue
            row_key = (conversation_kind(cast(str, handler.name)), conversation_key(key))
            states = cast(TrackingDict, handler._conversations)
            if row_key in foreign:
                states.update_no_track({key: foreign[row_key]})
            elif row_key in keys and row_key not in rows and key in states:
                states.data.pop(key, None)  # another replica ended this conversation (its row is gone)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        _adopt(user_data, (USER, str(user_id)))

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        _adopt(chat_data, (CHAT, str(chat_id)))

    async def refresh_bot_data(self, bot_data: Any) -> None:
        return None


def _adopt(target: dict, key: StateKey) -> None:
    snapshot = _SNAPSHOT.get()
    if snapshot and key in snapshot and isinstance(snapshot[key], dict):
        target.clear()
        target.update(snapshot[key])


def _persistent_conversations(application: Application) -> Iterable[ConversationHandler]:
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.persistent and handler.name:
                yield handler
