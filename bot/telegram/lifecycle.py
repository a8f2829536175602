"""Start and stop: load the services and the database once, off the event loop; finish interrupted work.

``post_init`` loads everything and finishes publications a crash interrupted; :func:`start_workers`
then starts the inbox worker (updates) and the outbox worker (owed messages), which pick up whatever
the last run left unfinished; :func:`stop_workers` stops them before the Application stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram.error import TelegramError
from telegram.ext import Application

from bot.community.service import SubmissionService
from bot.config import Settings
from bot.services import Services, load_services
from bot.storage import Database
from bot.storage.inbox import InboxStore
from bot.storage.outbox import OutboxStore
from bot.storage.people import PeopleStore
from bot.telegram.commands import publish_commands
from bot.telegram.context import BotData
from bot.telegram.inbox import UpdateWorker
from bot.telegram.learning import make_learning, schedule_learning, stop_learning
from bot.telegram.outbox import OutboxWorker
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.swap import hot_swap, image_index, refresh_index_job
from indexer.build import build_index

logger = logging.getLogger(__name__)

PostInit = Callable[[Application], Coroutine[Any, Any, None]]


def make_submission_service(settings: Settings, data: BotData) -> SubmissionService:
    """Submissions write notes into the knowledge dir and rebuild the index the bot serves."""
    services, db = data.services, data.db
    assert services is not None and db is not None

    def rebuild_index() -> object:
        return build_index(
            settings.knowledge_dir,
            services.index_root or settings.index_dir,
            encoder=services.retriever.encoder,
            known_demos={d.id for d in services.demo_specs},
            progress=False,
        )

    return SubmissionService(
        db,
        settings.admins,
        settings.home,
        settings.knowledge_dir,
        image_index_provider=data.wait_images,
        daily_limit=settings.daily_submissions,
        max_image_bytes=settings.max_image_bytes,
        rebuild_index=rebuild_index,
        on_published=data.learning.note_published if data.learning is not None else None,
    )


def make_post_init(settings: Settings, services: Services | None, db: Database, worker_id: str) -> PostInit:
    """``post_init``: load the retriever, router, demo runner once, off the event loop; build the workers."""

    async def post_init(application: Application) -> None:
        data: BotData = application.bot_data
        data.settings = settings
        data.worker_id = worker_id
        if services is None:
            loaded = await asyncio.to_thread(load_services, settings.home)
            # Start the demo worker now: importing torch in it takes seconds, not on a user's first demo.
            await asyncio.to_thread(lambda: loaded.demo_runner)
            data.services = loaded
        else:
            data.services = services
        data.db = db
        served = data.services
        data.build_images(lambda: image_index(served))
        data.limiter = RateLimiter(settings.rate_limit_per_minute)
        data.learning = await asyncio.to_thread(make_learning, settings, data)
        data.submissions = make_submission_service(settings, data)
        data.people = PeopleStore(db)
        data.updates = UpdateWorker(
            application, InboxStore(db, worker_id, settings.inbox_lease_seconds), people=data.people
        )
        data.outbox = OutboxWorker(
            application.bot,
            OutboxStore(db, worker_id),
            data.submissions,
            data.people,
            before_verdict=lambda: hot_swap(application),
        )
        try:
            recovered = await asyncio.to_thread(data.submissions.recover)
        except SQLAlchemyError:
            logger.warning(
                "database unavailable: interrupted publications are finished on the next start", exc_info=True
            )
            recovered = []
        if recovered:
            logger.info("finished interrupted publications: %s", recovered)
            await hot_swap(application)
        try:
            await publish_commands(application.bot)
        except TelegramError:
            logger.warning("could not publish the command list", exc_info=True)
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                refresh_index_job, interval=settings.index_poll_seconds, first=settings.index_poll_seconds
            )
        schedule_learning(application, settings)

    return post_init


async def start_workers(application: Application, sole_consumer: bool) -> None:
    """Start handling updates from the inbox and sending owed messages (after ``Application.start``)."""
    data: BotData = application.bot_data
    assert data.updates is not None and data.outbox is not None, "post_init builds the workers"
    await data.updates.start(sole_consumer)
    await data.outbox.start(sole_consumer)


async def stop_workers(application: Application) -> None:
    data: BotData = application.bot_data
    if data.poller is not None:
        await data.poller.stop()
    if data.updates is not None:
        await data.updates.stop()
    if data.outbox is not None:
        await data.outbox.stop()


async def post_shutdown(application: Application) -> None:
    """Stop the demo worker and the answer-record writer."""
    data: BotData = application.bot_data
    await stop_learning(data)
    if data.services is not None:
        await asyncio.to_thread(data.services.close)
