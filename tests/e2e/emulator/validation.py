"""Checks every sending method shares: formatted text, reply markup and inline buttons, link previews, captions."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from .constants import BUTTON_ACTIONS, MAX_CALLBACK_DATA_BYTES, MAX_KEYBOARD_BUTTONS
from .errors import bad
from .formatting import format_text
from .state import EmulatorState


class Validation(EmulatorState):
    """Parameter checks that depend on the bot's settings (strict ampersands, inline mode)."""

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
