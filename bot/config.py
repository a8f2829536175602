"""The one configuration object, read once from the environment and ``.env`` by every entry point.

Nothing else in the project reads ``os.environ``: the CLI, the bot and the health check call
:func:`load_settings` and pass the :class:`Settings` (or the paths in it) down. Values in the
environment win over ``.env``; reading never changes the environment.

Example::

    settings = load_settings()
    settings.index_dir, settings.database_url, settings.admins
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import UserError
from common.i18n import Lang, as_lang

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_API_URL = "https://api.telegram.org"
REPO_ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_DATABASES = ("sqlite", "postgresql")


class ConfigError(UserError):
    """A setting is missing or malformed; the message says which and what to set."""

    key = "config_error"


@dataclass(frozen=True)
class Settings:
    """Everything memebot reads from its environment.

    ``home`` holds all runtime data (index, router model, database, pictures); ``knowledge_dir`` the
    notes. ``admins_in_order`` keeps ``MEMEBOT_ADMINS`` as written (the first is the CLI's default actor).
    """

    home: Path
    knowledge_dir: Path
    database_url: str
    token: str = ""
    api_url: str = DEFAULT_API_URL
    admins_in_order: tuple[int, ...] = ()
    rate_limit_per_minute: int = 20
    # Messages a second the bot sends in all (Telegram's flood limit is 30); 0 switches the bot's own
    # throttle off, for a local Bot API server without that limit (and for measuring the bot itself).
    flood_limit: int = 30
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    max_image_bytes: int = 10 * 1024 * 1024
    daily_submissions: int = 5
    index_poll_seconds: float = 5.0
    inbox_lease_seconds: float = 30.0
    lang: Lang = "en"
    # The learning loop: the key of the user hash (unset: generated once into home), how long answer
    # records are kept, and when admins get the weekly digest (ISO weekday 1-7, 0 = never; hour UTC).
    user_hash_key: str | None = field(default=None, repr=False)
    retention_days: int = 90
    digest_weekday: int = 1
    digest_hour: int = 9

    @property
    def admins(self) -> frozenset[int]:
        return frozenset(self.admins_in_order)

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def router_dir(self) -> Path:
        return self.home / "router"

    @property
    def user_hash_key_file(self) -> Path:
        return self.home / "user-hash.key"

    @property
    def regressions_file(self) -> Path:
        return self.home / "regressions.jsonl"

    @property
    def base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"

    def with_token(self) -> Settings:
        """These settings, checked to hold a well-formed bot token (raises :class:`ConfigError`)."""
        if not self.token:
            raise ConfigError(detail=_MISSING_TOKEN)
        return self

    def with_webhook(self) -> Settings:
        """Checked for webhook mode: a secret is required and may only hold Telegram's allowed characters."""
        if self.webhook_url and not self.webhook_secret:
            raise ConfigError(
                detail="webhook mode needs a secret: pass --secret-token or set MEMEBOT_WEBHOOK_SECRET (letters, digits, _ and -)"
            )
        if self.webhook_secret and not SECRET_RE.match(self.webhook_secret):
            raise ConfigError(
                detail="the webhook secret may only hold letters, digits, _ and - (1 to 256 characters)"
            )
        return self


_MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and set TELEGRAM_BOT_TOKEN=123456:ABC..."
)


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a ``.env`` file (missing file: empty)."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(detail=f"{name}={raw!r} is not a whole number; set e.g. {name}={default}") from None
    if not low <= value <= high:
        raise ConfigError(detail=f"{name}={value} is out of range; set a value from {low} to {high}")
    return value


def parse_admins(raw: str) -> tuple[int, ...]:
    """``"123, 456"`` → ``(123, 456)`` in the order written; raises ConfigError naming the bad entry."""
    admins: list[int] = []
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,19}", part):
            raise ConfigError(
                detail=f"MEMEBOT_ADMINS has {part!r}, which is not a Telegram user id; use e.g. MEMEBOT_ADMINS=12345,67890"
            )
        if int(part) not in admins:
            admins.append(int(part))
    return tuple(admins)


def _home(raw: str | None) -> Path:
    home = Path(raw or "var").expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError(
            detail=f"MEMEBOT_HOME={home} is not a directory; point it at a folder memebot may write to"
        )
    return home


def _database_url(env: Mapping[str, str], home: Path) -> str:
    url = (env.get("MEMEBOT_DATABASE_URL") or "").strip()
    if not url:
        return f"sqlite:///{home / 'memebot.sqlite3'}"
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in SUPPORTED_DATABASES:
        raise ConfigError(
            detail=f"MEMEBOT_DATABASE_URL uses {scheme!r}, which memebot does not support; "
            "use sqlite:////path/to/memebot.sqlite3 or postgresql://user:password@host/db"
        )
    _check_sqlite_file(url, env)
    return url


