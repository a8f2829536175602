"""The command menu Telegram shows next to the input field, in Russian and English (``setMyCommands``)."""

from __future__ import annotations

from telegram import Bot, BotCommand

from common.i18n import Lang, t

COMMANDS = ("start", "help", "memes", "concepts", "random", "demo", "submit", "cancel", "forget")


def command_list(lang: Lang) -> list[BotCommand]:
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in COMMANDS]


async def publish_commands(bot: Bot) -> None:
    """Russian for Russian-speaking users, English for English-speaking ones, Russian for everyone else."""
    await bot.set_my_commands(command_list("ru"))
    await bot.set_my_commands(command_list("ru"), language_code="ru")
    await bot.set_my_commands(command_list("en"), language_code="en")
