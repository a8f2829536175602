"""Configuration: one place, clear one-line errors for missing or malformed values."""

from __future__ import annotations

import os

import pytest

from bot.settings import SettingsError, load_settings, parse_admins

TOKEN = "123456789:AAEmemebotTestTokenForTheLocalEmu01"


def test_reads_everything_from_the_environment(monkeypatch, memebot_home) -> None:  # noqa: ANN001
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("MEMEBOT_ADMINS", "42, 7")
    monkeypatch.setenv("MEMEBOT_RATE_LIMIT", "5")
    settings = load_settings()
    assert settings.token == TOKEN and settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.admins == {42, 7} and settings.rate_limit_per_minute == 5
    assert settings.database_url == f"sqlite:///{memebot_home / 'memebot.sqlite3'}"


def test_dotenv_file_is_read(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nMEMEBOT_ADMINS=99\n", encoding="utf-8")
    monkeypatch.delenv("MEMEBOT_ADMINS", raising=False)
    try:
        settings = load_settings()
    finally:  # load_dotenv writes os.environ directly
        os.environ.pop("TELEGRAM_BOT_TOKEN", None)
        os.environ.pop("MEMEBOT_ADMINS", None)
    assert settings.token == TOKEN and settings.admins == {99}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "does not look like a bot token"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "MEMEBOT_RATE_LIMIT": "lots"}, "MEMEBOT_RATE_LIMIT='lots' is not a whole number"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "MEMEBOT_ADMINS": "42,bob"}, "MEMEBOT_ADMINS has 'bob'"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "localhost:8081"}, "is not an http(s) URL"),
    ],
)
def test_bad_settings_name_the_problem(monkeypatch, tmp_path, env: dict[str, str], message: str) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_serve_without_token_is_one_line_not_a_traceback(cli_runner, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    result = cli_runner("serve")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "memebot: TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and set TELEGRAM_BOT_TOKEN=123456:ABC..."
    ]


def test_webhook_needs_a_secret(cli_runner, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    result = cli_runner("serve", "--webhook-url", "https://bot.example/hook", "--port", "8443")
    assert result.exit_code == 2 and "webhook mode needs a secret" in result.output


def test_parse_admins() -> None:
    assert parse_admins(" 1, 2 3 ") == {1, 2, 3}
    assert parse_admins("") == frozenset()
