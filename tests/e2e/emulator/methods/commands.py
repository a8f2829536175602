"""Bot API methods for the bot's command menu: setMyCommands, getMyCommands, deleteMyCommands."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from ..constants import MAX_COMMANDS
from ..errors import bad
from ..state import EmulatorState


class CommandMethods(EmulatorState):
    """The command lists per scope and language."""

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

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
