"""Configuration from the environment or ``.env``, read in one place."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.paths import memebot_home

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")
DEFAULT_API_URL = "https://api.telegram.org"


class SettingsError(Exception):
    """A setting is missing or malformed; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment.

    Example::

        settings = load_settings()
        settings.token, settings.api_url, settings.admins
    """

    token: str
    api_url: str = DEFAULT_API_URL
    home: Path = field(default_factory=memebot_home)
    admins: frozenset[int] = frozenset()
    database_url: str = ""
    rate_limit_per_minute: int = 20
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    max_image_bytes: int = 10 * 1024 * 1024
    daily_submissions: int = 5
    index_poll_seconds: float = 5.0

    @property
    def base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"


def _load_dotenv() -> None:
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - dependency
        return
    load_dotenv(Path.cwd() / ".env", override=False)


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number; set e.g. {name}={default}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} is out of range; set a value from {low} to {high}")
    return value


def parse_admins(raw: str) -> frozenset[int]:
    """``"123, 456"`` → ``{123, 456}``; raises SettingsError naming the bad entry."""
    admins = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise SettingsError(f"MEMEBOT_ADMINS has {part!r}, which is not a Telegram user id; use e.g. MEMEBOT_ADMINS=12345,67890")
        admins.add(int(part))
    return frozenset(admins)


def database_url(home: Path) -> str:
    return os.environ.get("MEMEBOT_DATABASE_URL") or f"sqlite:///{home / 'memebot.sqlite3'}"


def load_settings(require_token: bool = True) -> Settings:
    """Read the settings; raises :class:`SettingsError` with a one-line fix for a bad value."""
    _load_dotenv()
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if require_token and not token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and set TELEGRAM_BOT_TOKEN=123456:ABC...")
    if token and not TOKEN_RE.match(token):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon, then 30+ letters, "
            "e.g. 123456789:AAH...); copy it again from @BotFather"
        )
    api_url = os.environ.get("TELEGRAM_API_URL", DEFAULT_API_URL).strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise SettingsError(f"TELEGRAM_API_URL={api_url!r} is not an http(s) URL; e.g. TELEGRAM_API_URL=http://127.0.0.1:8081")
    home = memebot_home()
    webhook_url = os.environ.get("MEMEBOT_WEBHOOK_URL") or None
    return Settings(
        token=token,
        api_url=api_url,
        home=home,
        admins=parse_admins(os.environ.get("MEMEBOT_ADMINS", "")),
        database_url=database_url(home),
        rate_limit_per_minute=_int("MEMEBOT_RATE_LIMIT", 20, 1, 10_000),
        webhook_url=webhook_url,
        webhook_listen=os.environ.get("MEMEBOT_WEBHOOK_LISTEN", "0.0.0.0"),
        webhook_port=_int("MEMEBOT_WEBHOOK_PORT", 8443, 1, 65535),
        webhook_secret=os.environ.get("MEMEBOT_WEBHOOK_SECRET") or None,
        max_image_bytes=_int("MEMEBOT_MAX_IMAGE_MB", 10, 1, 50) * 1024 * 1024,
        daily_submissions=_int("MEMEBOT_DAILY_SUBMISSIONS", 5, 1, 1000),
        index_poll_seconds=float(_int("MEMEBOT_INDEX_POLL_SECONDS", 5, 1, 3600)),
    )
