"""The typed context every handler gets: the bot's settings and services, and the user's language."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings
from bot.services import Services
from bot.storage import Database
from bot.storage.people import PeopleStore
from bot.telegram.ratelimit import RateLimiter
from bot.vision import MemeImageIndex
from common.i18n import Lang, user_lang

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.analytics.loop import LearningLoop
    from bot.community.service import SubmissionService
    from bot.telegram.inbox import UpdateWorker
    from bot.telegram.outbox import OutboxWorker
    from bot.telegram.polling import InboxPoller


class BotData:
    """Typed ``bot_data``: everything the handlers need, set up in ``post_init``."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.services: Services | None = None
        self.db: Database | None = None
        self.images: MemeImageIndex | None = None
        self.limiter: RateLimiter | None = None
        self.submissions: SubmissionService | None = None
        self.people: PeopleStore | None = None
        self.worker_id: str = ""
        self.updates: UpdateWorker | None = None
        self.poller: InboxPoller | None = None
        self.outbox: OutboxWorker | None = None
        self.learning: LearningLoop | None = None  # answer records, votes, wanted notes, statistics
        self._images_ready = threading.Event()
        self._images_ready.set()

    def build_images(self, build: Callable[[], MemeImageIndex]) -> None:
        """Hash the meme pictures in a thread: the bot starts polling meanwhile (it took ~2 s of every
        start) and the first picture or submission waits for them (:meth:`wait_images`)."""
        self._images_ready.clear()

        def run() -> None:
            try:
                self.images = build()
            except Exception:
                logger.exception("could not hash the meme pictures; pictures are not recognised")
            finally:
                self._images_ready.set()

        threading.Thread(target=run, name="memebot-images", daemon=True).start()

    def wait_images(self, timeout: float = 120.0) -> MemeImageIndex | None:
        """The meme pictures, once hashed (blocking: call it off the event loop)."""
        self._images_ready.wait(timeout)
        return self.images


class BotContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """Context with typed access to the bot's services."""

    @property
    def memebot(self) -> BotData:
        return self.bot_data

    @property
    def services(self) -> Services:
        assert self.bot_data.services is not None, "services are loaded in post_init"
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        assert self.bot_data.settings is not None, "settings are set in post_init"
        return self.bot_data.settings

    @property
    def submissions(self) -> SubmissionService:
        assert self.bot_data.submissions is not None, "the submission service is built in post_init"
        return self.bot_data.submissions


def lang_of(update: Update, message_text: str | None = None) -> Lang:
    """The user's language: Telegram's ``language_code`` if it is ru/en, else their message's, else Russian."""
    user = update.effective_user
    if message_text is None and update.effective_message is not None:
        message_text = update.effective_message.text
    return user_lang(user.language_code if user else None, message_text)
