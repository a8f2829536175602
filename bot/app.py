"""The Telegram bot: handlers wired in :func:`build_application`, services loaded in ``post_init``.

Handlers are thin: they parse the update, hand CPU work (encoding, OCR, demos) to a thread or the
demo worker so the event loop never blocks, and render the result as escaped HTML.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict, deque
from typing import Any

from telegram import (
    InlineQueryResultArticle,
    InputMediaPhoto,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.answer import Answer
from bot.render import (
    CB_ASK,
    CB_DEEPER,
    CB_DEMO,
    CB_NOTE,
    CB_VOTE,
    callback,
    code_messages,
    esc,
    keyboard,
    note_markdown_to_html,
    parse_callback,
    split_message,
    truncate_caption,
)
from bot.services import Services
from bot.settings import Settings
from bot.storage import Database
from bot.texts import text
from indexer.notes import Note
from indexer.text import detect_lang

logger = logging.getLogger(__name__)

EXAMPLES = {
    "ru": ["в чём прикол мема с котом у крана", "что такое дропаут", "покажи дропаут на примере, p=0.3", "что почитать по теории вероятностей"],
    "en": ["what's the joke with the cat at the faucet", "what is dropout actually doing", "show dropout with p=0.3", "what should I read on probability"],
}
INLINE_RESULTS = 5
DEMO_DEFAULT_SEED = 0



class RateLimiter:
    """Sliding one-minute window per user. ``allow`` returns (allowed, first_refusal_in_window)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[int, deque[float]] = defaultdict(deque)
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        now = time.monotonic() if now is None else now
        hits = self._hits[user_id]
        while hits and now - hits[0] >= 60.0:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            self._warned.pop(user_id, None)
            return True, False
        first = user_id not in self._warned or now - self._warned[user_id] >= 60.0
        if first:
            self._warned[user_id] = now
        return False, first


class BotData:
    """Typed ``bot_data``: everything the handlers need, set up in ``post_init``."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.services: Services | None = None
        self.db: Database | None = None
        self.images: Any | None = None
        self.limiter: RateLimiter | None = None
        self.submissions: Any | None = None


class BotContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """Context with typed access to the bot's services."""

    @property
    def memebot(self) -> BotData:
        return self.bot_data

    @property
    def services(self) -> Services:
        assert self.bot_data.services is not None
        return self.bot_data.services


# --------------------------------------------------------------------------- helpers


def user_lang(update: Update, message_text: str | None = None) -> str:
    """Telegram's ``language_code`` if it is ru/en, else the language of the message, else Russian."""
    user = update.effective_user
    code = (user.language_code or "").lower() if user else ""
    if code.startswith(("ru", "uk", "be", "kk")):
        return "ru"
    if code.startswith("en"):
        return "en"
    return detect_lang(message_text) if message_text else "ru"


def help_keyboard(lang: str):  # noqa: ANN201
    return keyboard([[(q, callback(CB_ASK, i, lang))] for i, q in enumerate(EXAMPLES[lang])])


def note_html(note: Note, lang: str, deep: bool = False) -> str:
    body = note.deep(lang) if deep else note.short(lang)
    paragraphs = [note_markdown_to_html(p) for p in body.split("\n\n") if p.strip()]
    return "\n\n".join([f"<b>{esc(note.display_title(lang))}</b>", *paragraphs])


def answer_keyboard(note: Note, lang: str, related: list[Note], answer_id: int | None, deep: bool = False):  # noqa: ANN201
    rows: list[list[tuple[str, str]]] = []
    first: list[tuple[str, str]] = []
    if not deep:
        first.append((text("deeper", lang), callback(CB_DEEPER, note.slug, lang)))
    if note.demo:
        first.append((text("run_demo", lang), callback(CB_DEMO, note.demo, lang)))
    rows.append(first)
    for rel in related[:3]:
        rows.append([("→ " + rel.display_title(lang), callback(CB_NOTE, rel.slug, lang))])
    if answer_id is not None:
        rows.append([("👍", callback(CB_VOTE, answer_id, "+")), ("👎", callback(CB_VOTE, answer_id, "-"))])
    return keyboard(rows)


async def send_html(context: BotContext, chat_id: int, html_text: str, reply_markup=None, reply_to: int | None = None) -> Message:  # noqa: ANN001
    """Send HTML split into ≤4096-character parts; the keyboard goes under the last part."""
    parts = split_message(html_text)
    message: Message | None = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        message = await context.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup if last else None,
            reply_to_message_id=reply_to if i == 0 else None,
            disable_web_page_preview=True,
        )
    assert message is not None
    return message


