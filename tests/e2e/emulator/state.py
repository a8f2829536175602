"""What the emulated Telegram knows — chats, messages, files, queued updates, the webhook — and how updates leave.

:class:`EmulatorState` holds the whole state and the constructor; the server, the simulated users and the Bot API
method groups are mixins over it (see :mod:`.core`).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
from typing import Any

import aiohttp
from aiohttp import web

from .constants import DEFAULT_ALLOWED_UPDATES, DEFAULT_TOKEN
from .errors import ApiError, bad
from .models import Call, Download, Failure, StoredFile, User, WebhookDelivery


class EmulatorState:
    """The emulator's state: settings, recordings, chats and messages, files, the update queue and the webhook."""

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
        control_api: bool = False,
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
        self.control_api = control_api  # serve the test-only routes of :mod:`.control`

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
        self.last_enqueued_at = 0.0  # time.monotonic() when the newest update was queued
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

    # -- addresses -------------------------------------------------------------------------------------------

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

    # -- inspection ------------------------------------------------------------------------------------------

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

    @property
    def webhook(self) -> dict[str, Any] | None:
        return copy.deepcopy(self._webhook)

    # -- updates ---------------------------------------------------------------------------------------------

    def _notify(self) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self.last_enqueued_at = time.monotonic()
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
                for known in self._chats.values():
                    if (
                        known.get("username", "").lower() == chat_id[1:].lower()
                        and known["type"] != "private"
                    ):
                        chat_id = known["id"]
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
