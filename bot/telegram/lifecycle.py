"""Start and stop: load the services and the database once, off the event loop; finish interrupted work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import Application

from bot.community.service import SubmissionService
from bot.config import Settings
from bot.services import Services, load_services
from bot.storage import Database, open_database
from bot.telegram.context import BotData
from bot.telegram.learning import make_learning, schedule_learning, stop_learning
from bot.telegram.notify import notify_submitter
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
        image_index_provider=lambda: data.images,
        daily_limit=settings.daily_submissions,
        max_image_bytes=settings.max_image_bytes,
        rebuild_index=rebuild_index,
        on_published=data.learning.note_published if data.learning is not None else None,
    )


def make_post_init(
    settings: Settings, services: Services | None = None, db: Database | None = None
) -> PostInit:
    """``post_init``: load the retriever, router, demo runner and database once, off the event loop."""

    async def post_init(application: Application) -> None:
        data: BotData = application.bot_data
        data.settings = settings
        if services is None:
            loaded = await asyncio.to_thread(load_services, settings.home)
            # Start the demo worker now: importing torch in it takes seconds, not on a user's first demo.
            await asyncio.to_thread(lambda: loaded.demo_runner)
            data.services = loaded
        else:
            data.services = services
        data.db = db or await asyncio.to_thread(open_database, settings.database_url)
        data.images = await asyncio.to_thread(image_index, data.services)
        data.limiter = RateLimiter(settings.rate_limit_per_minute)
        data.learning = await asyncio.to_thread(make_learning, settings, data)
        data.submissions = make_submission_service(settings, data)
        recovered = await asyncio.to_thread(data.submissions.recover)
        if recovered:
            logger.info("finished interrupted publications: %s", recovered)
            await hot_swap(application)
            for submission_id in recovered:
                view = await asyncio.to_thread(data.submissions.get, submission_id)
                await notify_submitter(application.bot, data.submissions, view)
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                refresh_index_job, interval=settings.index_poll_seconds, first=settings.index_poll_seconds
            )
        schedule_learning(application, settings)

    return post_init


async def post_shutdown(application: Application) -> None:
    """Stop the demo worker and the answer-record writer."""
    data: BotData = application.bot_data
    await stop_learning(data)
    if data.services is not None:
        await asyncio.to_thread(data.services.close)
