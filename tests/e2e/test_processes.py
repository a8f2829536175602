"""Real bot processes against the emulator: kill -9 with questions in flight, two webhook replicas on one
database, and what a rejected token leaves in the log.

``memebot serve`` runs as a subprocess (tests/e2e/durable.py: BotProcess) on the small knowledge base
of tests/e2e/test_durability.py, without the trained router (the bot answers by retrieval).
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.storage import open_database
from bot.storage.models import InboxUpdate
from tests.e2e.durable import QUESTIONS, BotProcess, RoundRobin, process_env
from tests.e2e.emulator import BotApiEmulator, User, free_port
from tests.test_storage import png

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STARTUP_S = 60.0


def home_with_index(index: Path, tmp_path: Path, name: str = "home") -> Path:
    home = tmp_path / name
    home.mkdir(mode=0o700)
    shutil.copytree(index, home / "index", symlinks=True)
    return home


async def polling(emu: BotApiEmulator) -> None:
    """Wait until a newly started process polls: its poller calls deleteWebhook right before the first getUpdates."""
    await emu.wait_for("deleteWebhook", count=len(emu.calls("deleteWebhook")) + 1, timeout=STARTUP_S)
    await asyncio.sleep(0.3)


def answers_per_chat(emu: BotApiEmulator, chats: set[int]) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in emu.calls("sendMessage")
        if c.ok and int(c.params.get("chat_id", 0)) in chats
    )


def journalled(database: Path) -> int:
    """How many replies the bot has recorded as sent (read from its SQLite file while it runs)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM update_replies").fetchone()[0])
    except sqlite3.Error:
        return 0


async def test_kill_9_with_eight_questions_in_flight_loses_none_and_repeats_none(
    small_index: Path, small_knowledge: Path, tmp_path: Path
) -> None:
    """Two kills. First, eight users ask and the bot is killed 0.05 s later (received, maybe stored, none
    answered); the restarted bot answers them. Then one user sends three questions, a picture and four more questions (handled in order)
    and the bot is killed while it reads the picture, after three answers went out. After the restart
    every message is answered exactly once.

    (A kill *during* the HTTP call that sends a reply would repeat that reply: Telegram has no idempotency
    key. The second kill is placed where no reply is on the wire, so the test is deterministic.)"""
    home = home_with_index(small_index, tmp_path)
    database = home / "memebot.sqlite3"
    async with BotApiEmulator() as emu:
        env = process_env(emu, home, small_knowledge, "")
        users = [
            User(id=3000 + i, first_name=f"U{i}", language_code="ru" if i % 2 == 0 else "en")
            for i in range(8)
        ]
        talker = User(id=3100, first_name="Talker", language_code="ru")
        bot = BotProcess(env, log=tmp_path / "bot.log")

        await bot.start()
        await polling(emu)
        for user, question in zip(users, QUESTIONS, strict=True):
            emu.user_message(user.id, user, question)
        await asyncio.sleep(0.05)
        bot.kill()
        await bot.stop()

        await bot.start()  # the restart answers the eight
        await polling(emu)
        await emu.wait_for("sendMessage", count=8, timeout=STARTUP_S, predicate=lambda c: c.ok)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while journalled(database) < 8 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        before = journalled(database)
        for question in QUESTIONS[:3]:
            emu.user_message(talker.id, talker, question)
        emu.user_message(
            talker.id, talker, photo=png(99)
        )  # reading a picture takes a while: the kill lands in it
        for question in QUESTIONS[3:7]:
            emu.user_message(talker.id, talker, question)
        deadline = loop.time() + STARTUP_S
        while journalled(database) < before + 3 and loop.time() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
        bot.kill()
        await bot.stop()
        answered_before_restart = len([c for c in emu.calls("sendMessage") if c.ok])

        await bot.start()  # the restart finishes everything
        restarted = loop.time()
        chats = {u.id for u in users} | {talker.id}
        deadline = loop.time() + STARTUP_S
        while sum(answers_per_chat(emu, chats).values()) < 16 and loop.time() < deadline:
            await asyncio.sleep(0.2)
        took = loop.time() - restarted
        await asyncio.sleep(3.0)  # anything sent twice would arrive by now
        await bot.stop()
    counts = answers_per_chat(emu, chats)
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert counts == Counter({**dict.fromkeys((u.id for u in users), 1), talker.id: 8}), (
        f"answers per chat: {counts}\n{log[-3000:]}"
    )
    talk = [
        c.params["text"].split("\n")[0]
        for c in emu.calls("sendMessage")
        if c.ok and int(c.params["chat_id"]) == talker.id
    ]
    assert len(set(talk)) == 8, f"one answer per question, in order: {talk}"
    print(
        f"answered before the final restart: {answered_before_restart}/16; all answered {took:.1f}s after it (start-up included)"
    )
    db = open_database(f"sqlite:///{database}")
    with db.session() as s:
        states = Counter(s.scalars(select(InboxUpdate.state)))
    db.dispose()
    assert states == {"done": 16}


