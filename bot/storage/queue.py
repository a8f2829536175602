"""Work queues in a table (the inbox of updates, the outbox of owed messages), shared safely by processes.

A row is ``pending`` until a worker *claims* it: one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED)`` on PostgreSQL (replicas never claim the same row and never wait for each other), a single
writing statement on SQLite (writers are serialised by the database). A claim is a lease: the owner
renews it while it works; when the owner dies, the lease lapses and any worker may claim the row again.
Rows of one chat are claimed in order: a row waits while an earlier row of its chat is unfinished.

Example::

    with db.session() as s:
        rows = claim(s, InboxUpdate, owner="host:42", lease_s=30, limit=10)
    ...
    with db.session() as s:
        finish(s, InboxUpdate, row.id, owner="host:42")
"""

from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot.storage.database import upsert_insert
from bot.storage.models import Base, utcnow

PENDING, CLAIMED, DONE, FAILED = "pending", "claimed", "done", "failed"
UNFINISHED = (PENDING, CLAIMED)
# SQLAlchemy keeps an INSERT's row count only when asked (PostgreSQL otherwise reports -1).
_COUNTED = {"preserve_rowcount": True}


def worker_id() -> str:
    """A name for this process's claims: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def table_of(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def insert_ignoring_duplicates(s: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> int:
    """``INSERT … ON CONFLICT DO NOTHING``; returns how many rows were new."""
    if not rows:
        return 0
    statement = _insert_ignoring(model, s.get_bind().dialect.name)
    if len(rows) == 1:  # a reply, an update, an owed message: the statement as built, the row as values
        result = s.execute(statement, dict(rows[0]), execution_options=_COUNTED)
    else:
        result = s.execute(statement.values(list(rows)), execution_options=_COUNTED)
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


@functools.cache
def _insert_ignoring(model: type[Base], dialect: str) -> Any:
    return upsert_insert(dialect)(table_of(model)).on_conflict_do_nothing()


def claim(
    s: Session, model: type[Base], owner: str, lease_s: float, limit: int, now: datetime | None = None
) -> list[Any]:
    """Claim up to ``limit`` rows that are due, oldest first; returns them (``attempts`` already counts this one)."""
    now = now or utcnow()
    claimed = s.execute(
        _claim_statement(model),
        {
            "claim_now": now,
            "claim_limit": limit,
            "claim_owner": owner,
            "claim_lease_until": now + timedelta(seconds=lease_s),
        },
    )
    return sorted(claimed.all(), key=lambda row: row.id)


@functools.cache
def _claim_statement(model: type[Base]) -> Any:
    """The claim's UPDATE, built once per table with its values as bound parameters: building it per
    call (an alias of the table, the subqueries) cost more CPU than running it (bench/RESULTS.md)."""
    table = table_of(model)
    c = table.c
    earlier = table.alias("earlier")
    now = bindparam("claim_now", type_=c.available_at.type)
    eligible = and_(
        or_(c.state == PENDING, and_(c.state == CLAIMED, c.lease_until < now)),
        c.available_at <= now,
        ~exists().where(
            earlier.c.chat_key == c.chat_key, earlier.c.id < c.id, earlier.c.state.in_(UNFINISHED)
        ),
    )
    ids = (
        select(c.id)
        .where(eligible)
        .order_by(c.id)
        .limit(bindparam("claim_limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return (
        update(table)
        .where(c.id.in_(ids.scalar_subquery()))
        .values(
            state=CLAIMED,
            owner=bindparam("claim_owner", type_=c.owner.type),
            lease_until=bindparam("claim_lease_until", type_=c.lease_until.type),
            attempts=c.attempts + 1,
        )
        # The claimed rows come back whole from the UPDATE itself (SQLite ≥ 3.35, PostgreSQL): no
        # second SELECT per claim.
        .returning(*c)
    )


def _mine(model: type[Base], row_id: int, owner: str) -> Any:
    c = table_of(model).c
    return and_(c.id == row_id, c.owner == owner, c.state == CLAIMED)


def finish(s: Session, model: type[Base], row_id: int, owner: str, state: str = DONE, **values: Any) -> bool:
    """Mark a claimed row done (or failed; ``owner`` stays to say who finished it); False if the claim was lost meanwhile."""
    params = {"finish_id": row_id, "finish_owner": owner, "finish_at": utcnow()}
    params.update({f"finish_{name}": value for name, value in values.items()})
    result = s.execute(_finish_statement(model, state, tuple(sorted(values))), params)
    return bool(getattr(result, "rowcount", 0))


@functools.cache
def _finish_statement(model: type[Base], state: str, names: tuple[str, ...]) -> Any:
    """The finish's UPDATE for one table, final state and set of extra columns, built once (every
    answer finishes an update); the row, the owner, the time and the ``names``' values are bound."""
    c = table_of(model).c
    extra = {name: bindparam(f"finish_{name}", type_=c[name].type) for name in names}
    return (
        update(table_of(model))
        .where(
            c.id == bindparam("finish_id", type_=c.id.type),
            c.owner == bindparam("finish_owner", type_=c.owner.type),
            c.state == CLAIMED,
        )
        .values(
            state=state,
            lease_until=None,
            finished_at=bindparam("finish_at", type_=c.finished_at.type),
            **extra,
        )
    )


def retry_later(s: Session, model: type[Base], row_id: int, owner: str, delay_s: float, error: str) -> bool:
    """Give a claimed row back, due again in ``delay_s`` seconds."""
    result = s.execute(
        update(table_of(model))
        .where(_mine(model, row_id, owner))
        .values(
            state=PENDING,
            owner=None,
            lease_until=None,
            available_at=utcnow() + timedelta(seconds=delay_s),
            error=error[:2000],
        )
    )
    return bool(getattr(result, "rowcount", 0))


def renew(s: Session, model: type[Base], owner: str, row_ids: Iterable[int], lease_s: float) -> None:
    """Extend the leases this owner holds on ``row_ids``."""
    ids = list(row_ids)
    if ids:
        c = table_of(model).c
        s.execute(
            update(table_of(model))
            .where(c.id.in_(ids), c.owner == owner, c.state == CLAIMED)
            .values(lease_until=utcnow() + timedelta(seconds=lease_s))
        )


def release_all(s: Session, model: type[Base]) -> int:
    """Give back every claim (the only consumer starting up: nobody else can be working on them)."""
    c = table_of(model).c
    result = s.execute(
        update(table_of(model)).where(c.state == CLAIMED).values(state=PENDING, owner=None, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def prune(s: Session, model: type[Base], older_than: timedelta) -> int:
    """Delete finished rows older than ``older_than``."""
    c = table_of(model).c
    result = s.execute(
        delete(table_of(model)).where(c.state.in_((DONE, FAILED)), c.finished_at < utcnow() - older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts(s: Session, model: type[Base]) -> dict[str, int]:
    """Rows per state (for health checks and tests)."""
    c = table_of(model).c
    return {state: int(n) for state, n in s.execute(select(c.state, func.count()).group_by(c.state))}
