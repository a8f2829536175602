"""Bot API methods that send files: sendPhoto, sendDocument, sendMediaGroup."""

from __future__ import annotations

import copy
from typing import Any

from ..constants import MAX_MEDIA_GROUP, MIN_MEDIA_GROUP
from ..errors import bad
from ..files import FileStore
from ..validation import Validation


class MediaMethods(Validation, FileStore):
    """Photos (with Telegram's size ladder), documents and albums."""

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
