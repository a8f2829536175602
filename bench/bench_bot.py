"""The real bot under load: ``memebot serve`` ↔ the Bot API emulator over HTTP long polling, each in its own process.

Three processes: the emulator (``python -m tests.e2e.emulator``, with its test-only control routes), the
bot (``memebot serve``, exactly as deployed: the PTB Application, the durable inbox, SQLite) and this
script, which plays the users through the emulator's control routes. The emulator's and the users'
CPU is therefore not counted as the bot's.

Each simulated user asks ``--questions`` questions. ``--think`` s > 0: after each reply the user
"thinks" 0.5×–1.5× that long (users start at random moments within the first think time);
think 0: the next question goes out as soon as the reply is in (saturation); ``--burst``: every user
sends all questions at once, then waits for the replies. Latency runs from the update being queued
at the emulator to the reply reaching it (both on the machine's monotonic clock). Every question
must get exactly one reply (none lost, none doubled).

``ready`` is the bot's cold start: from spawning ``memebot serve`` to its first ``getUpdates``.
``--starts N`` measures only that, N times each on a new database (migrated at start) and on the
same database again (a restart, or another replica of a running bot), interleaved.

    MEMEBOT_HOME=var python bench/bench_bot.py [--users 1 20 100] [--questions 5] [--think 1 0] [--burst]
    ... --profile out/     # py-spy the bot during each run (py-spy installed in the venv, not locked)
    BENCH_PROFILE_GIL=1 ...   # py-spy --gil: sample only the thread holding the GIL
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import numpy as np

REPO = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "what is dropout",
    "что такое дропаут",
    "what is gradient descent",
    "объясни переобучение",
    "why is the cat at the faucet meme funny",
    "что такое BERT",
    "what is transfer learning",
    "в чём прикол мема с xgboost на kaggle",
    "what is momentum in sgd",
    "что почитать по статистике",
]
WARM_CHAT = 9


@dataclass
class Result:
    users: int
    think: float
    burst: bool
    rate: float
    p50: float
    p95: float
    lost: int
    doubled: int
    ready: float
    cpu_ms: float
    harness_ms: float  # the emulator's and the users' CPU per answer: on this machine, not the bot's
    load: str


class Emulator:
    """``python -m tests.e2e.emulator`` in a subprocess, driven through its control routes."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.emulator"], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.url, self.token = info["url"], info["token"]
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=None)
        )

    async def say(self, chat: int, text: str) -> float:
        """A user writes; returns when the update was queued (monotonic clock)."""
        user = {"id": chat, "first_name": f"user{chat}", "language_code": "en"}
        payload = {"chat_id": chat, "user": user, "text": text}
        async with self.http.post(f"{self.url}/_emulator/message", json=payload) as response:
            return float((await response.json())["time"])

    async def replies(self, chat: int, count: int, timeout: float) -> list[float]:
        """Arrival times of the bot's first ``count`` messages to ``chat`` (fewer on timeout)."""
        query = {"method": "sendMessage", "chat_id": str(chat), "count": str(count), "timeout": str(timeout)}
        async with self.http.get(f"{self.url}/_emulator/wait", params=query) as response:
            return [c["time"] for c in (await response.json())["calls"]]

    async def calls(self, method: str) -> list[dict]:
        async with self.http.get(f"{self.url}/_emulator/calls", params={"method": method}) as response:
            return list((await response.json())["calls"])

    async def close(self) -> None:
        await self.http.close()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


def start_bot(emu: Emulator, db: Path, flood_limit: int, memo: bool = False) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEMEBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_URL=emu.url,
        MEMEBOT_HOME=os.environ.get("MEMEBOT_HOME", str(REPO / "var")),
        MEMEBOT_DATABASE_URL=f"sqlite:///{db}",
        MEMEBOT_DATABASE_CREATE="1",
        MEMEBOT_RATE_LIMIT="10000",
        MEMEBOT_FLOOD_LIMIT=str(flood_limit),
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(REPO),
    )
    launch = ("import bench.memo_pipeline; " if memo else "") + "from bot.cli.main import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", launch, "serve"],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


async def wait_ready(emu: Emulator, bot: subprocess.Popen, started: float) -> float:
    """Seconds from spawning the bot to its first getUpdates."""
    while True:
        polls = await emu.calls("getUpdates")
        if polls:
            return polls[0]["time"] - started
        if bot.poll() is not None:
            raise RuntimeError(f"the bot exited with {bot.returncode} before polling")
        await asyncio.sleep(0.02)