async def send_note(context: BotContext, update: Update, note: Note, lang: str, query: str, reply_to: int | None = None) -> None:
    """A note's short explanation with the answer keyboard (in depth, demo, related, feedback)."""
    services = context.services
    related = [services.retriever.notes[s] for s in note.related if s in services.retriever.notes][:3]
    answer_id = await record_answer(context, update, query, note.slug, lang)
    await send_html(context, update.effective_chat.id, note_html(note, lang), answer_keyboard(note, lang, related, answer_id), reply_to)


async def record_answer(context: BotContext, update: Update, query: str, slug: str | None, lang: str) -> int | None:
    db = context.memebot.db
    if db is None or update.effective_user is None:
        return None
    return await asyncio.to_thread(db.record_answer, update.effective_user.id, update.effective_chat.id, query, slug, lang)


async def send_answer(context: BotContext, update: Update, answer: Answer, reply_to: int | None = None) -> None:
    """Render one pipeline answer: a demo run, a note, or a short text with buttons."""
    chat_id = update.effective_chat.id
    lang = answer.lang
    if answer.demo is not None and answer.demo.run:
        await run_demo(context, chat_id, answer.demo.id, answer.demo.params, lang)
        return
    if answer.intent == "submit_meme":
        from bot.moderation import start_submission_from_question

        await start_submission_from_question(update, context)
        return
    suggestions = [[("→ " + (h.title if lang == "ru" else h.title_en), callback(CB_NOTE, h.slug, lang))] for h in answer.suggestions]
    if answer.demo is not None and answer.demo.error:
        # Bad parameters: say which range is allowed, offer the defaults.
        markup = keyboard([[(text("run_demo", lang), callback(CB_DEMO, answer.demo.id, lang))]])
        await send_html(context, chat_id, esc(answer.demo.error), markup, reply_to)
    elif answer.note is not None:
        await send_note(context, update, answer.note, lang, answer.query, reply_to)
        if suggestions:
            await send_html(context, chat_id, esc(text("did_you_mean", lang)), keyboard(suggestions))
    elif suggestions:
        await send_html(context, chat_id, esc(text("unknown", lang)), keyboard(suggestions), reply_to)
    else:  # help, off-topic, unknown without suggestions: a short honest text and what I can do
        await send_html(context, chat_id, esc(answer.text), help_keyboard(lang), reply_to)


async def run_demo(context: BotContext, chat_id: int, demo_id: str, params: dict[str, Any], lang: str) -> None:
    """Run a demo in the worker (off the event loop) and send its plots, text and code."""
    from demos.errors import DemoError

    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    try:
        result = await asyncio.to_thread(context.services.demo_runner.run, demo_id, params, DEMO_DEFAULT_SEED, lang)
    except DemoError as exc:
        await context.bot.send_message(chat_id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    spec = next((d for d in context.services.demo_specs if d.id == demo_id), None)
    title = (spec.title_ru if lang == "ru" else spec.title_en) if spec else demo_id
    captions = result.image_captions or []
    if len(result.images) == 1:
        await context.bot.send_photo(chat_id, result.images[0], caption=truncate_caption(esc(f"{title}. {captions[0] if captions else ''}")), parse_mode=ParseMode.HTML)
    elif result.images:
        media = [
            InputMediaPhoto(png, caption=truncate_caption(esc(captions[i] if i < len(captions) else title)), parse_mode=ParseMode.HTML)
            for i, png in enumerate(result.images[:10])
        ]
        await context.bot.send_media_group(chat_id, media)
    body = f"<b>{esc(title)}</b>\n\n" + "\n\n".join(esc(p) for p in result.text.split("\n\n") if p.strip())
    await send_html(context, chat_id, body)
    for part in code_messages(text("code", lang), result.code):
        await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML)


def _strip_mention(message: Message, username: str) -> str:
    raw = message.text or message.caption or ""
    return raw.replace(f"@{username}", " ").strip()


