"""A strict local emulation of the Telegram Bot API over real HTTP, for end-to-end tests of the bot.

The real python-telegram-bot ``Application`` talks to it exactly as it talks to api.telegram.org::

    async with BotApiEmulator() as emu:
        app = (
            ApplicationBuilder()
            .token(emu.token)
            .base_url(f"{emu.url}/bot")
            .base_file_url(f"{emu.url}/file/bot")
            .build()
        )
        ...
        emu.user_message(42, User(42, "Alice"), "/start")
        await emu.wait_for("sendMessage")
        assert emu.sent_messages(42)[-1]["text"] == "..."

The emulator is a *strict* fake: it refuses what Telegram refuses, with Telegram-shaped errors
(``{"ok": false, "error_code": 400, "description": "Bad Request: ..."}``), so mistakes show up in tests and not
in a user's chat. It reads parameters the way the Bot API reads them (query string, JSON body,
``application/x-www-form-urlencoded`` or ``multipart/form-data`` with JSON-encoded nested objects and uploaded
parts, ``attach://<name>`` references), parses HTML / MarkdownV2 / Markdown formatting like TDLib, counts text
lengths after entity parsing in UTF-16 code units, validates inline keyboards, and keeps chats, messages, files,
callback and inline queries, the update queue (long polling or webhook delivery) and a record of every call.

Deliberate deviations from api.telegram.org (each one stricter, or needed to run locally):

* A ``&`` that does not start an HTML entity is refused (``strict_ampersand=True``); Telegram keeps it as text.
  Unescaped ampersands are nearly always a missing ``html.escape`` that would also corrupt ``&lt`` & co.
* A button with more than one action (Telegram uses the first) is refused with ``BUTTON_TYPE_INVALID``.
* ``sendMediaGroup`` requires 2-10 items as documented (Telegram sends a single item as a plain message).
* Webhooks may use plain ``http://`` to a loopback host on any port (``allow_local_webhooks=True``).
* Files sent by URL are served only from :meth:`BotApiEmulator.add_web_resource`; the network is never used.
* Text and caption limits (4096 / 1024) are counted in UTF-16 code units after entity parsing and trimming, so
  characters outside the BMP (most emoji) count twice; Telegram's own count is not documented that precisely.
* Message ids are numbered per chat, shared by the bot and the users of that chat.

Recorded calls (:meth:`BotApiEmulator.calls`, :meth:`BotApiEmulator.wait_for`) carry decoded parameters, uploaded
bytes, the arrival time (``time.monotonic()``) and the exact response, so tests can assert what the bot sent and
when (e.g. that a retry honoured ``retry_after``).

The package, by concern: :mod:`.core` composes :class:`BotApiEmulator` from :mod:`.state` (settings, chats,
messages, files, the update queue, the webhook loop), :mod:`.server` (HTTP, dispatch, failure injection, the call
record), :mod:`.users` (simulated users and test controls), :mod:`.validation` and :mod:`.files` (checks and
stored files shared by the methods) and the Bot API methods by area in :mod:`.methods` (a method ``x`` is the
handler ``_m_x``). :mod:`.formatting` parses HTML / MarkdownV2 / Markdown like TDLib and counts UTF-16 units,
:mod:`.request` reads parameters, :mod:`.constants` holds the limits, :mod:`.wiring` points PTB at the emulator.
"""

from __future__ import annotations

from .constants import *  # noqa: F403  (the limits and field tables stay reachable from the package)
from .constants import DEFAULT_TOKEN
from .core import BotApiEmulator
from .errors import ApiError, ParseError
from .errors import bad as bad
from .formatting import find_auto_entities, parse_html, parse_markdown, parse_markdown_v2, utf16_len
from .models import Call, Download, StoredFile, User, WebhookDelivery
from .wiring import bot_api_emulator, free_port, make_application

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiEmulator",
    "Call",
    "Download",
    "ParseError",
    "StoredFile",
    "User",
    "WebhookDelivery",
    "bot_api_emulator",
    "find_auto_entities",
    "free_port",
    "make_application",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]
