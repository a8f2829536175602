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
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import itertools
import json
import mimetypes
import re
import secrets
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from .constants import *  # noqa: F403  (the limits and field tables stay reachable from the package)
from .constants import (
    BUTTON_ACTIONS,
    CHAT_ACTIONS,
    DEFAULT_ALLOWED_UPDATES,
    DEFAULT_TOKEN,
    INLINE_RESULT_TYPES,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_COMMANDS,
    MAX_DOWNLOAD_BYTES,
    MAX_INLINE_NEXT_OFFSET_BYTES,
    MAX_INLINE_QUERY_LENGTH,
    MAX_INLINE_RESULT_ID_BYTES,
    MAX_INLINE_RESULTS,
    MAX_KEYBOARD_BUTTONS,
    MAX_MEDIA_GROUP,
    MAX_MESSAGE_LENGTH,
    MAX_PHOTO_BYTES,
    MAX_UPLOAD_BYTES,
    MIN_MEDIA_GROUP,
    TOKEN_RE,
)
from .errors import ApiError, ParseError, bad
from .formatting import (
    STRIP_CHARS,
    find_auto_entities,
    format_text,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    sort_entities,
    utf16_len,
)
from .images import image_size, random_id, resized_jpeg
from .models import Call, Described, Download, Failure, StoredFile, User, WebhookDelivery
from .request import int_param, normalize, read_request

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

_CONFIGURED = object()  # sentinel: "use the secret token the webhook was set with"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for a webhook server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def is_loopback(host: str | None) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or bool(host and host.startswith("127."))