def _check_sqlite_file(url: str, env: Mapping[str, str]) -> None:
    """A configured SQLite file must exist: a typo in the path must not quietly start an empty database."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return
    path = Path(url.split("///", 1)[1].split("?", 1)[0]).expanduser()
    if path.is_file() or (env.get("MEMEBOT_DATABASE_CREATE") or "").strip().lower() in ("1", "true", "yes"):
        return
    raise ConfigError(
        detail=f"MEMEBOT_DATABASE_URL names {path}, which does not exist; fix the path, "
        "or set MEMEBOT_DATABASE_CREATE=1 once to create a new database there"
    )


def _hash_key(raw: str | None) -> str | None:
    """``MEMEBOT_USER_HASH_KEY``: at least 16 characters (unset: a key is generated into MEMEBOT_HOME)."""
    key = (raw or "").strip()
    if not key:
        return None
    if len(key) < 16:
        raise ConfigError(
            detail="MEMEBOT_USER_HASH_KEY is too short; use at least 16 random characters, e.g. the output of: openssl rand -hex 32"
        )
    return key


def load_settings(env: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Read the settings from ``env`` (default ``os.environ``) over ``dotenv`` (default ``./.env``).

    Raises :class:`ConfigError` with a one-line fix for a malformed value. A missing token is not an
    error here (``memebot ask`` needs none); :meth:`Settings.with_token` checks it where it is needed.
    """
    values = {
        **read_dotenv(dotenv if dotenv is not None else Path.cwd() / ".env"),
        **(os.environ if env is None else env),
    }
    token = values.get("TELEGRAM_BOT_TOKEN", "").strip()
    if token and not TOKEN_RE.match(token):
        raise ConfigError(
            detail="TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon, then 30+ letters, "
            "e.g. 123456789:AAH...); copy it again from @BotFather"
        )
    api_url = values.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ConfigError(
            detail=f"TELEGRAM_API_URL={api_url!r} is not an http(s) URL; e.g. TELEGRAM_API_URL=http://127.0.0.1:8081"
        )
    home = _home(values.get("MEMEBOT_HOME"))
    knowledge = values.get("MEMEBOT_KNOWLEDGE")
    return Settings(
        home=home,
        knowledge_dir=Path(knowledge).expanduser().resolve() if knowledge else REPO_ROOT / "knowledge",
        database_url=_database_url(values, home),
        token=token,
        api_url=api_url,
        admins_in_order=parse_admins(values.get("MEMEBOT_ADMINS", "")),
        rate_limit_per_minute=_int(values, "MEMEBOT_RATE_LIMIT", 20, 1, 10_000),
        flood_limit=_int(values, "MEMEBOT_FLOOD_LIMIT", 30, 0, 10_000),
        webhook_url=values.get("MEMEBOT_WEBHOOK_URL") or None,
        webhook_listen=values.get("MEMEBOT_WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=_int(values, "MEMEBOT_WEBHOOK_PORT", 8443, 1, 65535),
        webhook_secret=values.get("MEMEBOT_WEBHOOK_SECRET") or None,
        max_image_bytes=_int(values, "MEMEBOT_MAX_IMAGE_MB", 10, 1, 50) * 1024 * 1024,
        daily_submissions=_int(values, "MEMEBOT_DAILY_SUBMISSIONS", 5, 1, 1000),
        index_poll_seconds=float(_int(values, "MEMEBOT_INDEX_POLL_SECONDS", 5, 1, 3600)),
        inbox_lease_seconds=float(_int(values, "MEMEBOT_INBOX_LEASE_SECONDS", 30, 2, 3600)),
        lang=as_lang(values.get("MEMEBOT_LANG") or values.get("LC_ALL") or values.get("LANG"), default="en"),
        user_hash_key=_hash_key(values.get("MEMEBOT_USER_HASH_KEY")),
        retention_days=_int(values, "MEMEBOT_RETENTION_DAYS", 90, 1, 3650),
        digest_weekday=_int(values, "MEMEBOT_DIGEST_WEEKDAY", 1, 0, 7),
        digest_hour=_int(values, "MEMEBOT_DIGEST_HOUR", 9, 0, 23),
    )


def prepare_home(settings: Settings) -> Path:
    """Create ``MEMEBOT_HOME`` (owner-only, 0700) if needed; raises ConfigError when it can't be."""
    try:
        settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            detail=f"cannot create MEMEBOT_HOME={settings.home} ({exc.strerror}); point it at a writable folder"
        ) from None
    return settings.home
