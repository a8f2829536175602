"""Durability: the inbox of updates, replies per update, the outbox, PTB persistence, people, locks.

Also the submitter's display name and the English fields of a submission. Verdicts that were
decided but never told (``published``/``rejected`` with ``notified = 0``: a send failed or the
process died) are put into the outbox, so the worker tells those submitters too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _queue_columns() -> list[sa.Column]:
    return [
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(80), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
        sa.Column("available_at", sa.DateTime, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("chat_key", sa.BigInteger, nullable=True),
        sa.Column("payload", sa.JSON, nullable=False),
        *_queue_columns(),
    )
    op.create_index("ix_inbox_claim", "inbox", ["state", "available_at"])
    op.create_index("ix_inbox_chat", "inbox", ["chat_key", "id"])
    op.create_table(
        "update_replies",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    outbox = op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("chat_key", sa.BigInteger, nullable=False),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        *_queue_columns(),
    )
    op.create_index("ix_outbox_claim", "outbox", ["state", "available_at"])
    op.create_index("ix_outbox_chat", "outbox", ["chat_key", "id"])
    op.create_table(
        "bot_state",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Column("writer", sa.String(80), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "people",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(2), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    locks = op.create_table(
        "locks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("touched_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("user_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("title_en", sa.String(200), nullable=True))
        batch.add_column(sa.Column("explanation_en", sa.Text, nullable=True))

    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(locks, [{"name": "submissions", "touched_at": now}])
    # Verdicts decided but never told: owed to the submitter now.
    submissions = sa.table(
        "submissions",
        sa.column("id", sa.Integer),
        sa.column("chat_id", sa.BigInteger),
        sa.column("status", sa.String),
        sa.column("notified", sa.Integer),
    )
    rows = op.get_bind().execute(
        sa.select(submissions.c.id, submissions.c.chat_id).where(
            submissions.c.status.in_(("published", "rejected")), submissions.c.notified == 0
        )
    )
    owed = [
        {
            "key": f"verdict:{sid}",
            "kind": "verdict",
            "chat_key": chat_id,
            "submission_id": sid,
            "payload": {},
            "state": "pending",
            "attempts": 0,
            "available_at": now,
            "created_at": now,
        }
        for sid, chat_id in rows
    ]
    if owed:
        op.bulk_insert(outbox, owed)


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("explanation_en")
        batch.drop_column("title_en")
        batch.drop_column("user_name")
    for table in ("locks", "people", "bot_state", "outbox", "update_replies", "inbox"):
        op.drop_table(table)
