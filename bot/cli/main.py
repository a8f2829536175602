"""The ``memebot`` console script: the group, logging, and every command group registered here.

Command modules never import this one; :data:`COMMANDS` names them and they load on demand.
Library errors (:class:`common.errors.UserError`) become one line ``memebot: …`` and exit 2.
"""

from __future__ import annotations

import logging
import os

import click

from bot.cli.context import UserFacingGroup, settings_of
from bot.logs import configure_logging

# Each command group is imported only when it runs: `memebot ask` starts without training libraries.
COMMANDS = {
    "notes": "bot.cli.indexing:notes",
    "index": "bot.cli.indexing:index",
    "ask": "bot.cli.answers:ask",
    "chat": "bot.cli.answers:chat",
    "memes": "bot.cli.browse:memes",
    "eval": "bot.cli.answers:eval_cmd",
    "decision": "bot.cli.answers:decision",
    "serve": "bot.cli.serving:serve",
    "demo": "bot.cli.demo:demo",
    "router": "bot.cli.router:router",
    "admin": "bot.cli.admin:admin",
    "stats": "bot.cli.learning:stats",
}


@click.group(cls=UserFacingGroup, lazy=COMMANDS)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to stderr.")
def cli(verbose: bool) -> None:
    """Memebot: explains machine-learning memes and the ideas behind them."""
    configure_logging(logging.DEBUG if verbose else logging.WARNING)
    # Everything memebot creates (database, index, pictures, locks) is for its owner only: 0600 / 0700.
    os.umask(0o077)


@cli.command()
@click.pass_context
def home(ctx: click.Context) -> None:
    """Print the runtime data directory (MEMEBOT_HOME)."""
    click.echo(str(settings_of(ctx).home))


def main() -> None:
    """Console-script entry point."""
    # Every model comes from an installed package; nothing may reach for a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from indexer.threads import configure_threads

    configure_threads()  # one thread per numeric library on the answer path (measured under load)
    cli()
