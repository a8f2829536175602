"""Bot API refusals (``ApiError``, Telegram-shaped) and formatting errors (``ParseError``)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API refusal: ``description`` as Telegram words it, ``code`` the HTTP status and ``error_code``."""

    def __init__(self, description: str, code: int = 400, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.parameters = parameters
        self.violation = False  # a call that ignored an earlier retry_after

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad(description: str) -> ApiError:
    return ApiError(f"Bad Request: {description}")


class ParseError(ValueError):
    """Formatted text Telegram cannot parse; the message follows ``Bad Request: can't parse entities: ``."""
