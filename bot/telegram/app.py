"""The Telegram bot's wiring, in one place: which handler answers what.

Handlers live in one module per feature; they are thin: they parse the update, hand CPU work
(encoding, OCR, demos) to a thread or the demo worker so the event loop never blocks, and render
the result as escaped HTML.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.services import Services
from bot.storage import Database, open_database
from bot.storage.queue import worker_id
from bot.storage.state import StateStore
from bot.telegram import browse, demos, fallbacks, inline, learning, moderation, pictures, questions, submit
from bot.telegram.context import BotContext, BotData
from bot.telegram.errors import on_error
from bot.telegram.guard import rate_limit
from bot.telegram.http import AiohttpRequest
from bot.telegram.idempotent import IdempotentBot
from bot.telegram.lifecycle import make_post_init, post_shutdown
from bot.telegram.persistence import DatabasePersistence

CONVERSATION_TIMEOUT_S = 30 * 60


def _submission_conversation() -> ConversationHandler:
    image = filters.PHOTO | filters.Document.IMAGE
    return ConversationHandler(
        entry_points=[
            CommandHandler("submit", submit.submit_start),
            CallbackQueryHandler(submit.submit_start, pattern=submit.CB_SUBMIT_START),
        ],
        states={
            submit.PICTURE: [
                MessageHandler(image, submit.submit_picture),
                MessageHandler(~filters.COMMAND, submit.submit_not_picture),
            ],
            submit.TITLE: [MessageHandler(filters.TEXT & ~filters.COMMAND, submit.submit_title)],
            submit.EXPLANATION: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, submit.submit_explanation),
                CommandHandler("skip", submit.submit_explanation),
            ],
            submit.CONFIRM: [CallbackQueryHandler(submit.submit_confirm, pattern=submit.CB_SUBMIT_DECIDE)],
        },
        fallbacks=[CommandHandler("cancel", submit.submit_cancel)],
        name="submission",
        persistent=True,
        conversation_timeout=CONVERSATION_TIMEOUT_S,
        allow_reentry=True,
    )


def _moderation_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(moderation.admin_button, pattern=moderation.CB_ADMIN_PATTERN)],
        states={
            moderation.ADMIN_REASON: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, moderation.admin_reason)
            ],
            moderation.ADMIN_EDIT: [MessageHandler(filters.TEXT & ~filters.COMMAND, moderation.admin_edit)],
        },
        fallbacks=[CommandHandler("cancel", submit.submit_cancel)],
        name="moderation",
        persistent=True,
        conversation_timeout=CONVERSATION_TIMEOUT_S,
        allow_reentry=True,
    )


def build_application(
    settings: Settings,
    services: Services | None = None,
    db: Database | None = None,
    webhook: bool = False,
    rate_limiter_retries: int = 3,
) -> Application:
    """All wiring in one place. ``services``/``db`` may be passed in (tests share loaded models).

    Updates reach the handlers through the database inbox (:mod:`bot.telegram.inbox`), not PTB's
    updater; conversations, ``user_data`` and ``chat_data`` live in the database
    (:mod:`bot.telegram.persistence`). ``webhook`` is kept for callers; both modes build the same app.

    Example::

        app = build_application(load_settings().with_token())
        await start_polling(app)
    """
    del webhook  # both modes receive through the inbox
    db = db or open_database(settings.database_url)
    writer = worker_id()
    bot = IdempotentBot(
        settings.token,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=AiohttpRequest(connection_pool_size=256),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        # 0 turns the throttle off; 429 answers are still retried after the delay Telegram asks for.
        rate_limiter=AIORateLimiter(overall_max_rate=settings.flood_limit, max_retries=rate_limiter_retries),
    )
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    application = (
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .context_types(context_types)
        .persistence(DatabasePersistence(StateStore(db), writer))
        .post_init(make_post_init(settings, services, db, writer))
        .post_shutdown(post_shutdown)
        .build()
    )

    with warnings.catch_warnings():
        # Our conversations key on (chat, user), not on one message: the per_message hint does not apply.
        warnings.filterwarnings(
            "ignore", message=r".*per_message=False.*CallbackQueryHandler", category=PTBUserWarning
        )
        conversations = [_submission_conversation(), _moderation_conversation()]
    application.add_handler(TypeHandler(Update, rate_limit), group=-1)
    for conversation in conversations:
        application.add_handler(conversation)
    application.add_handler(CommandHandler("queue", moderation.queue_command))
    application.add_handler(CommandHandler("wanted", learning.wanted_command))
    application.add_handler(CommandHandler("stats", learning.stats_command))
    application.add_handler(CommandHandler("forget", learning.forget_command))
    application.add_handler(CallbackQueryHandler(learning.wanted_button, pattern=learning.CB_WANTED_PATTERN))
    application.add_handler(CommandHandler(["start", "help"], questions.start_command))
    application.add_handler(CommandHandler("demo", demos.demo_command))
    application.add_handler(CommandHandler("random", browse.random_command))
    application.add_handler(CommandHandler(["meme", "memes", "concepts"], browse.list_command))
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, pictures.on_photo))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, questions.on_text))
    application.add_handler(MessageHandler(filters.COMMAND, fallbacks.unknown_command))
    application.add_handler(MessageHandler(fallbacks.UNSUPPORTED, fallbacks.unsupported_media))
    application.add_handler(CallbackQueryHandler(browse.on_page, pattern=browse.PAGE_PATTERN))
    application.add_handler(CallbackQueryHandler(questions.on_callback))
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    application.add_error_handler(on_error)
    return application
