"""Bot API methods for text messages: send, edit (text, caption, keyboard), delete; chat actions."""

from __future__ import annotations

import copy
import time
from typing import Any

from ..constants import CHAT_ACTIONS
from ..errors import ApiError, bad
from ..validation import Validation


class MessageMethods(Validation):
    """sendMessage, sendChatAction, editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage."""

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
