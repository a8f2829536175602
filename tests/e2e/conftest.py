"""End-to-end fixtures: the real Application polling the local Bot API emulator over HTTP."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.services import Services
from bot.storage import Database, open_database
from bot.telegram.app import build_application
from bot.telegram.serve import start_polling, stop_polling
from indexer.build import build_index
from tests.conftest import KNOWLEDGE, copy_index
from tests.e2e.durable import small_index, small_knowledge  # noqa: F401 - fixtures of the durability tests
from tests.e2e.emulator import BotApiEmulator, Call, User
from tests.test_storage import database_url  # noqa: F401 - SQLite and PostgreSQL, for tests/e2e/test_processes.py

ADMIN = User(id=9001, first_name="Админ", language_code="ru", username="admin")
RU_USER = User(id=1001, first_name="Маша", language_code="ru", username="masha")
EN_USER = User(id=1002, first_name="John", language_code="en", username="john")

LONG_NOTE_SLUG = "long-read"


def _long_note() -> str:
    paragraph_ru = (
        "Это длинный абзац о градиентах, весах и шагах обучения, нужный, чтобы проверить разбиение. " * 6
    )
    paragraph_en = (
        "This is a long paragraph about gradients, weights and training steps, to test splitting. " * 6
    )
    deep_ru = "\n\n".join(f"Абзац {i}. {paragraph_ru}" for i in range(20))
    deep_en = "\n\n".join(f"Paragraph {i}. {paragraph_en}" for i in range(20))
    return (
        "---\nslug: long-read\nkind: concept\ntitle: Очень длинная заметка\ntitle_en: A very long note\n"
        "aliases: [лонгрид, longread]\ntags: [test]\nrelated: []\nsource: test\n---\n"
        "## Коротко\nЗаметка с очень длинным подробным разделом <и спецсимволами & такими>.\n\n"
        f"## Подробнее\n{deep_ru}\n\n## In short\nA note with a very long in-depth part.\n\n## In depth\n{deep_en}\n"
    )


@pytest.fixture(scope="session")
def e2e_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real notes plus one very long note (to test splitting at 4096 characters)."""
    root = tmp_path_factory.mktemp("e2e") / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / "concepts" / f"{LONG_NOTE_SLUG}.md").write_text(_long_note(), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def e2e_index(
    e2e_knowledge: Path, index_root: Path, encoder, demo_ids, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The session index plus the long note: an incremental build over a copy (only the new note is
    embedded; a full build of ~170 notes would take the better part of two minutes)."""
    root = copy_index(index_root, tmp_path_factory.mktemp("e2e") / "index")
    build_index(notes_dir=e2e_knowledge, root=root, encoder=encoder, known_demos=demo_ids, progress=False)
    return root


@pytest.fixture(scope="session")
def e2e_services(e2e_index: Path, encoder, intent_router) -> Services:
    from demos.registry import list_demos
    from indexer.search import Retriever

    services = Services(Retriever.load(e2e_index, encoder), intent_router, list_demos(), index_root=e2e_index)
    yield services
    services.close()


@dataclass
class Harness:
    """A running bot and the emulator it talks to, with helpers to script a conversation."""

    emu: BotApiEmulator
    app: Any
    settings: Settings
    db: Database
    services: Services
    chat_ids: dict[int, int] = field(default_factory=dict)

    async def say(
        self,
        user: User,
        text: str | None = None,
        *,
        method: str = "sendMessage",
        count: int = 1,
        timeout: float = 20.0,
        **kwargs: Any,
    ) -> list[Call]:
        """The user sends a message; wait for ``count`` new bot calls of ``method`` in that chat."""
        chat_id = kwargs.pop("chat_id", user.id)
        before = len(self.calls_to(chat_id, method))
        self.emu.user_message(chat_id, user, text=text, **kwargs)
        calls = await self.emu.wait_for(
            method, count=before + count, timeout=timeout, predicate=lambda c: self._in_chat(c, chat_id)
        )
        return calls[before:]

    async def press(
        self,
        user: User,
        message: dict,
        data: str,
        *,
        forged: bool = False,
        method: str | None = None,
        count: int = 1,
    ) -> str:
        """Press a button under a bot message; waits for the callback answer (and ``method`` calls)."""
        chat_id = message["chat"]["id"]
        answers_before = len(self.emu.calls("answerCallbackQuery"))
        before = len(self.calls_to(chat_id, method)) if method else 0
        query_id = self.emu.press_button(chat_id, user, message["message_id"], data, forged=forged)
        await self.emu.wait_for("answerCallbackQuery", count=answers_before + 1, timeout=20)
        if method:
            await self.emu.wait_for(
                method, count=before + count, timeout=30, predicate=lambda c: self._in_chat(c, chat_id)
            )
        return query_id

    def calls_to(self, chat_id: int, method: str | None) -> list[Call]:
        return [c for c in self.emu.calls(method) if self._in_chat(c, chat_id)] if method else []

    @staticmethod
    def _in_chat(call: Call, chat_id: int) -> bool:
        return call.ok and str(call.params.get("chat_id")) == str(chat_id)

    def last_bot_message(self, chat_id: int) -> dict:
        return self.emu.sent_messages(chat_id)[-1]


def button_data(message: dict) -> dict[str, str]:
    """Button label → callback data under a bot message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data", "") for row in rows for b in row}


@pytest.fixture()
def bot_settings(memebot_home: Path, tmp_path: Path) -> Callable[..., Settings]:
    def make(emu: BotApiEmulator, **overrides: Any) -> Settings:
        base = Settings(
            token=emu.token,
            api_url=emu.url,
            home=memebot_home,
            knowledge_dir=Path(os.environ.get("MEMEBOT_KNOWLEDGE") or KNOWLEDGE),
            admins_in_order=(ADMIN.id,),
            database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
            rate_limit_per_minute=1000,
            index_poll_seconds=1.0,
        )
        return replace(base, **overrides)

    return make


@pytest_asyncio.fixture()
async def start_bot(bot_settings, e2e_services: Services) -> AsyncIterator[Callable[..., Any]]:
    """Start the real bot against a fresh emulator; ``await start_bot(**settings_overrides)``."""
    started: list[Harness] = []

    async def start(services: Services | None = None, retries: int = 3, **overrides: Any) -> Harness:
        emu = BotApiEmulator()
        await emu.start()
        settings = bot_settings(emu, **overrides)
        db = await asyncio.to_thread(open_database, settings.database_url)
        app = build_application(
            settings, services=services or e2e_services, db=db, rate_limiter_retries=retries
        )
        await start_polling(app, timeout=1)
        harness = Harness(emu, app, settings, db, services or e2e_services)
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await stop_polling(harness.app)
        await harness.emu.stop()
        harness.db.dispose()
