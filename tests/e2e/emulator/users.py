"""The other side of the chat: simulated users who write, press buttons and type inline queries; test controls."""

from __future__ import annotations

import copy
import mimetypes
import secrets
from typing import Any

from .constants import MAX_CAPTION_LENGTH, MAX_INLINE_QUERY_LENGTH, MAX_MESSAGE_LENGTH
from .files import FileStore
from .formatting import STRIP_CHARS, find_auto_entities, sort_entities, utf16_len
from .images import image_size
from .models import User

_CONFIGURED = object()  # sentinel: "use the secret token the webhook was set with"


class SimulatedUsers(FileStore):
    """What users (and the world) do to the bot: messages, button presses, inline queries, blocks, web files."""

    # -- test controls ---------------------------------------------------------------------------------------

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
