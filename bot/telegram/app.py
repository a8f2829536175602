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
from bot.storage import Database
from bot.telegram import browse, demos, inline, learning, moderation, pictures, questions, submit
from bot.telegram.context import BotContext, BotData
from bot.telegram.errors import on_error
from bot.telegram.guard import rate_limit
from bot.telegram.lifecycle import make_post_init, post_shutdown

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

    Example::

        app = build_application(load_settings().with_token())
        app.run_polling()
    """
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .context_types(context_types)
        .concurrent_updates(64)
        .rate_limiter(AIORateLimiter(max_retries=rate_limiter_retries))
        .post_init(make_post_init(settings, services, db))
        .post_shutdown(post_shutdown)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()

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
    application.add_handler(CallbackQueryHandler(questions.on_callback))
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    application.add_error_handler(on_error)
    return application
