"""Database calls batched into shared transactions: each caller gets its own result or error."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.storage import open_database
from bot.storage.inbox import InboxStore
from bot.telegram.dbcalls import batcher, db_batch


async def test_a_failing_call_fails_alone_and_the_others_are_committed(tmp_path) -> None:
    db = await asyncio.to_thread(open_database, f"sqlite:///{tmp_path / 'batch.sqlite3'}")
    store = InboxStore(db, "me")

    def broken(session: Session) -> None:
        raise SQLAlchemyError("broken")

    first, failed, last = await asyncio.gather(
        db_batch(db, store.record, [(1, 1, {"update_id": 1})]),
        db_batch(db, broken),
        db_batch(db, store.record, [(2, 2, {"update_id": 2})]),
        return_exceptions=True,
    )
    assert first == 1 and last == 1
    assert isinstance(failed, SQLAlchemyError)
    assert store.counts() == {"pending": 2}
    assert [c.update_id for c in await db_batch(db, store.claim, 10)] == [1, 2]
    assert batcher(db).transactions >= 1
    with pytest.raises(SQLAlchemyError):
        await db_batch(db, broken)
