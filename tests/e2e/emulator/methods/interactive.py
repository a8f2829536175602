"""Bot API methods that answer users' queries: answerCallbackQuery and answerInlineQuery."""

from __future__ import annotations

import copy
import re
from typing import Any

from ..constants import (
    INLINE_RESULT_TYPES,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_INLINE_NEXT_OFFSET_BYTES,
    MAX_INLINE_RESULT_ID_BYTES,
    MAX_INLINE_RESULTS,
)
from ..errors import bad
from ..validation import Validation


class InteractiveMethods(Validation):
    """Answers to button presses (callback queries) and to inline queries, each answerable once."""

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
