"""Alembic environment: runs migrations against the URL set by bot.storage.database.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from bot.storage.models import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "bot.storage.database.migrate sets sqlalchemy.url"
    connectable = create_engine(url)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Replicas starting together on a fresh database: one migrates, the others wait and find it done.
                connection.execute(text("SELECT pg_advisory_xact_lock(730173)"))
            context.run_migrations()
    connectable.dispose()


run_migrations()