def addressed_to_bot(message: Message, bot_id: int, username: str) -> bool:
    """In groups the bot answers only mentions of it and replies to its messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    entities = message.parse_entities([MessageEntityType.MENTION]) if message.text else message.parse_caption_entities([MessageEntityType.MENTION])
    return any(value.lower() == f"@{username.lower()}" for value in entities.values())


# --------------------------------------------------------------------------- handlers


async def rate_limit(update: Update, context: BotContext) -> None:
    """Stop handling when a user exceeds the per-minute limit (and tell them once)."""
    user = update.effective_user
    limiter = context.memebot.limiter
    if user is None or limiter is None or update.inline_query is not None:
        return
    allowed, first_refusal = limiter.allow(user.id)
    if allowed:
        return
    lang = user_lang(update)
    notice = text("rate_limited", lang, limit=limiter.per_minute)
    if update.callback_query is not None:
        await update.callback_query.answer(notice, show_alert=False)
    elif first_refusal and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, esc(notice), parse_mode=ParseMode.HTML)
    raise ApplicationHandlerStop


async def start_command(update: Update, context: BotContext) -> None:
    """/start and /help: what the bot does, with example questions as buttons."""
    lang = user_lang(update)
    await send_html(context, update.effective_chat.id, esc(text("help", lang)), help_keyboard(lang))


async def on_text(update: Update, context: BotContext) -> None:
    """Any text: route → retrieve → answer (in groups only when addressed to the bot)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    query = _strip_mention(message, context.bot.username)
    # No "typing…" here: a text answer takes milliseconds, and every call counts against
    # Telegram's 30-per-second flood limit that AIORateLimiter enforces.
    answer = await asyncio.to_thread(context.services.pipeline.answer, query)
    reply_to = message.message_id if message.chat.type != ChatType.PRIVATE else None
    await send_answer(context, update, answer, reply_to)