async def user_session(emu: Emulator, i: int, per_user: int, think: float, burst: bool) -> list[float]:
    """One user's questions; the latency of each answered one (a lost one is simply missing)."""
    chat = 10_000 + i
    texts = [QUESTIONS[(i + n) % len(QUESTIONS)] for n in range(per_user)]
    if burst:
        sent = [await emu.say(chat, text) for text in texts]
        got = await emu.replies(chat, per_user, timeout=120)
        return [reply - asked for asked, reply in zip(sent, got, strict=False)]
    rng = random.Random(i)
    await asyncio.sleep(rng.uniform(0, think))
    latencies = []
    for n, text in enumerate(texts):
        asked = await emu.say(chat, text)
        got = await emu.replies(chat, n + 1, timeout=120)
        if len(got) > n:
            latencies.append(got[n] - asked)
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    return latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its children (the bot's demo worker)."""
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                total += cpu_seconds(int(child))
            except FileNotFoundError:
                pass
    return total


async def settle(pid: int, timeout: float = 60.0) -> None:
    """Wait until the bot is idle: its start-up work (the demo worker importing torch) must not
    compete with the measured run for the two cores."""
    deadline = time.monotonic() + timeout
    before = tree_cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = tree_cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now


def profile(bot: subprocess.Popen, out: Path | None) -> subprocess.Popen | None:
    """py-spy on the bot; ``--gil``: only the thread holding the GIL (the Python work, done one at a time)."""
    if out is None:
        return None
    gil = ["--gil"] if os.environ.get("BENCH_PROFILE_GIL") else []
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(bot.pid), "--rate", "200",
         "--format", "raw", "--output", str(out), "--nonblocking", *gil],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def run(
    users: int,
    per_user: int,
    think: float,
    burst: bool,
    flood_limit: int,
    tmp: Path,
    prof: Path | None,
    memo: bool = False,
) -> Result:
    emu = Emulator()
    started = time.monotonic()
    bot = start_bot(emu, tmp / f"bench-{users}-{think}-{burst}.sqlite3", flood_limit, memo)
    spy = None
    try:
        ready = await wait_ready(emu, bot, started)
        # The first answer pays one-off costs (lazy imports, caches): not counted.
        await emu.say(WARM_CHAT, "what is dropout")
        if not await emu.replies(WARM_CHAT, 1, timeout=60):
            raise RuntimeError("no answer to the warm-up question")
        await settle(bot.pid)
        spy = profile(bot, prof)
        began, cpu_before = time.monotonic(), cpu_seconds(bot.pid)
        harness_before = cpu_seconds(emu.proc.pid) + time.process_time()
        sessions = [user_session(emu, i, per_user, think, burst) for i in range(users)]
        latencies = [x for one in await asyncio.gather(*sessions) for x in one]
        wall, cpu = time.monotonic() - began, cpu_seconds(bot.pid) - cpu_before
        harness = cpu_seconds(emu.proc.pid) + time.process_time() - harness_before
        load = os.getloadavg()
        await asyncio.sleep(0.5)  # a doubled reply would arrive now
        replies: dict[int, int] = {}
        for call in await emu.calls("sendMessage"):
            if call["ok"] and call["chat_id"] != WARM_CHAT:
                replies[call["chat_id"]] = replies.get(call["chat_id"], 0) + 1
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        bot.send_signal(signal.SIGTERM)
        bot.wait(30)
        await emu.close()
    doubled = sum(max(0, n - per_user) for n in replies.values())
    ms = np.array(latencies) * 1000
    return Result(
        users, think, burst, len(latencies) / wall,
        float(np.percentile(ms, 50)), float(np.percentile(ms, 95)),
        users * per_user - len(latencies), doubled, ready, 1000 * cpu / max(1, len(latencies)),
        1000 * harness / max(1, len(latencies)), "{:.2f} {:.2f} {:.2f}".format(*load),
    )  # fmt: skip


async def one_start(db: Path) -> float:
    """Seconds from spawning the bot on ``db`` to its first getUpdates (the bot is then stopped)."""
    emu = Emulator()
    started = time.monotonic()
    bot = start_bot(emu, db, 0)
    try:
        return await wait_ready(emu, bot, started)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(30)
        await emu.close()


def starts(n: int, tmp: Path) -> None:
    """``n`` rounds of: a start on a new database, then a restart on it; medians and ranges."""
    new, again = [], []
    for i in range(n):
        db = tmp / f"starts-{i}.sqlite3"
        new.append(asyncio.run(one_start(db)))
        again.append(asyncio.run(one_start(db)))
    print("| database | starts | ready median s | range s |")
    print("|---|---:|---:|---:|")
    for name, times in (("new (migrated at start)", new), ("at head (restart)", again)):
        print(f"| {name} | {n} | {np.median(times):.2f} | {min(times):.2f}–{max(times):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument(
        "--think", type=float, nargs="*", default=[1.0, 0.0], help="seconds; 0 = at once; none: --burst only"
    )
    parser.add_argument("--burst", action="store_true", help="also: every user sends all questions at once")
    parser.add_argument(
        "--flood-limit", type=int, default=0, help="MEMEBOT_FLOOD_LIMIT of the bot (0: no throttle)"
    )
    parser.add_argument(
        "--memo",
        action="store_true",
        help="the bot's pipeline remembers answers (bench/memo_pipeline.py): what is left is the bot's own cost",
    )
    parser.add_argument("--profile", type=Path, default=None, help="folder for py-spy's raw profiles")
    parser.add_argument(
        "--starts", type=int, default=0, help="only measure ready: N starts on new and on migrated databases"
    )
    args = parser.parse_args()
    if args.starts:
        with tempfile.TemporaryDirectory() as tmp:
            starts(args.starts, Path(tmp))
        return
    modes = [(think, False) for think in args.think] + ([(0.0, True)] if args.burst else [])
    print(
        "| users | think s | questions each | answers/s | p50 ms | p95 ms | lost | doubled | bot CPU ms/answer | harness CPU ms/answer | ready s | load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for think, burst in modes:
            for users in args.users:
                name = f"{users}u-{'burst' if burst else f'think{think:g}'}.txt"
                prof = args.profile / name if args.profile else None
                r = asyncio.run(
                    run(users, args.questions, think, burst, args.flood_limit, Path(tmp), prof, args.memo)
                )
                pace = "burst" if r.burst else f"{r.think:g}"
                print(
                    f"| {r.users} | {pace} | {args.questions} | {r.rate:.1f} | {r.p50:.0f} | {r.p95:.0f} "
                    f"| {r.lost} | {r.doubled} | {r.cpu_ms:.0f} | {r.harness_ms:.0f} | {r.ready:.1f} | {r.load} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
