"""Small JSON documents keyed by ``(kind, key)``: the bot's conversation states, user_data and chat_data.

The database side of :mod:`bot.telegram.persistence`. Values are JSON; ``bytes`` are stored as
base64 (tagged), tuples as lists. ``writer`` names the process that wrote a row last, so a process
can tell its own writes from another replica's.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, delete, select, tuple_
from sqlalchemy.orm import Session

from bot.storage.database import Database, upsert_insert
from bot.storage.models import BotState, utcnow
from bot.storage.queue import table_of

logger = logging.getLogger(__name__)

DELETE = object()  # a staged change that removes the row
StateKey = tuple[str, str]
BYTES_TAG = "__bytes_b64__"


def encode(value: Any) -> Any:
    """A JSON-ready copy of ``value`` (raises TypeError for what JSON can't hold)."""
    if isinstance(value, bytes | bytearray):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} cannot be stored")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {BYTES_TAG}:
            return base64.b64decode(value[BYTES_TAG])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


# The statements of every answer (a state read, an upsert), built once: building them per call cost
# more CPU than running them (~0.3 ms of ~0.45 ms a read, bench/RESULTS.md).
_LOAD = select(BotState.kind, BotState.key, BotState.data, BotState.writer).where(
    tuple_(BotState.kind, BotState.key).in_(bindparam("state_keys", expanding=True))
)


@functools.cache
def _upsert(dialect: str) -> Any:
    """``INSERT … ON CONFLICT (kind, key) DO UPDATE`` the row's data, writer and time; values at execution."""
    statement = upsert_insert(dialect)(table_of(BotState))
    return statement.on_conflict_do_update(
        index_elements=["kind", "key"],
        set_={
            "data": statement.excluded.data,
            "writer": statement.excluded.writer,
            "updated_at": statement.excluded.updated_at,
        },
    )


class StateStore:
    """Reads and writes ``bot_state`` rows."""

    def __init__(self, db: Database):
        self.db = db

    def load_kind(self, kind: str) -> dict[str, Any]:
        """Every ``key → value`` of one kind."""
        with self.db.session() as s:
            return {
                key: decode(data)
                for key, data in s.execute(select(BotState.key, BotState.data).where(BotState.kind == kind))
            }

    def load(
        self, keys: Iterable[StateKey], session: Session | None = None
    ) -> dict[StateKey, tuple[Any, str | None]]:
        """``(kind, key) → (value, writer)`` for the keys that have a row (in ``session`` if given)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        with self.db.transaction(session) as s:
            rows = s.execute(_LOAD, {"state_keys": wanted})
            return {(kind, key): (decode(data), writer) for kind, key, data, writer in rows}

    def write(self, changes: Mapping[StateKey, Any], writer: str, session: Session | None = None) -> None:
        """Upsert (or delete, for :data:`DELETE`) every change, in ``session`` or a transaction of its own."""
        if session is None:
            with self.db.session() as s:
                self.write(changes, writer, s)
            return
        upsert = _upsert(session.get_bind().dialect.name)
        now = utcnow()
        for (kind, key), value in changes.items():
            if value is DELETE:
                session.execute(delete(BotState).where(BotState.kind == kind, BotState.key == key))
                continue
            try:
                data = encode(value)
                json.dumps(data)
            except (TypeError, ValueError) as exc:
                logger.warning("state %s/%s not stored: %s", kind, key, exc)
                continue
            session.execute(
                upsert, {"kind": kind, "key": key, "data": data, "writer": writer, "updated_at": now}
            )
