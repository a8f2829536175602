"""Transitional: the configuration now lives in :mod:`bot.config`."""

from bot.config import ConfigError as SettingsError
from bot.config import Settings, load_settings, parse_admins

__all__ = ["Settings", "SettingsError", "load_settings", "parse_admins"]
