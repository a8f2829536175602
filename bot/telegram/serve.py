"""Running the bot: long polling (default) or a webhook server with ``/healthz``.

Either way an update is stored in the database inbox before Telegram hears that it arrived
(:mod:`bot.telegram.inbox`): long polling asks for the next batch only after the last one is stored
(:mod:`bot.telegram.polling`), the webhook answers 200 only after storing. Several webhook replicas
may share one PostgreSQL database behind a load balancer: each stores what it receives and every
replica's worker claims stored updates safely, so a replica that dies leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application

from bot.config import ConfigError, Settings
from bot.telegram.app import build_application
from bot.telegram.context import BotData
from bot.telegram.lifecycle import start_workers, stop_workers
from bot.telegram.polling import InboxPoller

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(webhook_url: str) -> str:
    return urlparse(webhook_url).path or "/"


def _secret_matches(given: str, secret: str) -> bool:
    """Constant-time comparison that copes with any header bytes (non-ASCII is simply wrong, not an error)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode("utf-8"))


def make_web_app(application: Application, path: str, secret: str | None) -> web.Application:
    """aiohttp app: POST ``path`` → stored in the inbox, then 200; GET /healthz → status JSON.

    A wrong secret is 403; a body that is not a Telegram update (not JSON, not an object with an
    integer ``update_id``, fields of the wrong type) is 400.
    """

    async def telegram_update(request: web.Request) -> web.Response:
        if secret is not None and not _secret_matches(request.headers.get(SECRET_HEADER, ""), secret):
            logger.warning("webhook call with a wrong secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            payload = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="bad update: not JSON")
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return web.Response(status=400, text="bad update: no update_id")
        try:
            update = Update.de_json(payload, application.bot)
        except Exception:
            logger.info("webhook body for update %s is not a valid update", update_id, exc_info=True)
            return web.Response(status=400, text="bad update")
        data: BotData = application.bot_data
        if data.updates is None:
            return web.Response(status=503, text="starting")
        await data.updates.receive([update])  # stored (or, without a database, handled from memory)
        return web.Response(text="ok")

    async def healthz(_request: web.Request) -> web.Response:
        data: BotData = application.bot_data
        ready = data.services is not None and application.running
        body = {
            "status": "ok" if ready else "starting",
            "index_version": data.services.retriever.version if data.services else None,
        }
        return web.json_response(body, status=200 if ready else 503)

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post(path, telegram_update)
    app.router.add_get("/healthz", healthz)
    return app


class WebhookServer:
    """Start/stop the Application, its workers and the aiohttp server together (used by ``serve`` and tests)."""

    def __init__(self, application: Application, settings: Settings, listen: str, port: int):
        assert settings.webhook_url, "webhook mode needs a webhook URL"
        self.application = application
        self.settings = settings
        self.listen = listen
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self, set_webhook: bool = True) -> None:
        await self.application.initialize()
        if self.application.post_init is not None:
            await self.application.post_init(self.application)
        await self.application.start()
        await start_workers(self.application, sole_consumer=False)
        assert self.settings.webhook_url is not None
        web_app = make_web_app(
            self.application, webhook_path(self.settings.webhook_url), self.settings.webhook_secret
        )
        self._runner = web.AppRunner(web_app)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        if set_webhook:
            await self.application.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        logger.info("webhook server on %s:%s for %s", self.listen, self.port, self.settings.webhook_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        await stop_workers(self.application)
        if self.application.running:
            await self.application.stop()
        if self.application.post_shutdown is not None:
            await self.application.post_shutdown(self.application)
        await self.application.shutdown()


async def start_polling(application: Application, poll_interval: float = 0.0, timeout: int = 10) -> None:
    """Initialise, post_init, start, then poll into the inbox and handle from it (returns at once)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await start_workers(application, sole_consumer=True)
    data: BotData = application.bot_data
    assert data.updates is not None
    data.poller = InboxPoller(data.updates, timeout=timeout, poll_interval=poll_interval)
    await data.poller.start()


async def stop_polling(application: Application) -> None:
    await stop_workers(application)
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: long polling, or the webhook server when a webhook URL is set.

    Raises :class:`ConfigError` (never with the token in it) when Telegram rejects the token.
    """

    async def main() -> None:
        application = build_application(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        server = (
            WebhookServer(application, settings, settings.webhook_listen, settings.webhook_port)
            if settings.webhook_url
            else None
        )
        if server is not None:
            await server.start()
        else:
            await start_polling(application)
        try:
            await _until_stopped(application, stop)
        finally:
            if server is not None:
                await server.stop()
            else:
                await stop_polling(application)

    try:
        asyncio.run(main())
    except InvalidToken:
        raise ConfigError(
            detail="Telegram rejected TELEGRAM_BOT_TOKEN; copy the token again from @BotFather"
        ) from None


async def _until_stopped(application: Application, stop: asyncio.Event) -> None:
    """Wait for a signal; a poller that died (e.g. the token was revoked) ends the wait with its error."""
    data: BotData = application.bot_data
    poller = data.poller
    waiter = asyncio.create_task(stop.wait())
    watched = {waiter} | ({poller.task} if poller is not None and poller.task is not None else set())
    done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    for task in done:
        if task is not waiter:
            task.result()
