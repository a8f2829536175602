"""What every command gets: the settings read once, and the one way library errors become a line."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

import click

from bot.config import Settings, load_settings
from common.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def settings_of(ctx: click.Context) -> Settings:
    """The settings of this invocation, read from the environment and ``.env`` on first use."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = load_settings()
    return root.obj


def pass_settings(func: F) -> F:
    """Decorator: call the command with the :class:`Settings` as its first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, settings_of(ctx), *args, **kwargs)

    return cast(F, functools.update_wrapper(wrapper, func))


class UserFacingGroup(click.Group):
    """A click group that shows a :class:`UserError` as ``memebot: <message>`` and exits with its code.

    Subcommands are named as ``"module:attribute"`` and imported only when invoked (or listed), so
    ``memebot ask`` never pays for importing what ``memebot router train`` needs.
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module_name, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            lang = ctx.obj.lang if isinstance(ctx.obj, Settings) else "en"
            click.echo(f"memebot: {exc.message(lang)}", err=True)
            ctx.exit(exc.exit_code)
