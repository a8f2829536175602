"""Run the emulator in a process of its own, with the test-only control routes of :mod:`.control`.

    python -m tests.e2e.emulator [--port 0] [--token T]

Prints one JSON line ``{"url": ..., "token": ...}`` once it listens, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from .constants import DEFAULT_TOKEN
from .core import BotApiEmulator


async def serve(host: str, port: int, token: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with BotApiEmulator(token, host=host, port=port, control_api=True) as emu:
        print(json.dumps({"url": emu.url, "token": emu.token}), flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, args.token))


if __name__ == "__main__":
    main()