class BotApiEmulator:
    """A strict Bot API server on ``127.0.0.1`` (random free port) with helpers to simulate users and inspect calls.

    Use as ``async with BotApiEmulator(token=TOKEN) as emu:`` or call :meth:`start` / :meth:`stop`.
    Point PTB at ``emu.base_url`` (``f"{emu.url}/bot"``) and ``emu.base_file_url`` (``f"{emu.url}/file/bot"``).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "memebot_test_bot",
        bot_first_name: str = "Memebot Test",
        supports_inline_queries: bool = True,
        privacy_mode: bool = False,
        strict_ampersand: bool = True,
        enforce_retry_after: bool = True,
        allow_local_webhooks: bool = True,
        webhook_retry_delay: float = 0.2,
        max_poll_timeout: float = 50.0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.supports_inline_queries = supports_inline_queries
        self.privacy_mode = privacy_mode
        self.strict_ampersand = strict_ampersand
        self.enforce_retry_after = enforce_retry_after
        self.allow_local_webhooks = allow_local_webhooks
        self.webhook_retry_delay = webhook_retry_delay
        self.max_poll_timeout = max_poll_timeout

        # recordings
        self._calls: list[Call] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.downloads: list[Download] = []
        self.retry_violations: list[Call] = []
        # state
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._next_message_id: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._files: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._paths: dict[str, str] = {}  # file_path -> file_id
        self._path_counter = itertools.count(1)
        self._web_resources: dict[str, tuple[bytes, str | None]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: dict[str, Any] | None = None
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self._inline_queries: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._failures: list[Failure] = []
        self._cooldowns: dict[str, float] = {}
        self._media_group_ids = itertools.count(13_000_000_000_000_001)
        # machinery
        self._wakeup = asyncio.Event()
        self._call_event = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    async def start(self) -> BotApiEmulator:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._closing = False
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="BotApiEmulator:webhook")
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except asyncio.CancelledError:
                pass
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- recording -------------------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, all or of one method (case-insensitive)."""
        if method is None:
            return list(self._calls)
        wanted = self._canonical(method)
        return [call for call in self._calls if call.method == wanted]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (matching ``predicate``) were answered; return them all."""
        wanted = self._canonical(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._call_event
            matched = [c for c in self._calls if c.method == wanted and (predicate is None or predicate(c))]
            if len(matched) >= count:
                return matched
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = ", ".join(f"{c.method}({'ok' if c.ok else c.description})" for c in self._calls[-20:])
                raise TimeoutError(
                    f"expected {count} {wanted} call(s) within {timeout}s, got {len(matched)}; last calls: {seen}"
                )
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def clear(self) -> None:
        """Forget recorded calls, webhook deliveries, downloads and retry violations (chats and files stay)."""
        self._calls.clear()
        self.webhook_deliveries.clear()
        self.downloads.clear()
        self.retry_violations.clear()

    def sent_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's current (edited, not deleted) messages in a chat, oldest first, as Bot API ``Message`` dicts."""
        return [copy.deepcopy(m) for m in self.messages(chat_id) if m["from"]["id"] == self.bot_id]

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every current message in a chat, the users' and the bot's, oldest first."""
        chat = self._messages.get(chat_id, {})
        return [copy.deepcopy(chat[k]) for k in sorted(chat)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        found = self._messages.get(chat_id, {}).get(message_id)
        return copy.deepcopy(found) if found is not None else None

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def stored_file(self, file_id: str) -> StoredFile:
        return self._files[file_id]

    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._updates)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def webhook(self) -> dict[str, Any] | None:
        return copy.deepcopy(self._webhook)

    # -- test controls ---------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int | None = None,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail, e.g. ``fail_next("sendMessage", 429, retry_after=2)``.

        With ``retry_after`` (and ``enforce_retry_after``) calls of that method arriving before the delay has
        passed are refused again with 429 and recorded in :attr:`retry_violations`, as Telegram's flood control
        would.
        """
        code = error_code if error_code is not None else (429 if retry_after is not None else 400)
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = int(retry_after)
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            description = {
                400: "Bad Request: injected failure",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                429: f"Too Many Requests: retry after {retry_after if retry_after is not None else 1}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(code, "Injected failure")
        self._failures.append(Failure(self._canonical(method), code, description, parameters or None, times))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot (private chat) or removed it (group): sends fail with 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def add_web_resource(self, url: str, data: bytes, content_type: str | None = None) -> None:
        """What Telegram downloads when the bot sends a file by this URL."""
        self._web_resources[url] = (data, content_type)

    def register_chat(
        self, chat_id: int, user: User | None = None, chat_type: str = "private", title: str | None = None
    ) -> dict[str, Any]:
        """Make a chat known (normally a user's first message does that)."""
        return copy.deepcopy(self._ensure_chat(chat_id, user, chat_type, title))

    # -- simulated users -------------------------------------------------------------------------------------

    def user_message(
        self,
        chat_id: int,
        user: User,
        text: str | None = None,
        photo: bytes | None = None,
        caption: str | None = None,
        document: tuple[str, bytes, str | None] | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        *,
        chat_title: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        deliver: bool = True,
    ) -> dict[str, Any]:
        """A user sends a message; it is queued as a ``message`` update (unless ``deliver=False``).

        Entities for /commands, @mentions, URLs, hashtags are computed as Telegram does. Returns the Message.
        """
        if sum(x is not None for x in (text, photo, document)) != 1:
            raise ValueError("a user message has exactly one of text, photo or document")
        chat = self._ensure_chat(chat_id, user, chat_type, chat_title)
        message: dict[str, Any] = {"from": user.to_api(), "chat": copy.deepcopy(chat)}
        if text is not None:
            stripped = text.strip(STRIP_CHARS)
            if not stripped:
                raise ValueError("Telegram clients do not send empty messages")
            if utf16_len(stripped) > MAX_MESSAGE_LENGTH:
                raise ValueError("a user cannot send more than 4096 UTF-16 code units in one message")
            message["text"] = stripped
            found = entities if entities is not None else find_auto_entities(stripped)
            if found:
                message["entities"] = sort_entities(copy.deepcopy(found))
        elif photo is not None:
            size = image_size(photo) or (800, 600)
            message["photo"] = self._store_photo(photo, *size)
        elif document is not None:
            file_name, data, mime_type = document
            mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            stored = self._store_file(data, "document", file_name=file_name, mime_type=mime_type)
            message["document"] = self._document_object(stored)
        if caption is not None:
            if text is not None:
                raise ValueError("a text message has no caption")
            stripped = caption.strip(STRIP_CHARS)
            if utf16_len(stripped) > MAX_CAPTION_LENGTH:
                raise ValueError("a caption is at most 1024 UTF-16 code units")
            if stripped:
                message["caption"] = stripped
                found = find_auto_entities(stripped)
                if found:
                    message["caption_entities"] = found
        if reply_to_message_id is not None:
            target = self._messages.get(chat_id, {}).get(reply_to_message_id)
            if target is None:
                raise ValueError(f"message {reply_to_message_id} is not in chat {chat_id}")
            message["reply_to_message"] = self._quoted(target)
        stored_message = self._add_message(chat_id, message)
        if deliver and self._bot_sees(stored_message):
            self._enqueue("message", stored_message)
        return copy.deepcopy(stored_message)

    def press_button(
        self, chat_id: int, user: User, message_id: int, callback_data: str, *, forged: bool = False
    ) -> str:
        """A user presses the inline button with ``callback_data`` under a bot message; returns the query id.

        ``forged=True`` skips the check that such a button exists: a modified client (or a button
        from an old keyboard) can send any callback data, and the bot must cope.
        """
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None:
            raise ValueError(f"message {message_id} is not in chat {chat_id} (deleted or never sent)")
        buttons = [
            button
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]
        if not forged and not any(button["callback_data"] == callback_data for button in buttons):
            raise ValueError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"it has {[b['callback_data'] for b in buttons]}"
            )
        query_id = str(secrets.randbits(62))
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": copy.deepcopy(message),
            "chat_instance": str((chat_id * 2654435761 + self.bot_id) % (1 << 63)),
            "data": callback_data,
        }
        self._callback_queries[query_id] = {"answered": False, "query": query}
        self._enqueue("callback_query", query)
        return query_id

    def inline_query(
        self, user: User, query: str, *, offset: str = "", chat_type: str | None = "sender"
    ) -> str:
        """A user types ``@bot query``; returns the inline query id."""
        if not self.supports_inline_queries:
            raise ValueError("inline mode is off for this bot")
        if len(query) > MAX_INLINE_QUERY_LENGTH:
            raise ValueError("inline queries are at most 256 characters")
        query_id = str(secrets.randbits(62))
        data: dict[str, Any] = {"id": query_id, "from": user.to_api(), "query": query, "offset": offset}
        if chat_type is not None:
            data["chat_type"] = chat_type
        self._inline_queries[query_id] = {"answered": False, "query": data}
        self._enqueue("inline_query", data)
        return query_id

    async def post_webhook(self, update: dict[str, Any], *, secret_token: Any = _CONFIGURED) -> int:
        """POST ``update`` to the current webhook URL now (bypassing the queue); return the HTTP status.

        ``secret_token`` defaults to the one the webhook was set with; pass another (or None) to see how the
        bot's webhook server treats a forged delivery.
        """
        if self._webhook is None:
            raise RuntimeError("no webhook is set")
        secret = self._webhook.get("secret_token") if secret_token is _CONFIGURED else secret_token
        status, _ = await self._post_update(self._webhook["url"], update, secret)
        return status or 0

    # -- HTTP entry points -----------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._serve_file(request, path[len("/file/bot") :])
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", path)
        if match is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = match.groups()
        arrival = time.monotonic()
        method = self._canonical(method)
        raw: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        names: dict[str, str | None] = {}
        types: dict[str, str | None] = {}
        violation = False
        try:
            if token != self.token:
                raise ApiError("Unauthorized", 401) if TOKEN_RE.match(token) else ApiError("Not Found", 404)
            raw, files, names, types = await read_request(request)
            params = normalize(raw)
        except ApiError as exc:
            params = raw
            status, payload = exc.code, exc.payload()
        else:
            status, payload, violation = await self._answer(method, params, files, names, types, arrival)
        call = Call(method, params, files, arrival, payload, status, names, types)
        call.client_gone = request.transport is None or request.transport.is_closing()
        self._record(call, violation=violation)
        return self._json(status, payload)

    async def _answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, bytes],
        names: dict[str, str | None],
        types: dict[str, str | None],
        arrival: float,
    ) -> tuple[int, dict[str, Any], bool]:
        try:
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(f"Not Found: method {method} is not implemented by the emulator", 404)
            self._check_failures(method, arrival)
            result = handler(params, files, names, types)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.code, exc.payload(), exc.violation
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}, False
        return 200, {"ok": True, "result": result}, False

    def _check_failures(self, method: str, arrival: float) -> None:
        until = self._cooldowns.get(method)
        if self.enforce_retry_after and until is not None and arrival < until:
            wait = max(1, int(until - arrival + 0.999))
            error = ApiError(f"Too Many Requests: retry after {wait}", 429, {"retry_after": wait})
            error.violation = True
            raise error
        for failure in self._failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                if failure.times == 0:
                    self._failures.remove(failure)
                retry_after = (failure.parameters or {}).get("retry_after")
                if retry_after:
                    self._cooldowns[method] = arrival + retry_after
                raise ApiError(failure.description, failure.code, copy.deepcopy(failure.parameters))

    def _record(self, call: Call, *, violation: bool = False) -> None:
        self._calls.append(call)
        if violation:
            self.retry_violations.append(call)
        event, self._call_event = self._call_event, asyncio.Event()
        event.set()

    @staticmethod
    def _json(status: int, payload: dict[str, Any]) -> web.Response:
        return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    _METHOD_NAMES: dict[str, str] = {}

    def _canonical(self, method: str) -> str:
        if not BotApiEmulator._METHOD_NAMES:
            BotApiEmulator._METHOD_NAMES = {
                name[3:].lower(): name[3:] for name in dir(BotApiEmulator) if name.startswith("_m_")
            }
        return BotApiEmulator._METHOD_NAMES.get(method.lower(), method)

    async def _serve_file(self, request: web.Request, tail: str) -> web.StreamResponse:
        now = time.monotonic()
        token, _, file_path = tail.partition("/")
        if token != self.token:
            self.downloads.append(Download(file_path, 401, now))
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        file_id = self._paths.get(file_path)
        if file_id is None or request.method not in ("GET", "HEAD"):
            self.downloads.append(Download(file_path, 404, now))
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        stored = self._files[file_id]
        self.downloads.append(Download(file_path, 200, now))
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    # -- updates ---------------------------------------------------------------------------------------------

    def _notify(self) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._notify()
        return update

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        allowed = self._allowed_updates
        if self._webhook is not None and self._webhook.get("allowed_updates") is not None:
            allowed = self._webhook["allowed_updates"]
        if not allowed:
            return kind in DEFAULT_ALLOWED_UPDATES
        return kind in allowed

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        self._updates = [u for u in self._updates if self._allowed(u)]
        return copy.deepcopy(self._updates[:limit])

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    async def _webhook_loop(self) -> None:
        while not self._closing:
            event = self._wakeup
            hook = self._webhook
            batch = self._deliverable(1) if hook is not None else []
            if hook is None or not batch:
                try:
                    await asyncio.wait_for(event.wait(), 1.0)
                except TimeoutError:
                    pass
                continue
            update = batch[0]
            status, error = await self._post_update(hook["url"], update, hook.get("secret_token"))
            if status is not None and 200 <= status < 300:
                if self._webhook is hook:
                    self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                continue
            hook["last_error_date"] = int(time.time())
            hook["last_error_message"] = error or f"Wrong response from the webhook: {status}"
            await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(
        self, url: str, update: dict[str, Any], secret: str | None
    ) -> tuple[int | None, str]:
        assert self._session is not None, "the emulator is not running"
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        status: int | None = None
        error = ""
        try:
            async with self._session.post(url, data=json.dumps(update).encode(), headers=headers) as response:
                status = response.status
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        self.webhook_deliveries.append(
            WebhookDelivery(update.get("update_id"), url, status, secret, time.monotonic(), error or None)
        )
        return status, error

    # -- chats and messages ----------------------------------------------------------------------------------

    def _ensure_chat(
        self, chat_id: int, user: User | None, chat_type: str, title: str | None
    ) -> dict[str, Any]:
        if chat_type == "private":
            if chat_id <= 0:
                raise ValueError("private chat ids are positive (the user's id)")
            if user is not None and user.id != chat_id:
                raise ValueError(f"a private chat's id is the user's id ({user.id}), not {chat_id}")
            chat: dict[str, Any] = {"id": chat_id, "type": "private"}
            if user is not None:
                chat["first_name"] = user.first_name
                if user.last_name:
                    chat["last_name"] = user.last_name
                if user.username:
                    chat["username"] = user.username
        elif chat_type in ("group", "supergroup", "channel"):
            if chat_id >= 0:
                raise ValueError("group, supergroup and channel ids are negative")
            if chat_type != "group" and not str(chat_id).startswith("-100"):
                raise ValueError("supergroup and channel ids look like -100xxxxxxxxxx")
            existing = self._chats.get(chat_id)
            chat = {
                "id": chat_id,
                "type": chat_type,
                "title": title or (existing or {}).get("title") or "Test Group",
            }
        else:
            raise ValueError(f"unknown chat type {chat_type!r}")
        existing = self._chats.get(chat_id)
        if existing is not None and existing["type"] != chat["type"]:
            raise ValueError(f"chat {chat_id} is a {existing['type']} chat, not {chat_type}")
        if existing is None or user is not None or title is not None:
            self._chats[chat_id] = chat
            self._messages.setdefault(chat_id, {})
        return self._chats[chat_id]

    def _add_message(self, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        full = {"message_id": message_id, **message}
        full.setdefault("date", int(time.time()))
        ordered = {
            "message_id": full.pop("message_id"),
            "from": full.pop("from"),
            "chat": full.pop("chat"),
            "date": full.pop("date"),
        }
        ordered.update(full)
        self._messages.setdefault(chat_id, {})[message_id] = ordered
        return ordered

    @staticmethod
    def _quoted(message: dict[str, Any]) -> dict[str, Any]:
        quoted = copy.deepcopy(message)
        quoted.pop("reply_to_message", None)
        return quoted

    def _bot_sees(self, message: dict[str, Any]) -> bool:
        if not self.privacy_mode or message["chat"]["type"] == "private":
            return True
        text = message.get("text") or message.get("caption") or ""
        if text.startswith("/"):
            command = text.split()[0]
            return "@" not in command or command.lower().endswith("@" + self.bot_username.lower())
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        reply = message.get("reply_to_message")
        return bool(reply and reply["from"]["id"] == self.bot_id)

    def _chat_for_send(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                for chat in self._chats.values():
                    if chat.get("username", "").lower() == chat_id[1:].lower() and chat["type"] != "private":
                        chat_id = chat["id"]
                        break
                else:
                    raise bad("chat not found")
            else:
                raise bad("chat not found")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad("chat not found")
        if chat_id in self._blocked:
            if chat["type"] == "private":
                raise ApiError("Forbidden: bot was blocked by the user", 403)
            raise ApiError("Forbidden: bot was kicked from the group chat", 403)
        return chat

    def _message_id(self, params: dict[str, Any], key: str = "message_id") -> int:
        value = params.get(key)
        if value is None or value == "":
            raise bad("message identifier is not specified")
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(f"invalid {key} specified")
        return value

    def _reply_target(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
        allow = bool(params.get("allow_sending_without_reply"))
        message_id = None
        reply = params.get("reply_parameters")
        if reply is not None:
            if not isinstance(reply, dict):
                raise bad("can't parse reply parameters JSON object")
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply", allow))
            if reply.get("chat_id") not in (None, chat["id"]):
                raise bad("message to be replied not found")
            if message_id is None:
                raise bad("can't parse reply parameters JSON object")
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
        if message_id is None:
            return None
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise bad("message to be replied not found")
        target = self._messages.get(chat["id"], {}).get(message_id)
        if target is None:
            if allow:
                return None
            raise bad("message to be replied not found")
        quote = (reply or {}).get("quote")
        if quote is not None and quote not in (target.get("text") or target.get("caption") or ""):
            raise bad("quote not found")
        return target

    def _new_bot_message(
        self,
        chat: dict[str, Any],
        params: dict[str, Any],
        reply_markup: dict[str, Any] | None,
        content: dict[str, Any],
    ) -> dict[str, Any]:
        reply = self._reply_target(chat, params)
        message: dict[str, Any] = {"from": self.bot_user, "chat": copy.deepcopy(chat)}
        if reply is not None:
            message["reply_to_message"] = self._quoted(reply)
        message.update(content)
        if params.get("protect_content"):
            message["has_protected_content"] = True
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        return self._add_message(chat["id"], message)

    # -- validation ------------------------------------------------------------------------------------------

    def _format(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool
    ) -> tuple[str, list[dict[str, Any]]]:
        return format_text(
            text, parse_mode, entities, caption=caption, strict_ampersand=self.strict_ampersand
        )

    def _check_reply_markup(self, markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
        """Validate a reply_markup; return what the Message shows (an inline keyboard) or None."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list):
                raise bad('Field "inline_keyboard" must be of type Array')
            count = 0
            for row in rows:
                if not isinstance(row, list):
                    raise bad('Field "inline_keyboard" must be an Array of Arrays')
                for button in row:
                    self._check_inline_button(button)
                    count += 1
            if count > MAX_KEYBOARD_BUTTONS:
                raise bad("reply markup is too long")
            rows = [row for row in rows if row]
            return {"inline_keyboard": copy.deepcopy(rows)} if rows else None
        if inline_only:
            raise bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad('Field "keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    text = (
                        button
                        if isinstance(button, str)
                        else button.get("text")
                        if isinstance(button, dict)
                        else None
                    )
                    if not isinstance(text, str) or not text:
                        raise bad("keyboard button text is empty")
            return None
        if "remove_keyboard" in markup:
            if markup["remove_keyboard"] is not True:
                raise bad('Field "remove_keyboard" must be true')
            return None
        if "force_reply" in markup:
            if markup["force_reply"] is not True:
                raise bad('Field "force_reply" must be true')
            return None
        raise bad("can't parse reply keyboard markup JSON object")

    def _check_inline_button(self, button: Any) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise bad(prefix + "InlineKeyboardButton must be an Object")
        if "text" not in button:
            raise bad(prefix + 'Can\'t find field "text"')
        if not isinstance(button["text"], str):
            raise bad(prefix + 'Field "text" must be of type String')
        if not button["text"].strip():
            raise bad("BUTTON_TEXT_EMPTY")
        actions = [key for key in BUTTON_ACTIONS if key in button]
        if not actions:
            raise bad(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad("BUTTON_TYPE_INVALID")
        action = actions[0]
        value = button[action]
        if action == "callback_data":
            if not isinstance(value, str):
                raise bad(prefix + 'Field "callback_data" must be of type String')
            if not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise bad("BUTTON_DATA_INVALID")
        elif action == "url":
            if not isinstance(value, str):
                raise bad(prefix + 'Field "url" must be of type String')
            parts = urlsplit(value)
            if not (
                (parts.scheme in ("http", "https") and parts.hostname and "." in parts.hostname)
                or (parts.scheme == "tg" and value[len("tg://") :])
            ):
                raise bad("BUTTON_URL_INVALID")
        elif action in ("switch_inline_query", "switch_inline_query_current_chat"):
            if not isinstance(value, str):
                raise bad(prefix + f'Field "{action}" must be of type String')
            if not self.supports_inline_queries:
                raise bad("BUTTON_TYPE_INVALID")
        elif action in ("web_app", "login_url", "switch_inline_query_chosen_chat", "copy_text"):
            if not isinstance(value, dict):
                raise bad(prefix + f'Field "{action}" must be of type Object')
            if action in ("web_app", "login_url"):
                url = value.get("url")
                if not isinstance(url, str) or urlsplit(url).scheme != "https":
                    raise bad("BUTTON_URL_INVALID")
            if action == "copy_text" and not 1 <= len(str(value.get("text", ""))) <= 256:
                raise bad("COPY_TEXT_INVALID")

    def _check_link_preview(self, params: dict[str, Any]) -> dict[str, Any] | None:
        options = params.get("link_preview_options")
        if options is not None and "disable_web_page_preview" in params:
            raise bad("can't use both disable_web_page_preview and link_preview_options")
        if options is None:
            if params.get("disable_web_page_preview"):
                return {"is_disabled": True}
            return None
        if not isinstance(options, dict):
            raise bad("can't parse link preview options JSON object")
        known = {"is_disabled", "url", "prefer_small_media", "prefer_large_media", "show_above_text"}
        unknown = set(options) - known
        if unknown:
            raise bad(f"can't parse link preview options JSON object: unknown field {sorted(unknown)[0]!r}")
        if options.get("prefer_small_media") and options.get("prefer_large_media"):
            raise bad("can't use both prefer_small_media and prefer_large_media")
        return copy.deepcopy(options)

    # -- files -----------------------------------------------------------------------------------------------

    def _store_file(
        self,
        data: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        prefix = {"photo": "AgACAgIAAxkBAA", "document": "BQACAgIAAxkBAA", "video": "BAACAgIAAxkBAA"}.get(
            kind, "CQACAgIAAxkBAA"
        )
        stored = StoredFile(
            file_id=random_id(prefix, 50),
            file_unique_id=random_id("AQAD", 12),
            data=data,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        return stored

    def _store_photo(self, data: bytes, width: int, height: int) -> list[dict[str, Any]]:
        """PhotoSize entries like Telegram's: 90/320/800/1280 px thumbnails below the original, then the photo."""
        longest = max(width, height)
        targets = [t for t in (90, 320, 800, 1280) if t < longest] + [min(longest, 2560)]
        sizes = []
        for target in targets:
            w = max(1, round(width * target / longest))
            h = max(1, round(height * target / longest))
            blob = data if target == longest else (resized_jpeg(data, w, h) or data)
            stored = self._store_file(blob, "photo", mime_type="image/jpeg", width=w, height=h)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.file_size,
                    "width": w,
                    "height": h,
                }
            )
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return copy.deepcopy(sizes)

    @staticmethod
    def _document_object(stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if stored.file_name:
            data["file_name"] = stored.file_name
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        data.update(file_id=stored.file_id, file_unique_id=stored.file_unique_id, file_size=stored.file_size)
        return data

    def _input_file(
        self,
        value: Any,
        files: dict[str, bytes],
        names: dict[str, str | None],
        types: dict[str, str | None],
        part: str,
        *,
        in_media: bool = False,
    ) -> tuple[str, Any]:
        """Resolve a file parameter: ("upload", (bytes, name, type)), ("file_id", StoredFile) or ("url", ...)."""
        missing = (
            bad("can't parse InputMedia: media not found")
            if in_media
            else bad(f"there is no {part} in the request")
        )
        if value is None or value == "":
            if part in files and not in_media:
                value = f"attach://{part}"
            else:
                raise missing
        if not isinstance(value, str):
            raise missing
        if value.startswith("attach://"):
            name = value[len("attach://") :]
            if name not in files:
                raise missing
            data = files[name]
            if not data:
                raise bad("file must be non-empty")
            return "upload", (data, names.get(name), types.get(name))
        if "." in value or "/" in value:
            resource = self._web_resources.get(value)
            if resource is None:
                raise bad("failed to get HTTP URL content")
            data, content_type = resource
            return "upload", (data, value.rstrip("/").rsplit("/", 1)[-1] or None, content_type)
        stored = self._files.get(value)
        if stored is None:
            raise bad("wrong file identifier/HTTP URL specified")
        return "file_id", stored

    def _photo_from(self, source: tuple[str, Any]) -> list[dict[str, Any]]:
        kind, value = source
        if kind == "file_id":
            if value.kind != "photo":
                raise bad(f"can't use file of type {value.kind.capitalize()} as Photo")
            return copy.deepcopy(self._photo_sets[value.file_id])
        data = value[0]
        if len(data) > MAX_PHOTO_BYTES:
            raise bad(
                f"file of size {len(data)} bytes is too big for a photo; the maximum size is {MAX_PHOTO_BYTES} bytes"
            )
        size = image_size(data)
        if size is None:
            raise bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad("PHOTO_INVALID_DIMENSIONS")
        return self._store_photo(data, width, height)

    def _document_from(self, source: tuple[str, Any], kind: str = "document") -> dict[str, Any]:
        source_kind, value = source
        if source_kind == "file_id":
            if value.kind != kind:
                raise bad(f"can't use file of type {value.kind.capitalize()} as {kind.capitalize()}")
            stored = value
        else:
            data, name, content_type = value
            if len(data) > MAX_UPLOAD_BYTES:
                raise ApiError("Request Entity Too Large", 413)
            guessed = mimetypes.guess_type(name or "")[0]
            mime = guessed or (
                content_type if content_type and content_type != "application/octet-stream" else None
            )
            stored = self._store_file(
                data, kind, file_name=name, mime_type=mime or "application/octet-stream"
            )
        return self._document_object(stored)

    # -- Bot API methods: bot and updates --------------------------------------------------------------------

    def _m_getMe(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, p: dict[str, Any], *_: Any) -> bool:
        return True

    def _m_close(self, p: dict[str, Any], *_: Any) -> bool:
        return True

    async def _m_getUpdates(self, p: dict[str, Any], *_: Any) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset = int_param(p, "offset", 0)
        limit = int_param(p, "limit", 100)
        if not 1 <= limit <= 100:
            limit = 100
        timeout = p.get("timeout", 0)
        try:
            timeout = float(timeout)
        except (TypeError, ValueError) as exc:
            raise bad("invalid timeout specified") from exc
        timeout = min(max(timeout, 0.0), self.max_poll_timeout)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad("can't parse allowed_updates JSON array")
            self._allowed_updates = list(allowed)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll is terminated by this one
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._wakeup
            batch = self._deliverable(limit)
            if batch or self._closing:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            if generation != self._poll_generation:
                raise ApiError(
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                    409,
                )
            if self._webhook is not None:
                raise ApiError("Conflict: terminated by setWebhook request", 409)

    def _m_setWebhook(self, p: dict[str, Any], *_: Any) -> Described:
        url = p.get("url", "")
        if not isinstance(url, str):
            raise bad("bad webhook: URL must be a string")
        if url == "":
            return self._m_deleteWebhook(p)
        parts = urlsplit(url)
        local = (
            self.allow_local_webhooks and parts.scheme in ("http", "https") and is_loopback(parts.hostname)
        )
        if not local:
            if parts.scheme != "https":
                raise bad("bad webhook: An HTTPS URL must be provided for webhook")
            if not parts.hostname:
                raise bad("bad webhook: URL host is empty")
            if (parts.port or 443) not in (80, 88, 443, 8443):
                raise bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
            if is_loopback(parts.hostname):
                raise bad(f"bad webhook: IP address {parts.hostname} is reserved")
        secret = p.get("secret_token")
        if secret is not None and secret != "":
            if not isinstance(secret, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise bad("secret token contains unallowed characters")
        max_connections = int_param(p, "max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = p.get("allowed_updates")
        if allowed is not None and (
            not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed)
        ):
            raise bad("can't parse allowed_updates JSON array")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret or None,
            "max_connections": max_connections,
            "ip_address": p.get("ip_address"),
            "allowed_updates": list(allowed) if allowed is not None else None,
            "has_custom_certificate": False,
        }
        self._notify()
        return Described(True, "Webhook was set")

    def _m_deleteWebhook(self, p: dict[str, Any], *_: Any) -> Described:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        was_set = self._webhook is not None
        self._webhook = None
        self._notify()
        return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _m_getWebhookInfo(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        pending = len(self._updates)
        hook = self._webhook
        if hook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        info: dict[str, Any] = {
            "url": hook["url"],
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": hook["max_connections"],
        }
        if hook.get("ip_address"):
            info["ip_address"] = hook["ip_address"]
        if hook.get("allowed_updates") is not None:
            info["allowed_updates"] = hook["allowed_updates"]
        if hook.get("last_error_date"):
            info["last_error_date"] = hook["last_error_date"]
            info["last_error_message"] = hook["last_error_message"]
        return info

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad("can't parse BotCommandScope JSON object")
        if language_code not in (None, "") and not re.fullmatch(r"[a-z]{2}", str(language_code)):
            raise bad("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language_code or ""

    def _m_setMyCommands(self, p: dict[str, Any], *_: Any) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad("too many commands")
        seen = set()
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse commands JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            if name in seen:
                raise bad("BOT_COMMAND_DUPLICATE")
            seen.add(name)
        key = self._commands_key(p.get("scope"), p.get("language_code"))
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def _m_getMyCommands(self, p: dict[str, Any], *_: Any) -> list[dict[str, Any]]:
        return copy.deepcopy(
            self._commands.get(self._commands_key(p.get("scope"), p.get("language_code")), [])
        )

    def _m_deleteMyCommands(self, p: dict[str, Any], *_: Any) -> bool:
        self._commands.pop(self._commands_key(p.get("scope"), p.get("language_code")), None)
        return True

    # -- Bot API methods: messages ---------------------------------------------------------------------------

    def _m_sendMessage(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        chat = self._chat_for_send(p)
        text, entities = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
        markup = self._check_reply_markup(p.get("reply_markup"))
        preview = self._check_link_preview(p)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        if preview is not None and any(e["type"] in ("url", "text_link") for e in entities):
            content["link_preview_options"] = preview
        return copy.deepcopy(self._new_bot_message(chat, p, markup, content))

    def _caption_content(self, p: dict[str, Any]) -> dict[str, Any]:
        content: dict[str, Any] = {}
        if p.get("caption") is not None:
            caption, entities = self._format(
                p["caption"], p.get("parse_mode"), p.get("caption_entities"), caption=True
            )
            if caption:
                content["caption"] = caption
                if entities:
                    content["caption_entities"] = entities
        if p.get("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return content

    def _m_sendPhoto(
        self, p: dict[str, Any], files: dict[str, bytes], names: dict[str, Any], types: dict[str, Any]
    ) -> dict[str, Any]:
        chat = self._chat_for_send(p)
        content = self._caption_content(p)
        markup = self._check_reply_markup(p.get("reply_markup"))
        photo = self._photo_from(self._input_file(p.get("photo"), files, names, types, "photo"))
        content = {"photo": photo, **content}
        if p.get("has_spoiler"):
            content["has_media_spoiler"] = True
        return copy.deepcopy(self._new_bot_message(chat, p, markup, content))

    def _m_sendDocument(
        self, p: dict[str, Any], files: dict[str, bytes], names: dict[str, Any], types: dict[str, Any]
    ) -> dict[str, Any]:
        chat = self._chat_for_send(p)
        content = self._caption_content(p)
        markup = self._check_reply_markup(p.get("reply_markup"))
        document = self._document_from(self._input_file(p.get("document"), files, names, types, "document"))
        return copy.deepcopy(self._new_bot_message(chat, p, markup, {"document": document, **content}))

    def _m_sendMediaGroup(
        self, p: dict[str, Any], files: dict[str, bytes], names: dict[str, Any], types: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chat = self._chat_for_send(p)
        media = p.get("media")
        if media is None:
            raise bad('parameter "media" is required')
        if not isinstance(media, list):
            raise bad("can't parse media JSON object")
        if not media:
            raise bad("there are no messages to send")
        if len(media) > MAX_MEDIA_GROUP:
            raise bad("too many messages to send as an album")
        if len(media) < MIN_MEDIA_GROUP:
            raise bad("media group must include 2-10 items (send a single item with sendPhoto/sendDocument)")
        kinds = []
        for item in media:
            if not isinstance(item, dict):
                raise bad("can't parse InputMedia JSON object")
            kind = item.get("type")
            if kind == "animation":
                raise bad("can't parse InputMedia: type \"animation\" can't be used in sendMediaGroup")
            if kind not in ("photo", "video", "document", "audio"):
                raise bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
            kinds.append(kind)
        if "document" in kinds and set(kinds) != {"document"}:
            raise bad("document can't be mixed with other media types")
        if "audio" in kinds and set(kinds) != {"audio"}:
            raise bad("audio can't be mixed with other media types")
        above = {
            bool(item.get("show_caption_above_media")) for item in media if item["type"] in ("photo", "video")
        }
        if len(above) > 1:
            raise bad("parameter show_caption_above_media must be the same for all messages")
        prepared = []
        for item in media:
            content = self._caption_content(
                {
                    "caption": item.get("caption"),
                    "parse_mode": item.get("parse_mode"),
                    "caption_entities": item.get("caption_entities"),
                    "show_caption_above_media": item.get("show_caption_above_media"),
                }
            )
            source = self._input_file(item.get("media"), files, names, types, "media", in_media=True)
            if item["type"] == "photo":
                content = {"photo": self._photo_from(source), **content}
            else:
                content = {item["type"]: self._document_from(source, item["type"]), **content}
                if item["type"] == "video":
                    content["video"].update(
                        width=int(item.get("width") or 0),
                        height=int(item.get("height") or 0),
                        duration=int(item.get("duration") or 0),
                    )
                if item["type"] == "audio":
                    content["audio"]["duration"] = int(item.get("duration") or 0)
            if item.get("has_spoiler"):
                content["has_media_spoiler"] = True
            prepared.append(content)
        self._reply_target(chat, p)  # fail before anything is stored
        group_id = str(next(self._media_group_ids))
        return [
            copy.deepcopy(self._new_bot_message(chat, p, None, {"media_group_id": group_id, **content}))
            for content in prepared
        ]

    def _m_sendChatAction(self, p: dict[str, Any], *_: Any) -> bool:
        self._chat_for_send(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    def _editable(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("inline_message_id") is not None:
            raise bad("MESSAGE_ID_INVALID")
        chat = self._chat_for_send(p)
        message_id = self._message_id(p)
        message = self._messages.get(chat["id"], {}).get(message_id)
        if message is None:
            raise bad("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad("message can't be edited")
        return message

    @staticmethod
    def _not_modified() -> ApiError:
        return bad(
            "message is not modified: specified new message content and reply markup are exactly the same "
            "as a current content and reply markup of the message"
        )

    def _m_editMessageText(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        message = self._editable(p)
        text, entities = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
        markup = self._check_reply_markup(p.get("reply_markup"), inline_only=True)
        preview = self._check_link_preview(p)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        if (
            message["text"] == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise self._not_modified()
        message["text"] = text
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        message.pop("link_preview_options", None)
        if preview is not None and any(e["type"] in ("url", "text_link") for e in entities):
            message["link_preview_options"] = preview
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _m_editMessageCaption(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        message = self._editable(p)
        if not any(k in message for k in ("photo", "document", "video", "audio")):
            raise bad("there is no caption in the message to edit")
        content = self._caption_content({**p, "caption": p.get("caption") or ""})
        markup = self._check_reply_markup(p.get("reply_markup"), inline_only=True)
        if (
            message.get("caption") == content.get("caption")
            and message.get("caption_entities") == content.get("caption_entities")
            and message.get("reply_markup") == markup
        ):
            raise self._not_modified()
        for key in ("caption", "caption_entities"):
            message.pop(key, None)
            if key in content:
                message[key] = content[key]
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _m_editMessageReplyMarkup(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        message = self._editable(p)
        markup = self._check_reply_markup(p.get("reply_markup"), inline_only=True)
        if message.get("reply_markup") == markup:
            raise self._not_modified()
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup

    def _m_deleteMessage(self, p: dict[str, Any], *_: Any) -> bool:
        chat = self._chat_for_send(p)
        message_id = self._message_id(p)
        if self._messages.get(chat["id"], {}).pop(message_id, None) is None:
            raise bad("message to delete not found")
        return True

    # -- Bot API methods: queries ----------------------------------------------------------------------------

    def _m_answerCallbackQuery(self, p: dict[str, Any], *_: Any) -> bool:
        query_id = p.get("callback_query_id")
        if query_id in (None, ""):
            raise bad("callback_query_id is empty")
        entry = self._callback_queries.get(str(query_id))
        if entry is None or entry["answered"]:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad("MESSAGE_TOO_LONG")
        url = p.get("url")
        if url is not None and not str(url).startswith(("https://t.me/", "t.me/", "tg://")):
            raise bad("URL_INVALID")
        entry["answered"] = True
        self.callback_answers[str(query_id)] = copy.deepcopy(p)
        return True

    def _m_answerInlineQuery(self, p: dict[str, Any], *_: Any) -> bool:
        query_id = p.get("inline_query_id")
        if query_id in (None, ""):
            raise bad("inline_query_id is empty")
        results = p.get("results")
        if not isinstance(results, list):
            raise bad("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        next_offset = p.get("next_offset")
        if next_offset is not None and len(str(next_offset).encode("utf-8")) > MAX_INLINE_NEXT_OFFSET_BYTES:
            raise bad("NEXT_OFFSET_INVALID")
        button = p.get("button")
        if button is not None:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
                raise bad("can't parse InlineQueryResultsButton JSON object")
            if "start_parameter" in button and not re.fullmatch(
                r"[A-Za-z0-9_-]{1,64}", str(button["start_parameter"])
            ):
                raise bad("START_PARAM_INVALID")
        entry = self._inline_queries.get(str(query_id))
        if entry is None or entry["answered"]:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        entry["answered"] = True
        self.inline_answers[str(query_id)] = copy.deepcopy(p)
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict):
            raise bad("can't parse InlineQueryResult JSON object")
        kind = result.get("type")
        if kind not in INLINE_RESULT_TYPES:
            raise bad("RESULT_TYPE_INVALID")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not result_id:
            raise bad("RESULT_ID_EMPTY")
        if len(result_id.encode("utf-8")) > MAX_INLINE_RESULT_ID_BYTES:
            raise bad("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if kind == "article":
            if not isinstance(result.get("title"), str) or not result["title"].strip():
                raise bad("RESULT_TITLE_EMPTY")
            if result.get("input_message_content") is None:
                raise bad("can't parse InlineQueryResultArticle: input_message_content is required")
        if kind == "photo" and not (
            result.get("photo_file_id") or (result.get("photo_url") and result.get("thumbnail_url"))
        ):
            raise bad("PHOTO_CONTENT_URL_EMPTY")
        if kind == "photo" and result.get("photo_file_id") and result["photo_file_id"] not in self._files:
            raise bad("wrong file identifier/HTTP URL specified")
        if result.get("caption") is not None:
            self._format(
                result["caption"], result.get("parse_mode"), result.get("caption_entities"), caption=True
            )
        content = result.get("input_message_content")
        if content is not None:
            if not isinstance(content, dict):
                raise bad("can't parse InputMessageContent JSON object")
            if "message_text" in content:
                self._format(
                    content["message_text"], content.get("parse_mode"), content.get("entities"), caption=False
                )
                self._check_link_preview(content)
        self._check_reply_markup(result.get("reply_markup"), inline_only=True)

    # -- Bot API methods: files ------------------------------------------------------------------------------

    def _m_getFile(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        file_id = p.get("file_id")
        if file_id in (None, ""):
            raise bad("file_id is empty")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise bad("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_BYTES:
            raise bad("file is too big")
        if stored.file_path is None:
            folder = {"photo": "photos", "video": "videos", "audio": "music", "voice": "voice"}.get(
                stored.kind, "documents"
            )
            if stored.kind == "photo":
                extension = ".jpg"
            else:
                extension = ""
                if stored.file_name and "." in stored.file_name:
                    extension = "." + stored.file_name.rsplit(".", 1)[-1]
            stored.file_path = f"{folder}/file_{next(self._path_counter)}{extension}"
            self._paths[stored.file_path] = stored.file_id
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }


# ----------------------------------------------------------------------------------------------------------------
# Wiring helpers


def make_application(emu: BotApiEmulator, **builder_kwargs: Any):  # noqa: ANN201  (telegram is imported lazily)
    """A PTB ``Application`` pointed at the emulator. Each keyword calls the ``ApplicationBuilder`` method of
    that name, e.g. ``make_application(emu, rate_limiter=AIORateLimiter(max_retries=1), updater=None)``."""
    from telegram.ext import ApplicationBuilder

    builder = ApplicationBuilder().token(emu.token).base_url(emu.base_url).base_file_url(emu.base_file_url)
    for name, value in builder_kwargs.items():
        builder = getattr(builder, name)(value)
    return builder.build()


try:  # a ready-made fixture: import ``bot_api_emulator`` from this module into a test module or conftest
    import pytest_asyncio

    @pytest_asyncio.fixture(loop_scope="function")
    async def bot_api_emulator():  # noqa: ANN201
        async with BotApiEmulator() as emu:
            yield emu

except ImportError:  # pragma: no cover
    bot_api_emulator = None  # type: ignore[assignment]
