"""Running the bot: long polling (default) or a webhook server with ``/healthz``.

Webhook mode serves Telegram's updates on our own aiohttp server so several replicas can sit behind
a load balancer: each checks the ``X-Telegram-Bot-Api-Secret-Token`` header and feeds the update to
its Application; ``/healthz`` reports the index version it is serving.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.telegram.app import build_application
from bot.telegram.context import BotData

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(webhook_url: str) -> str:
    return urlparse(webhook_url).path or "/"


def make_web_app(application: Application, path: str, secret: str | None) -> web.Application:
    """aiohttp app: POST ``path`` → the bot's update queue; GET /healthz → status JSON."""

    async def telegram_update(request: web.Request) -> web.Response:
        if secret is not None and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            logger.warning("webhook call with a wrong secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            payload = await request.json()
            update = Update.de_json(payload, application.bot)
        except (json.JSONDecodeError, ValueError, KeyError, TypeError):
            return web.Response(status=400, text="bad update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    async def healthz(_request: web.Request) -> web.Response:
        data: BotData = application.bot_data
        ready = data.services is not None and application.running
        body = {"status": "ok" if ready else "starting", "index_version": data.services.retriever.version if data.services else None}
        return web.json_response(body, status=200 if ready else 503)

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post(path, telegram_update)
    app.router.add_get("/healthz", healthz)
    return app


class WebhookServer:
    """Start/stop the Application and the aiohttp server together (used by ``serve`` and tests)."""

    def __init__(self, application: Application, settings: Settings, listen: str, port: int):
        assert settings.webhook_url, "webhook mode needs a webhook URL"
        self.application = application
        self.settings = settings
        self.listen = listen
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        await self.application.initialize()
        if self.application.post_init is not None:
            await self.application.post_init(self.application)
        await self.application.start()
        assert self.settings.webhook_url is not None
        web_app = make_web_app(self.application, webhook_path(self.settings.webhook_url), self.settings.webhook_secret)
        self._runner = web.AppRunner(web_app)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        await self.application.bot.set_webhook(
            self.settings.webhook_url, secret_token=self.settings.webhook_secret, allowed_updates=Update.ALL_TYPES
        )
        logger.info("webhook server on %s:%s for %s", self.listen, self.port, self.settings.webhook_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        await self.application.stop()
        if self.application.post_shutdown is not None:
            await self.application.post_shutdown(self.application)
        await self.application.shutdown()


async def start_polling(application: Application, poll_interval: float = 0.0, timeout: int = 10) -> None:
    """What ``run_polling`` does, but returning control: initialise, post_init, start, poll."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None, "polling needs the Application's updater"
    await application.updater.start_polling(poll_interval=poll_interval, timeout=timeout, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


async def stop_polling(application: Application) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


def serve(settings: Settings) -> None:
    """Run until interrupted: long polling, or the webhook server when a webhook URL is set."""
    if settings.webhook_url is None:
        application = build_application(settings)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    application = build_application(settings, webhook=True)
    server = WebhookServer(application, settings, settings.webhook_listen, settings.webhook_port)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await server.start()
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(main())
