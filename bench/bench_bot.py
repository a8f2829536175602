"""The real bot under load, through the local Bot API emulator (long polling over HTTP).

Each simulated user asks questions one after another, waiting for each reply and then thinking
for ``--think`` seconds on average (uniform 0.5×–1.5×, and users start at random moments within the
first think time, as people do; 0 = fire the next question at once, a saturation test). Latency runs from
the user's message arriving at the emulator to the bot's reply arriving there. Checks that every
question got exactly one reply (none lost, none doubled).

    MEMEBOT_HOME=var python bench/bench_bot.py [--users 1 20 100] [--questions 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


async def run(
    users: int, per_user: int, think: float, services, tmp: Path
) -> tuple[float, float, float, int, int]:
    from bot.config import Settings
    from bot.storage import open_database
    from bot.telegram.app import build_application
    from bot.telegram.serve import start_polling, stop_polling
    from tests.e2e.emulator import BotApiEmulator, User

    async with BotApiEmulator() as emu:
        db_url = f"sqlite:///{tmp / f'bench-{users}.sqlite3'}"
        settings = Settings(
            token=emu.token,
            api_url=emu.url,
            home=tmp,
            knowledge_dir=tmp / "knowledge",
            database_url=db_url,
            rate_limit_per_minute=10_000,
            index_poll_seconds=3600,
        )
        app = build_application(settings, services=services, db=open_database(db_url))
        await start_polling(app, timeout=1)
        warm = User(id=9, first_name="warm-up", language_code="en")  # first request pays one-off set-up costs
        emu.user_message(warm.id, warm, text="what is dropout")
        await emu.wait_for(
            "sendMessage", timeout=60, predicate=lambda c: str(c.params.get("chat_id")) == str(warm.id)
        )
        latencies: list[float] = []
        lost = 0

        async def user_session(i: int) -> None:
            nonlocal lost
            user = User(id=10_000 + i, first_name=f"user{i}", language_code="en")
            rng = random.Random(i)
            await asyncio.sleep(rng.uniform(0, think))
            for n in range(per_user):
                before = len(
                    [c for c in emu.calls("sendMessage") if str(c.params.get("chat_id")) == str(user.id)]
                )
                sent = time.monotonic()
                emu.user_message(user.id, user, text=QUESTIONS[(i + n) % len(QUESTIONS)])
                try:
                    calls = await emu.wait_for(
                        "sendMessage",
                        count=before + 1,
                        timeout=120,
                        predicate=lambda c: str(c.params.get("chat_id")) == str(user.id),
                    )
                except TimeoutError:
                    lost += 1
                    continue
                latencies.append(calls[before].time - sent)
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

        started = time.monotonic()
        await asyncio.gather(*(user_session(i) for i in range(users)))
        wall = time.monotonic() - started
        await asyncio.sleep(0.5)
        replies: dict[int, int] = {}
        for call in emu.calls("sendMessage"):
            if str(call.params["chat_id"]) == str(warm.id):
                continue
            chat = int(call.params["chat_id"])
            replies[chat] = replies.get(chat, 0) + 1
        doubled = sum(max(0, count - per_user) for count in replies.values())
        await stop_polling(app)
    ms = np.array(latencies) * 1000
    return len(latencies) / wall, float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), lost, doubled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[1.0, 0.0],
        help="seconds between a reply and the next question",
    )
    args = parser.parse_args()
    import transformers

    transformers.logging.set_verbosity_error()
    from bot.config import load_settings
    from bot.services import load_services

    services = load_services(load_settings().home)
    services.pipeline.answer("warm up")
    print("| users | think s | questions each | answers/s | p50 ms | p95 ms | lost | doubled |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for think in args.think:
            for users in args.users:
                rate, p50, p95, lost, doubled = asyncio.run(
                    run(users, args.questions, think, services, Path(tmp))
                )
                print(
                    f"| {users} | {think:g} | {args.questions} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {lost} | {doubled} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
