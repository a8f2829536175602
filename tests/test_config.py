"""Configuration: one object read once, clear one-line errors for missing or malformed values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, parse_admins, prepare_home

TOKEN = "123456789:AAEmemebotTestTokenForTheLocalEmu01"


def test_reads_everything_from_the_environment(monkeypatch, memebot_home) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("MEMEBOT_ADMINS", "42, 7")
    monkeypatch.setenv("MEMEBOT_RATE_LIMIT", "5")
    monkeypatch.setenv("MEMEBOT_FLOOD_LIMIT", "0")
    settings = load_settings()
    assert settings.flood_limit == 0
    assert settings.token == TOKEN and settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert (
        settings.admins == {42, 7}
        and settings.admins_in_order == (42, 7)
        and settings.rate_limit_per_minute == 5
    )
    assert settings.database_url == f"sqlite:///{memebot_home / 'memebot.sqlite3'}"
    assert settings.index_dir == memebot_home / "index" and settings.router_dir == memebot_home / "router"


def test_dotenv_file_is_read_and_the_environment_wins(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nMEMEBOT_ADMINS=99\nMEMEBOT_RATE_LIMIT=7\n", encoding="utf-8"
    )
    monkeypatch.delenv("MEMEBOT_ADMINS", raising=False)
    monkeypatch.setenv("MEMEBOT_RATE_LIMIT", "9")
    settings = load_settings()
    assert settings.token == TOKEN and settings.admins == {99} and settings.rate_limit_per_minute == 9
    assert "TELEGRAM_BOT_TOKEN" not in os.environ, "reading .env must not change the environment"


def test_every_entry_point_sees_the_same_dotenv(monkeypatch, tmp_path, cli_runner) -> None:
    """`memebot home` (like admin and serve) reads the same .env as the bot: one configuration."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEMEBOT_HOME", raising=False)
    (tmp_path / ".env").write_text(f"MEMEBOT_HOME={tmp_path / 'from-dotenv'}\n", encoding="utf-8")
    result = cli_runner("home")
    assert result.exit_code == 0 and result.output.strip() == str(tmp_path / "from-dotenv")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "does not look like a bot token"),
        ({"MEMEBOT_RATE_LIMIT": "lots"}, "MEMEBOT_RATE_LIMIT='lots' is not a whole number"),
        ({"MEMEBOT_ADMINS": "42,bob"}, "MEMEBOT_ADMINS has 'bob'"),
        ({"TELEGRAM_API_URL": "localhost:8081"}, "is not an http(s) URL"),
        ({"MEMEBOT_DATABASE_URL": "mysql://u@h/db"}, "does not support"),
        ({"MEMEBOT_HOME": "/dev/null"}, "is not a directory"),
    ],
)
def test_bad_settings_name_the_problem(monkeypatch, tmp_path, env: dict[str, str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert message in info.value.message("en") and "\n" not in info.value.message("en")
    assert info.value.message("ru").startswith("Ошибка настройки")


def test_missing_token_is_checked_where_it_is_needed(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.token == ""
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        settings.with_token()


def test_home_is_created_owner_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEMEBOT_HOME", str(tmp_path / "data"))
    home = prepare_home(load_settings())
    assert home.is_dir() and home.stat().st_mode & 0o777 == 0o700


def test_serve_without_token_is_one_line_not_a_traceback(cli_runner, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli_runner("serve")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "memebot: TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and set TELEGRAM_BOT_TOKEN=123456:ABC..."
    ]


def test_webhook_needs_a_secret(cli_runner, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    result = cli_runner("serve", "--webhook-url", "https://bot.example/hook", "--port", "8443")
    assert result.exit_code == 2 and "webhook mode needs a secret" in result.output


def test_parse_admins() -> None:
    assert parse_admins(" 1, 2 3 ") == (1, 2, 3)
    assert parse_admins("") == ()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("chto takoe kross validaciya", "ru"),
        ("skolko klasterov brat v k-means, chet ne ponimayu", "ru"),
        ("kak vybrat learning rate", "ru"),
        ("что такое дропаут", "ru"),
        ("what is dropout", "en"),
        ("stack more layers meme", "en"),
        ("is the ne-ne meme about NLP", "en"),
    ],
)
def test_transliterated_russian_is_russian(text: str, lang: str) -> None:
    from common.i18n import detect_lang

    assert detect_lang(text) == lang
