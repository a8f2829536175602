"""Serving a new index without a restart (an approved meme, another replica's rebuild)."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.services import Services
from bot.telegram.context import BotContext, BotData
from bot.vision import MemeImageIndex

IMAGE_HASHES = "meme-picture-hashes.json"  # under MEMEBOT_HOME


def image_index(services: Services) -> MemeImageIndex:
    """The meme pictures of the notes now served, hashed (each picture once: the hashes are kept by
    content hash under ``MEMEBOT_HOME``)."""
    return MemeImageIndex.from_notes(
        list(services.retriever.notes.values()), cache=services.home / IMAGE_HASHES
    )


async def hot_swap(application: Application) -> bool:
    """Load the index version the ``current`` link points at, and its pictures; True when swapped."""
    data: BotData = application.bot_data
    services = data.services
    if services is None:
        return False
    swapped = await asyncio.to_thread(services.refresh_index)
    if swapped:
        data.images = await asyncio.to_thread(image_index, services)
    return swapped


async def refresh_index_job(context: BotContext) -> None:
    """JobQueue: look for a new index version now and then."""
    await hot_swap(context.application)
