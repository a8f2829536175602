"""Fixtures and helpers for the durability tests: a small knowledge base, and real bot processes.

The small collection (eight concept notes) builds in seconds and answers each test question with
one short message, so "answered exactly once" is one ``sendMessage`` per chat. :class:`BotProcess`
runs ``memebot serve`` as a real subprocess against the in-process emulator, to be killed with
SIGKILL and started again.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.config import Settings
from bot.services import Services
from tests.conftest import NOTE_TEMPLATE, REPO
from tests.e2e.emulator import BotApiEmulator

NOTES = {
    "dropout": (
        "Дропаут",
        "Dropout",
        "дропаут, dropout",
        "Дропаут случайно выключает нейроны при обучении.",
        "Dropout randomly switches neurons off in training.",
    ),
    "overfitting": (
        "Переобучение",
        "Overfitting",
        "переобучение, overfitting",
        "Модель выучила шум обучающей выборки.",
        "The model memorised the noise of its training set.",
    ),
    "gradient-descent": (
        "Градиентный спуск",
        "Gradient descent",
        "градиентный спуск, gradient descent",
        "Шаги вниз по склону функции потерь.",
        "Steps down the slope of the loss.",
    ),
    "attention": (
        "Механизм внимания",
        "Attention",
        "внимание, attention",
        "Каждый токен смотрит на все остальные.",
        "Every token looks at every other token.",
    ),
    "adam": (
        "Оптимизатор Adam",
        "Adam optimizer",
        "адам, adam",
        "Адаптивные шаги по каждому весу.",
        "Adaptive steps for every weight.",
    ),
    "batch-size": (
        "Размер батча",
        "Batch size",
        "батч, batch size",
        "Сколько примеров в одном шаге обучения.",
        "How many examples go into one training step.",
    ),
    "bert": (
        "Модель BERT",
        "BERT",
        "берт, bert",
        "Трансформер, который читает текст в обе стороны.",
        "A transformer that reads text both ways.",
    ),
    "embedding": (
        "Эмбеддинг",
        "Embedding",
        "эмбеддинг, embedding",
        "Слово как вектор чисел.",
        "A word as a vector of numbers.",
    ),
}
QUESTIONS = [
    "что такое дропаут", "what is overfitting", "что такое градиентный спуск", "what is attention",
    "что такое оптимизатор adam", "what is batch size", "что такое модель bert", "what is an embedding",
]  # fmt: skip


@pytest.fixture(scope="session")
def small_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight concept notes."""
    return write_small_knowledge(tmp_path_factory.mktemp("small") / "knowledge")


@pytest.fixture(scope="session")
def small_index(small_knowledge: Path, use_encoder: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The eight notes indexed (seconds)."""
    from indexer.build import build_index

    root = tmp_path_factory.mktemp("small-index")
    build_index(notes_dir=small_knowledge, root=root, encoder=use_encoder, progress=False)
    return root


def write_small_knowledge(root: Path) -> Path:
    for slug, (title, title_en, aliases, short_ru, short_en) in NOTES.items():
        path = root / "concepts" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = NOTE_TEMPLATE.format(
            slug=slug,
            title=title,
            title_en=title_en,
            aliases=aliases,
            related="",
            short_ru=short_ru,
            short_en=short_en,
        )
        path.write_text(text, encoding="utf-8")
    (root / "memes").mkdir(exist_ok=True)
    return root


def small_services(index_root: Path, encoder: Any) -> Services:
    from demos.registry import list_demos
    from indexer.search import Retriever

    return Services(Retriever.load(index_root, encoder), None, list_demos(), index_root=index_root)


def settings_for(
    emu: BotApiEmulator, home: Path, knowledge: Path, database_url: str, **overrides: Any
) -> Settings:
    base = Settings(
        token=emu.token,
        api_url=emu.url,
        home=home,
        knowledge_dir=knowledge,
        admins_in_order=(9001,),
        database_url=database_url,
        rate_limit_per_minute=1000,
        index_poll_seconds=1.0,
        inbox_lease_seconds=3.0,
    )
    return replace(base, **overrides)


class BotProcess:
    """``memebot serve`` in a subprocess, pointed at the emulator; stderr is kept for the test to read."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = (), log: Path | None = None):
        self.env = env
        self.args = args
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self._stderr: Any = None

    async def start(self) -> None:
        stderr = open(self.log, "ab") if self.log is not None else asyncio.subprocess.DEVNULL
        self._stderr = stderr
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from bot.cli.main import main; main()", "-v", "serve", *self.args,
            cwd=str(REPO), env=self.env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, nothing."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if hasattr(self._stderr, "close"):
            self._stderr.close()
        return self.proc.returncode


def process_env(
    emu: BotApiEmulator, home: Path, knowledge: Path, database_url: str, **extra: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEMEBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_URL=emu.url,
        MEMEBOT_HOME=str(home),
        MEMEBOT_KNOWLEDGE=str(knowledge),
        MEMEBOT_DATABASE_URL=database_url,
        MEMEBOT_ADMINS="9001",
        MEMEBOT_RATE_LIMIT="1000",
        MEMEBOT_INBOX_LEASE_SECONDS="3",
        MEMEBOT_DATABASE_CREATE="1",  # the first replica to start creates the SQLite file
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    return env


def copy_index(index_root: Path, home: Path) -> None:
    shutil.copytree(index_root, home / "index", symlinks=True)


class RoundRobin:
    """A load balancer in front of webhook replicas: each update to the next replica (``both``: to every one)."""

    def __init__(self, targets: list[str], both: bool = False):
        self.targets = itertools.cycle(targets)
        self.all = targets
        self.both = both
        self.delivered: dict[str, int] = {}  # target → updates accepted there
        self.runner: web.AppRunner | None = None

    async def start(self, port: int) -> None:
        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower().startswith("x-telegram") or k.lower() == "content-type"
            }
            targets = self.all if self.both else [next(self.targets)]
            statuses = []
            async with aiohttp.ClientSession() as http:
                for target in targets:
                    try:
                        async with http.post(target, data=body, headers=headers) as response:
                            statuses.append(response.status)
                            if response.status == 200:
                                self.delivered[target] = self.delivered.get(target, 0) + 1
                    except aiohttp.ClientError:
                        statuses.append(502)
            return web.Response(status=min(statuses))

        app = web.Application()
        app.router.add_post("/hook", forward)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
