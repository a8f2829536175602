"""``memebot serve``: the Telegram bot, by long polling or as a webhook server."""

from __future__ import annotations

import dataclasses

import click

from bot.cli.context import pass_settings
from bot.config import Settings, prepare_home
from bot.telegram.serve import serve as run
from indexer.build import current_version_dir


@click.command()
@click.option(
    "--webhook-url", default=None, help="Public HTTPS URL Telegram should POST updates to (webhook mode)."
)
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port of the webhook server.")
@click.option("--listen", default=None, help="Address the webhook server binds (default 0.0.0.0).")
@click.option("--secret-token", default=None, help="Webhook secret (X-Telegram-Bot-Api-Secret-Token).")
@pass_settings
def serve(
    settings: Settings,
    webhook_url: str | None,
    port: int | None,
    listen: str | None,
    secret_token: str | None,
) -> None:
    """Run the Telegram bot: long polling, or a webhook server with /healthz."""
    overrides = {
        k: v
        for k, v in {
            "webhook_url": webhook_url,
            "webhook_port": port,
            "webhook_listen": listen,
            "webhook_secret": secret_token,
        }.items()
        if v is not None
    }
    settings = dataclasses.replace(settings, **overrides).with_token().with_webhook()  # type: ignore[arg-type]
    prepare_home(settings)
    current_version_dir(settings.index_dir)  # no index: say so now, not after connecting to Telegram
    run(settings)
