"""The learning loop in Telegram: /wanted and its draft buttons, /stats, the weekly digest (admins);
/forget (everyone).

Admin rights are checked on every command and press; a refusal is logged and audited like any
other admin action (:func:`bot.telegram.moderation.refuse`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, timedelta
from datetime import time as daytime

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.analytics.chart import stats_png
from bot.analytics.clustering import clustering_encoder
from bot.analytics.digest import TOP, digest_text, render_wanted
from bot.analytics.loop import LearningLoop
from bot.analytics.stats import render
from bot.config import Settings
from bot.telegram.context import BotContext, BotData, lang_of
from bot.telegram.moderation import refuse
from bot.telegram.notify import admin_keyboard
from bot.telegram.render import CB_WANTED, callback, esc, keyboard, parse_callback, truncate_caption
from bot.telegram.replies import send_html
from common.errors import UserError
from common.i18n import Lang, t

logger = logging.getLogger(__name__)

CB_WANTED_PATTERN = r"^w:"
STATS_DAYS, STATS_MAX_DAYS = 30, 365
DIGEST_DAYS = 7
DIGEST_LANG: Lang = "ru"  # admins' language is not known in a job; the house language
PURGE_EVERY = timedelta(hours=24)


def make_learning(settings: Settings, data: BotData) -> LearningLoop | None:
    """The learning loop over the bot's database, clustering with the encoder the index is served with."""
    services, db = data.services, data.db
    if services is None or db is None:
        return None
    return LearningLoop.from_settings(
        settings,
        db,
        encoder=lambda: clustering_encoder(services.retriever.encoder),
        topics=lambda query: services.retriever.uncovered_topics(query),
    )


async def _admin_loop(update: Update, context: BotContext, action: str) -> LearningLoop | None:
    """The loop when the user is an admin; else refuse (logged, audited) and return None."""
    assert update.effective_user is not None
    if not context.submissions.is_admin(update.effective_user.id):
        await refuse(update, context, action, None)
        return None
    return context.memebot.learning


async def wanted_command(update: Update, context: BotContext) -> None:
    """/wanted: the notes people asked for most, with a draft button for each (admins only)."""
    chat = update.effective_chat
    assert chat is not None
    loop = await _admin_loop(update, context, "wanted")
    if loop is None:
        return
    lang = lang_of(update)
    clusters = await asyncio.to_thread(loop.wanted.clusters)
    rows = [
        [(t("wanted_draft_button", lang, id=c.id), callback(CB_WANTED, "draft", c.id))]
        for c in clusters[:TOP]
    ]
    await send_html(context, chat.id, esc(render_wanted(clusters, lang)), keyboard(rows) if rows else None)


async def wanted_button(update: Update, context: BotContext) -> None:
    """✍ Draft: a note draft from the cluster, sent back with the moderation buttons (admins only)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    lang = lang_of(update)
    parsed = parse_callback(query.data if isinstance(query.data, str) else None)
    if parsed is None or parsed.kind != CB_WANTED:
        await query.answer(t("stale", lang))
        return
    loop = await _admin_loop(update, context, "draft_note")
    if loop is None:
        return
    await query.answer()
    cluster_id = int(parsed.fields["cluster"])
    service = context.submissions
    try:
        view = await asyncio.to_thread(loop.draft, cluster_id, user.id, chat.id, lang, service)
    except UserError as exc:
        await context.bot.send_message(chat.id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    markdown = await asyncio.to_thread(service.render_note, view)
    card = f"{esc(t('draft_created', lang, id=view.id, cluster=cluster_id))}\n\n<pre>{esc(markdown)}</pre>"
    await send_html(context, chat.id, card, admin_keyboard(view.id, lang))


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats [days]: questions, outcomes, votes by note and latency, as text and a chart (admins only)."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    loop = await _admin_loop(update, context, "stats")
    if loop is None:
        return
    lang = lang_of(update)
    arg = re.search(r"\d{1,4}", " ".join(context.args or []))
    days = min(max(int(arg.group()) if arg else STATS_DAYS, 1), STATS_MAX_DAYS)
    stats = await asyncio.to_thread(loop.stats, days)
    await send_html(context, chat.id, esc(render(stats, lang)))
    png = await asyncio.to_thread(stats_png, stats, lang)
    await context.bot.send_photo(
        chat.id,
        png,
        caption=truncate_caption(esc(t("stats_chart_title", lang, since=stats.since, until=stats.until))),
    )


async def forget_command(update: Update, context: BotContext) -> None:
    """/forget: erase the user's questions and votes, and their id from their submissions."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    loop = context.memebot.learning
    counts = await asyncio.to_thread(loop.forget, user.id) if loop is not None else {}
    await message.reply_text(
        t("forget_done", lang_of(update), n=counts.get("outcomes", 0), votes=counts.get("votes", 0))
    )


async def digest_job(context: BotContext) -> None:
    """Weekly: the week's statistics, the chart and the most wanted notes to every admin."""
    loop, settings = context.memebot.learning, context.memebot.settings
    if loop is None or settings is None or not settings.admins:
        return
    stats = await asyncio.to_thread(loop.stats, DIGEST_DAYS)
    clusters = await asyncio.to_thread(loop.wanted.clusters)
    text = digest_text(stats, clusters, DIGEST_LANG)
    png = await asyncio.to_thread(stats_png, stats, DIGEST_LANG)
    for admin_id in sorted(settings.admins):
        try:
            await send_html(context, admin_id, esc(text))
            await context.bot.send_photo(admin_id, png)
        except TelegramError:
            logger.warning("could not send the weekly digest to admin %s", admin_id, exc_info=True)


async def purge_job(context: BotContext) -> None:
    """Daily: delete answer records older than the retention period."""
    loop = context.memebot.learning
    if loop is not None:
        await asyncio.to_thread(loop.purge)


def schedule_learning(application: Application, settings: Settings) -> None:
    """Retention once a day (first a minute after start); the digest weekly when MEMEBOT_DIGEST_WEEKDAY is 1-7."""
    jobs = application.job_queue
    if jobs is None:
        return
    jobs.run_repeating(purge_job, interval=PURGE_EVERY, first=60, name="retention")
    if settings.digest_weekday:
        # PTB counts days from Sunday = 0; the setting is ISO (Monday = 1 … Sunday = 7).
        when = daytime(hour=settings.digest_hour, tzinfo=UTC)
        jobs.run_daily(digest_job, time=when, days=(settings.digest_weekday % 7,), name="weekly-digest")


async def stop_learning(data: BotData) -> None:
    """Write what is still queued, then stop the writer."""
    if data.learning is not None:
        await asyncio.to_thread(data.learning.close)
