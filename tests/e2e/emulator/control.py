"""A test-only control channel over HTTP, for an emulator running in a process of its own.

In-process tests call :meth:`BotApiEmulator.user_message` and :meth:`BotApiEmulator.wait_for` directly.
A load test must keep the emulator out of the bot's process (its CPU would be counted as the bot's),
so ``python -m tests.e2e.emulator`` serves these routes next to the Bot API:

* ``POST /_emulator/message`` ``{"chat_id", "user": {"id", "first_name", "language_code"}, "text"}`` →
  ``{"message_id", "time"}``: a user writes (``time`` is ``time.monotonic()`` when the update was queued;
  on Linux that clock is shared by all processes, so a client can compare it with its own).
* ``GET /_emulator/wait?method=sendMessage&chat_id=42&count=3&timeout=10`` → ``{"calls": [...]}``: long
  poll until ``count`` successful calls of ``method`` to that chat were answered (408 on timeout).
* ``GET /_emulator/calls?method=getUpdates`` → ``{"calls": [...]}``: the record so far.

Each call is ``{"method", "time", "chat_id", "ok"}``. The routes live under a path the Bot API never uses.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .models import Call, User

if TYPE_CHECKING:
    from .core import BotApiEmulator

PREFIX = "/_emulator"


def _chat_of(call: Call) -> int | None:
    chat = call.params.get("chat_id")
    try:
        return int(chat) if chat is not None else None
    except (TypeError, ValueError):
        return None


def _brief(call: Call) -> dict[str, Any]:
    return {"method": call.method, "time": call.time, "chat_id": _chat_of(call), "ok": call.ok}


class Control:
    """The routes, with an index of successful calls by (method, chat) so that waits stay cheap under load."""

    def __init__(self, emu: BotApiEmulator):
        self.emu = emu
        self._seen = 0
        self._by_chat: dict[tuple[str, int | None], list[Call]] = {}

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post(f"{PREFIX}/message", self.message)
        router.add_get(f"{PREFIX}/wait", self.wait)
        router.add_get(f"{PREFIX}/calls", self.calls)

    def _catch_up(self) -> None:
        """Index the calls recorded since the last look (each call is looked at once, however many wait)."""
        recorded = self.emu._calls
        for call in recorded[self._seen :]:
            if call.ok:
                self._by_chat.setdefault((call.method, _chat_of(call)), []).append(call)
        self._seen = len(recorded)

    async def message(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = User(**body["user"])
        message = self.emu.user_message(int(body["chat_id"]), user, text=body["text"])
        return web.json_response({"message_id": message["message_id"], "time": self.emu.last_enqueued_at})

    async def wait(self, request: web.Request) -> web.Response:
        method = self.emu._canonical(request.query["method"])
        chat = int(request.query["chat_id"])
        count = int(request.query.get("count", "1"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(request.query.get("timeout", "10"))
        while True:
            event = self.emu._call_event
            self._catch_up()
            matched = self._by_chat.get((method, chat), [])
            if len(matched) >= count:
                return web.json_response({"calls": [_brief(c) for c in matched]})
            remaining = deadline - loop.time()
            if remaining <= 0:
                return web.json_response({"calls": [_brief(c) for c in matched]}, status=408)
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    async def calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        return web.json_response({"calls": [_brief(c) for c in self.emu.calls(method)]})
