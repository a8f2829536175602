"""/demo and the «Run the demo» button: the demo runs in the worker process, off the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InputMediaPhoto, Update
from telegram.constants import ChatAction, ParseMode

from bot.telegram.context import BotContext, lang_of
from bot.telegram.render import CB_DEMO, callback, code_messages, esc, keyboard, truncate_caption
from bot.telegram.replies import send_html
from common.i18n import Lang, t
from demos.errors import DemoError
from demos.registry import get_demo, validate_params

DEMO_DEFAULT_SEED = 0


def demo_title(context: BotContext, demo_id: str, lang: Lang) -> str:
    spec = next((d for d in context.services.demo_specs if d.id == demo_id), None)
    if spec is None:
        return demo_id
    return spec.title_ru if lang == "ru" else spec.title_en


async def run_demo(
    context: BotContext, chat_id: int, demo_id: str, params: dict[str, Any], lang: Lang
) -> None:
    """Run a demo in the worker (off the event loop) and send its plots, text and code."""
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    try:
        result = await asyncio.to_thread(
            context.services.demo_runner.run, demo_id, params, DEMO_DEFAULT_SEED, lang
        )
    except DemoError as exc:
        await context.bot.send_message(chat_id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    title = demo_title(context, demo_id, lang)
    captions = result.image_captions or []
    if len(result.images) == 1:
        caption = truncate_caption(esc(f"{title}. {captions[0] if captions else ''}"))
        await context.bot.send_photo(chat_id, result.images[0], caption=caption, parse_mode=ParseMode.HTML)
    elif result.images:
        media = [
            InputMediaPhoto(
                png,
                caption=truncate_caption(esc(captions[i] if i < len(captions) else title)),
                parse_mode=ParseMode.HTML,
            )
            for i, png in enumerate(result.images[:10])
        ]
        await context.bot.send_media_group(chat_id, media)
    body = f"<b>{esc(title)}</b>\n\n" + "\n\n".join(esc(p) for p in result.text.split("\n\n") if p.strip())
    await send_html(context, chat_id, body)
    for part in code_messages(t("code", lang), result.code):
        await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML)


async def demo_command(update: Update, context: BotContext) -> None:
    """/demo lists demos; /demo <id> [name=value ...] runs one."""
    assert update.effective_chat is not None
    lang = lang_of(update)
    chat_id = update.effective_chat.id
    args = context.args or []
    if not args:
        rows = [
            [(d.title_ru if lang == "ru" else d.title_en, callback(CB_DEMO, d.id, lang))]
            for d in context.services.demo_specs
        ]
        await send_html(
            context, chat_id, esc(t("demo_list", lang) + "\n" + t("demo_usage", lang)), keyboard(rows)
        )
        return
    raw: dict[str, str] = {}
    for arg in args[1:]:
        name, sep, value = arg.partition("=")
        if not sep or not name or not value:
            await context.bot.send_message(
                chat_id, esc(t("bad_param", lang, arg=arg[:50])), parse_mode=ParseMode.HTML
            )
            return
        raw[name] = value
    try:
        spec = get_demo(args[0].lower())
        params = validate_params(spec, raw)
    except DemoError as exc:
        await context.bot.send_message(chat_id, esc(exc.message(lang)), parse_mode=ParseMode.HTML)
        return
    await run_demo(context, chat_id, spec.id, params, lang)
