"""The learning loop: answer outcomes and votes keyed by a hashed user; note drafts among submissions.

- ``outcomes``: every answer (time, language, status, note shown, confidence, latency, question),
  the user and chat only as keyed hashes; ``token`` is what the 👍/👎 buttons carry.
- ``votes``: one 👍/👎 per voter and outcome (unique), a change of mind updates the row.
- ``submissions`` gains ``kind`` (``meme`` or ``note``) and ``questions`` (``title_en`` came with 0003): an admin's
  draft of a concept note made from wanted questions goes through the same review as a meme.

The legacy ``answers`` and ``feedback`` tables (raw user ids) stay as they are: no longer written,
emptied by retention and ``/forget``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(16), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("user_hash", sa.String(64), nullable=False, index=True),
        sa.Column("chat_hash", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("intent", sa.String(32), nullable=True),
        sa.Column("slug", sa.String(200), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("resolved_slug", sa.String(200), nullable=True),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "outcome_id",
            sa.Integer,
            sa.ForeignKey("outcomes.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("user_hash", sa.String(64), nullable=False, index=True),
        sa.Column("vote", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("outcome_id", "user_hash", name="uq_votes_outcome_user"),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="meme"))
        batch.add_column(sa.Column("questions", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("questions")
        batch.drop_column("kind")
    op.drop_table("votes")
    op.drop_table("outcomes")