async def demo_command(update: Update, context: BotContext) -> None:
    """/demo lists demos; /demo <id> [name=value ...] runs one."""
    from demos.errors import DemoError
    from demos.registry import get_demo, validate_params

    lang = user_lang(update, update.effective_message.text)
    chat_id = update.effective_chat.id
    args = context.args or []
    if not args:
        rows = [[(d.title_ru if lang == "ru" else d.title_en, callback(CB_DEMO, d.id, lang))] for d in context.services.demo_specs]
        await send_html(context, chat_id, esc(text("demo_list", lang) + "\n" + text("demo_usage", lang)), keyboard(rows))
        return
    raw: dict[str, str] = {}
    for arg in args[1:]:
        name, sep, value = arg.partition("=")
        if not sep or not name or not value:
            await context.bot.send_message(chat_id, esc(text("bad_param", lang, arg=arg[:50])), parse_mode=ParseMode.HTML)
            return
        raw[name] = value
    try:
        spec = get_demo(args[0].lower())
        params = validate_params(spec, raw)
    except DemoError as exc:
        await context.bot.send_message(chat_id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    await run_demo(context, chat_id, spec.id, params, lang)


async def random_command(update: Update, context: BotContext) -> None:
    """/random: a random meme explanation."""
    lang = user_lang(update)
    notes = context.services.retriever.notes
    memes = sorted(s for s, n in notes.items() if n.kind == "meme")
    note = notes[random.choice(memes)]
    await send_note(context, update, note, lang, "/random")


async def list_command(update: Update, context: BotContext) -> None:
    """/meme and /concepts: what the bot knows, as buttons."""
    lang = user_lang(update)
    kind = "meme" if update.effective_message.text.lstrip("/").startswith("meme") else "concept"
    notes = sorted((n for n in context.services.retriever.notes.values() if n.kind == kind), key=lambda n: n.display_title(lang))
    rows = [[(n.display_title(lang)[:60], callback(CB_NOTE, n.slug, lang))] for n in notes]
    await send_html(context, update.effective_chat.id, esc(text("memes" if kind == "meme" else "concepts", lang)), keyboard(rows))


async def on_callback(update: Update, context: BotContext) -> None:
    """Inline buttons: in depth, related note, run demo, feedback, example questions."""
    query = update.callback_query
    lang = user_lang(update)
    parsed = parse_callback(query.data)
    if parsed is None or parsed.kind not in (CB_DEEPER, CB_NOTE, CB_DEMO, CB_VOTE, CB_ASK):
        logger.warning("stale or forged callback data %r from user %s", query.data, update.effective_user.id)
        await query.answer(text("stale", lang))
        return
    fields = parsed.fields
    lang = fields.get("lang", lang)
    notes = context.services.retriever.notes
    chat_id = update.effective_chat.id
    if parsed.kind == CB_VOTE:
        await on_vote(update, context, int(fields["answer"]), 1 if fields["vote"] == "+" else -1)
        return
    if parsed.kind == CB_DEMO:
        if fields["demo"] not in {d.id for d in context.services.demo_specs}:
            await query.answer(text("stale", lang))
            return
        await query.answer()
        await run_demo(context, chat_id, fields["demo"], {}, lang)
        return
    if parsed.kind == CB_ASK:
        index = int(fields["index"])
        if index >= len(EXAMPLES[lang]):
            await query.answer(text("stale", lang))
            return
        await query.answer()
        answer = await asyncio.to_thread(context.services.pipeline.answer, EXAMPLES[lang][index], lang)
        await send_answer(context, update, answer)
        return
    note = notes.get(fields["slug"])
    if note is None:
        await query.answer(text("no_such_note", lang))
        return
    await query.answer()
    if parsed.kind == CB_NOTE:
        await send_note(context, update, note, lang, f"[{note.slug}]")
        return
    await show_deeper(update, context, note, lang)


async def show_deeper(update: Update, context: BotContext, note: Note, lang: str) -> None:
    """Edit the explanation into the in-depth section (extra parts follow as new messages)."""
    query = update.callback_query
    related = [context.services.retriever.notes[s] for s in note.related if s in context.services.retriever.notes][:3]
    parts = split_message(note_html(note, lang, deep=True))
    markup = answer_keyboard(note, lang, related, _answer_id_of(query.message), deep=True)
    try:
        await query.edit_message_text(parts[0], parse_mode=ParseMode.HTML, reply_markup=None if len(parts) > 1 else markup, disable_web_page_preview=True)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    for i, part in enumerate(parts[1:], start=2):
        await context.bot.send_message(update.effective_chat.id, part, parse_mode=ParseMode.HTML, reply_markup=markup if i == len(parts) else None)


def _answer_id_of(message: Message | None) -> int | None:
    """The answer id behind the 👍/👎 buttons of a message we sent, so edits keep the feedback buttons."""
    markup = getattr(message, "reply_markup", None)
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            parsed = parse_callback(button.callback_data if isinstance(button.callback_data, str) else None)
            if parsed is not None and parsed.kind == CB_VOTE:
                return int(parsed.fields["answer"])
    return None


async def on_vote(update: Update, context: BotContext, answer_id: int, vote: int) -> None:
    """👍/👎: stored with the query, the note and the user id."""
    query = update.callback_query
    lang = user_lang(update)
    db = context.memebot.db
    record = await asyncio.to_thread(db.answer_record, answer_id) if db else None
    if record is None or record.slug is None or record.chat_id != update.effective_chat.id:
        await query.answer(text("stale", lang))
        return
    await asyncio.to_thread(db.add_feedback, update.effective_user.id, update.effective_chat.id, record.query, record.slug, vote)
    await query.answer(text("thanks", lang))


async def on_photo(update: Update, context: BotContext) -> None:
    """A meme picture: match by perceptual hash, else read its text (OCR) and search with it."""
    from bot.images import ImageError, recognise_meme

    message = update.effective_message
    if not addressed_to_bot(message, context.bot.id, context.bot.username):
        return
    caption = _strip_mention(message, context.bot.username) if message.caption else ""
    lang = user_lang(update, caption or None)
    settings = context.memebot.settings
    if message.photo:
        file_size = message.photo[-1].file_size or 0
        file_id = message.photo[-1].file_id
    else:
        file_size = message.document.file_size or 0
        file_id = message.document.file_id
    await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    try:
        if file_size > settings.max_image_bytes:
            from bot.images import ImageTooLargeError

            raise ImageTooLargeError(file_size, settings.max_image_bytes)
        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        recognition = await asyncio.to_thread(recognise_meme, data, context.memebot.images, settings.max_image_bytes)
    except ImageError as exc:
        await context.bot.send_message(message.chat_id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    notes = context.services.retriever.notes
    if recognition.slug and recognition.slug in notes:
        await send_note(context, update, notes[recognition.slug], lang, caption or "[photo]", reply_to=message.message_id)
        return
    query = " ".join(x for x in (caption, recognition.ocr) if x).strip()
    if not query:
        await send_html(context, message.chat_id, esc(text("photo_unknown", lang)), help_keyboard(lang))
        return
    answer = await asyncio.to_thread(context.services.pipeline.answer, query, lang)
    if answer.note is None:
        await send_html(context, message.chat_id, esc(text("photo_unknown", lang)), help_keyboard(lang))
        return
    if recognition.ocr:
        await context.bot.send_message(message.chat_id, esc(text("photo_read", lang, text=recognition.ocr[:200])), parse_mode=ParseMode.HTML)
    await send_note(context, update, answer.note, lang, query, reply_to=message.message_id)


async def on_inline_query(update: Update, context: BotContext) -> None:
    """@bot <words> in any chat: matching explanations as articles."""
    inline = update.inline_query
    query = inline.query.strip()
    if not query:
        await inline.answer([], cache_time=5)
        return
    lang = detect_lang(query)
    hits = await asyncio.to_thread(context.services.retriever.search, query, INLINE_RESULTS)
    notes = context.services.retriever.notes
    results = []
    for hit in hits:
        if not hit.relevant:
            continue
        note = notes[hit.slug]
        results.append(
            InlineQueryResultArticle(
                id=hit.slug[:64],
                title=note.display_title(lang),
                description=note.short(lang)[:200],
                input_message_content=InputTextMessageContent(split_message(note_html(note, lang))[0], parse_mode=ParseMode.HTML),
            )
        )
    await inline.answer(results, cache_time=30)


async def on_error(update: object, context: BotContext) -> None:
    """Log with the update id and traceback; apologise to the user; keep running."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, esc(text("error", user_lang(update))))
        except TelegramError:
            logger.warning("could not send the apology for update %s", update_id, exc_info=True)


# --------------------------------------------------------------------------- wiring


async def refresh_index_job(context: BotContext) -> None:
    """Pick up a new index version (approved meme, another replica's rebuild) without a restart."""
    await hot_swap(context.application)


async def hot_swap(application: Application) -> bool:
    data: BotData = application.bot_data
    services = data.services
    if services is None:
        return False
    swapped = await asyncio.to_thread(services.refresh_index)
    if swapped:
        data.images = await asyncio.to_thread(_image_index, services)
    return swapped


def _image_index(services: Services):  # noqa: ANN202
    from bot.images import MemeImageIndex

    return MemeImageIndex.from_notes(list(services.retriever.notes.values()))


def make_submission_service(settings: Settings, data: BotData):  # noqa: ANN201
    """Submissions write notes into the knowledge dir and rebuild the index the bot serves."""
    from bot.submissions import SubmissionService
    from indexer.build import build_index

    services = data.services
    assert services is not None and data.db is not None

    def rebuild_index() -> object:
        return build_index(
            root=services.index_root, encoder=services.retriever.encoder, known_demos={d.id for d in services.demo_specs}, progress=False
        )

    return SubmissionService(
        data.db,
        settings.admins,
        settings.home,
        settings.knowledge_dir,
        image_index_provider=lambda: data.images,
        daily_limit=settings.daily_submissions,
        max_image_bytes=settings.max_image_bytes,
        rebuild_index=rebuild_index,
    )


def make_post_init(settings: Settings, services: Services | None = None, db: Database | None = None):  # noqa: ANN201
    """``post_init``: load the retriever, router, demo runner and database once, off the event loop."""

    async def post_init(application: Application) -> None:
        from bot.services import load_services
        from bot.storage import open_database

        data: BotData = application.bot_data
        data.settings = settings
        if services is None:
            data.services = await asyncio.to_thread(load_services, settings.home)
            # Start the demo worker now: importing torch in it takes seconds, not on a user's first demo.
            await asyncio.to_thread(lambda: data.services.demo_runner)
        else:
            data.services = services
        data.db = db or await asyncio.to_thread(open_database, settings.database_url)
        data.images = await asyncio.to_thread(_image_index, data.services)
        data.limiter = RateLimiter(settings.rate_limit_per_minute)
        data.submissions = make_submission_service(settings, data)
        recovered = await asyncio.to_thread(data.submissions.recover)
        if recovered:
            from bot.moderation import notify_submitter

            logger.info("finished interrupted publications: %s", recovered)
            await hot_swap(application)
            for submission_id in recovered:
                view = await asyncio.to_thread(data.submissions.get, submission_id)
                await notify_submitter(application.bot, data.submissions, view)
        if application.job_queue is not None:
            application.job_queue.run_repeating(refresh_index_job, interval=settings.index_poll_seconds, first=settings.index_poll_seconds)

    return post_init


def build_application(
    settings: Settings,
    services: Services | None = None,
    db: Database | None = None,
    webhook: bool = False,
    rate_limiter_retries: int = 3,
) -> Application:
    """All wiring in one place. ``services``/``db`` may be passed in (tests share loaded models).

    Example::

        app = build_application(load_settings())
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
        .post_shutdown(_post_shutdown)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()

    application.add_handler(TypeHandler(Update, rate_limit), group=-1)
    from bot.moderation import register_moderation

    register_moderation(application)
    application.add_handler(CommandHandler(["start", "help"], start_command))
    application.add_handler(CommandHandler("demo", demo_command))
    application.add_handler(CommandHandler("random", random_command))
    application.add_handler(CommandHandler(["meme", "memes", "concepts"], list_command))
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, on_photo))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_error_handler(on_error)
    return application


async def _post_shutdown(application: Application) -> None:
    data: BotData = application.bot_data
    if data.services is not None:
        await asyncio.to_thread(data.services.close)
