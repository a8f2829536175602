"""What the emulator records and simulates: users, calls, webhook deliveries, downloads and stored files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class User:
    """A simulated Telegram user."""

    id: int
    first_name: str = "Alice"
    language_code: str | None = "en"
    username: str | None = None
    last_name: str | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Call:
    """One Bot API request as the emulator received and answered it.

    ``params`` are decoded (JSON fields parsed, integer and boolean form fields converted); ``files`` maps each
    uploaded multipart part name to its bytes; ``time`` is ``time.monotonic()`` when the request arrived.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    time: float
    response: dict[str, Any]
    status: int = 200
    file_names: dict[str, str | None] = field(default_factory=dict)
    content_types: dict[str, str | None] = field(default_factory=dict)
    client_gone: bool = False  # the client had hung up before the answer (e.g. an abandoned long poll)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        return self.response.get("description")

    @property
    def error_code(self) -> int | None:
        return self.response.get("error_code")


@dataclass
class WebhookDelivery:
    """One POST of an update to the webhook URL."""

    update_id: int | None
    url: str
    status: int | None
    secret_token: str | None
    time: float
    error: str | None = None


@dataclass
class Download:
    """One ``GET /file/bot<token>/<file_path>``."""

    file_path: str
    status: int
    time: float


@dataclass
class StoredFile:
    """A file Telegram keeps: uploaded by the bot or sent by a user."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # photo, document, video, audio, voice, animation
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)


class Described:
    """A successful result that carries a ``description`` too, as setWebhook's does."""

    def __init__(self, result: Any, description: str) -> None:
        self.result = result
        self.description = description


@dataclass
class Failure:
    method: str
    code: int
    description: str
    parameters: dict[str, Any] | None
    times: int