async def test_two_webhook_replicas_share_one_inbox_without_double_replies(
    database_url: str, small_index: Path, small_knowledge: Path, tmp_path: Path
) -> None:
    """SQLite (one file) and PostgreSQL (FOR UPDATE SKIP LOCKED) when MEMEBOT_TEST_POSTGRES_URL is set."""
    url = database_url
    lb_port, ports = free_port(), [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{p}/hook" for p in ports])
    await balancer.start(lb_port)
    async with BotApiEmulator() as emu:
        replicas = []
        for i, port in enumerate(ports):
            home = home_with_index(small_index, tmp_path, f"home{i}")
            env = process_env(emu, home, small_knowledge, url)
            args = (
                "--webhook-url",
                f"http://127.0.0.1:{lb_port}/hook",
                "--port",
                str(port),
                "--listen",
                "127.0.0.1",
                "--secret-token",
                "s3cret",
            )
            replicas.append(BotProcess(env, args, log=tmp_path / f"replica{i}.log"))
        for replica in replicas:
            await replica.start()
        await emu.wait_for("setWebhook", count=2, timeout=STARTUP_S)
        await asyncio.sleep(0.5)
        users = [User(id=4000 + i, first_name=f"W{i}", language_code="en") for i in range(16)]
        for i, user in enumerate(users):
            emu.user_message(user.id, user, QUESTIONS[i % len(QUESTIONS)])
        chats = {u.id for u in users}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while len(answers_per_chat(emu, chats)) < len(chats) and loop.time() < deadline:
            await asyncio.sleep(0.5)
        balancer.both = True  # Telegram redelivers: every update now reaches both replicas
        late = [User(id=4100 + i, first_name=f"L{i}", language_code="ru") for i in range(4)]
        for i, user in enumerate(late):
            emu.user_message(user.id, user, QUESTIONS[i])
        chats |= {u.id for u in late}
        while len(answers_per_chat(emu, chats)) < len(chats) and loop.time() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(3.0)
        for replica in replicas:
            await replica.stop()
    await balancer.stop()
    counts = answers_per_chat(emu, chats)
    assert counts == Counter(dict.fromkeys(chats, 1)), counts
    db = open_database(url)
    with db.session() as s:
        owners = Counter(
            owner.rsplit(":", 2)[1]
            for owner in s.scalars(select(InboxUpdate.owner).where(InboxUpdate.state == "done"))
        )
    db.dispose()
    assert sum(owners.values()) == 20 and len(owners) == 2, f"both replicas handle updates: {owners}"


async def test_a_rejected_token_never_reaches_the_log(
    small_index: Path, small_knowledge: Path, tmp_path: Path
) -> None:
    home = home_with_index(small_index, tmp_path)
    async with BotApiEmulator() as emu:
        wrong = "987654321:AAWrongTokenWrongTokenWrongTokenWrong1"
        env = process_env(emu, home, small_knowledge, "", TELEGRAM_BOT_TOKEN=wrong)
        bot = BotProcess(
            env, log=tmp_path / "bot.log"
        )  # runs with -v: debug logging, httpx request lines included
        await bot.start()
        assert bot.proc is not None
        code = await asyncio.wait_for(bot.proc.wait(), STARTUP_S)
        await bot.stop()
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert code == 2, log[-2000:]
    assert "rejected TELEGRAM_BOT_TOKEN" in log
    assert "AAWrongToken" not in log and "987654321:" not in log
    assert "<token>" in log, "the debug log does show the (masked) request URLs"
