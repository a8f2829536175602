"""A published meme's slug belongs to one submission: unique index on submissions.slug.

Two admins approving two different submissions with the same title at once must not both claim
``meme-<title>``; the database refuses the second, which then picks ``meme-<title>-2``.
NULL slugs (not yet approved) do not collide, on SQLite and PostgreSQL alike.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_submissions_slug", "submissions", ["slug"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_submissions_slug", table_name="submissions")
