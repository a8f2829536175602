"""The Telegram surface: handlers by feature, wired in :mod:`bot.telegram.app`."""
