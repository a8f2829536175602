"""The people who wrote to the bot: the name admins see and the language texts go out in."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.database import Database, upsert_insert
from bot.storage.models import Person, utcnow
from bot.storage.queue import table_of


class PeopleStore:
    """Remembers ``(name, language)`` per user id; writes only when something changed since the last call."""

    def __init__(self, db: Database):
        self.db = db
        self._known: dict[int, tuple[str, str | None]] = {}

    def is_current(self, user_id: int, name: str, lang: str | None) -> bool:
        """True when this process already stored exactly this name and language."""
        return self._known.get(user_id) == (name[:200], lang)

    def remember(self, user_id: int, name: str, lang: str | None) -> None:
        value = (name[:200], lang)
        if self._known.get(user_id) == value:
            return
        with self.db.session() as s:
            insert = upsert_insert(s.get_bind().dialect.name)
            now = utcnow()
            statement = insert(table_of(Person)).values(
                user_id=user_id, name=value[0], lang=lang, updated_at=now
            )
            s.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_id"], set_={"name": value[0], "lang": lang, "updated_at": now}
                )
            )
        self._known[user_id] = value

    def get(self, user_id: int) -> tuple[str, str | None] | None:
        """``(name, lang)`` of a user the bot has seen, else None."""
        with self.db.session() as s:
            row = s.execute(select(Person.name, Person.lang).where(Person.user_id == user_id)).one_or_none()
        return (row[0], row[1]) if row is not None else None
