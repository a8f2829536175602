"""The ``memebot`` command line: the only place that turns library errors into friendly messages."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from bot.config import load_settings

logger = logging.getLogger(__name__)


class Fail(click.ClickException):
    """A one-line error for the user, exit status 2 (no traceback)."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"memebot: {self.message}", err=True)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to stderr.")
def cli(verbose: bool) -> None:
    """Memebot: explains machine-learning memes and the ideas behind them."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _demo_ids() -> set[str]:
    from demos.registry import list_demos

    return {d.id for d in list_demos()}


def _load_services(with_router: bool = True):  # noqa: ANN202
    from bot.services import load_services
    from indexer.build import IndexMissingError

    try:
        return load_services(load_settings().home, with_router=with_router)
    except IndexMissingError as exc:
        raise Fail(str(exc)) from None


# --------------------------------------------------------------------------- notes


@cli.group()
def notes() -> None:
    """Knowledge notes."""


@notes.command("check")
@click.option("--dir", "notes_dir", type=click.Path(path_type=Path), default=None, help="Notes directory.")
def notes_check(notes_dir: Path | None) -> None:
    """Validate every note; print each problem as path:line: message (exit 2 if any)."""
    from indexer.notes import NoteError, load_notes

    try:
        found = load_notes(notes_dir or load_settings().knowledge_dir, known_demos=_demo_ids())
    except NoteError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found", err=True)
        sys.exit(2)
    click.echo(f"{len(found)} notes OK")


# --------------------------------------------------------------------------- index


@cli.group()
def index() -> None:
    """The search index under MEMEBOT_HOME."""


@index.command("build")
@click.option("--force", is_flag=True, help="Re-embed every note even if unchanged.")
@click.option("--encoder", default=None, help="Encoder: use+e5 (default), use or e5.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
def index_build(force: bool, encoder: str | None, progress: bool | None) -> None:
    """Build or update the index incrementally and atomically."""
    from indexer.build import assets_dir, build_index
    from indexer.encoders import EncoderError, get_encoder
    from indexer.notes import NoteError

    try:
        settings = load_settings()
        summary = build_index(
            settings.knowledge_dir,
            settings.index_dir,
            encoder=get_encoder(encoder, assets_dir(settings.index_dir)) if encoder else None,
            known_demos=_demo_ids(), progress=progress, force=force
        )
    except NoteError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"index not built: {len(exc.problems)} problem(s) in notes; the previous index keeps serving", err=True)
        sys.exit(2)
    except EncoderError as exc:
        raise Fail(str(exc)) from None
    click.echo(summary.describe())


# --------------------------------------------------------------------------- ask / chat


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Read questions from stdin, one per line; JSON lines out.")
@click.option("--lang", type=click.Choice(["ru", "en"]), default=None, help="Answer language (default: detected).")
def ask(question: str | None, as_json: bool, as_jsonl: bool, lang: str | None) -> None:
    """Answer one question, e.g. memebot ask "что такое дропаут"."""
    if as_jsonl:
        services = _load_services()
        pipeline = services.pipeline
        for line in sys.stdin:
            if line.strip():
                click.echo(json.dumps(pipeline.answer(line.strip(), lang).to_json(), ensure_ascii=False))
        return
    if not question or not question.strip():
        raise Fail('give a question, e.g. memebot ask "что такое дропаут" (or use --jsonl with stdin)')
    answer = _load_services().pipeline.answer(question, lang)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(answer.text)


@cli.command()
def chat() -> None:
    """Interactive terminal chat over the same answer pipeline (Ctrl-D or /quit to leave)."""
    from bot.chat import run_chat

    run_chat(_load_services())


# --------------------------------------------------------------------------- eval


@cli.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option(
    "--unknown",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help='Questions no note covers ({"q"} lines) to measure "I don\'t know" (default: the bundled set).',
)
@click.option("--misses", is_flag=True, help="List the hybrid misses.")
def eval_cmd(file: Path | None, unknown: Path | None, misses: bool) -> None:
    """Recall@1, Recall@3 and MRR per language for dense, BM25 and hybrid (FILE: {"q", "slugs"} lines)."""
    from indexer.evaluate import (
        DEVSET,
        UNKNOWN,
        EvalDataError,
        evaluate_retrieval,
        load_eval_file,
        load_unknown_file,
    )

    services = _load_services(with_router=False)
    try:
        unknown_queries = load_unknown_file(unknown or UNKNOWN)
        result = evaluate_retrieval(services.retriever, load_eval_file(file or DEVSET), unknown_queries=unknown_queries)
    except EvalDataError as exc:
        raise Fail(str(exc)) from None
    click.echo(result.format())
    if misses:
        for query, ranked, gold in result.misses["hybrid"]:
            click.echo(f"  miss: {query!r} → {ranked} (expected {gold})")


# --------------------------------------------------------------------------- serve


@cli.command()
@click.option("--webhook-url", default=None, help="Public HTTPS URL Telegram should POST updates to (webhook mode).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port of the webhook server.")
@click.option("--listen", default=None, help="Address the webhook server binds (default 0.0.0.0).")
@click.option("--secret-token", default=None, help="Webhook secret (X-Telegram-Bot-Api-Secret-Token).")
def serve(webhook_url: str | None, port: int | None, listen: str | None, secret_token: str | None) -> None:
    """Run the Telegram bot: long polling, or a webhook server with /healthz."""
    import dataclasses
    import re

    from bot.serve import serve as run
    from bot.settings import SettingsError, load_settings
    from indexer.build import IndexMissingError, current_version_dir

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise Fail(str(exc)) from None
    overrides = {
        k: v
        for k, v in {"webhook_url": webhook_url, "webhook_port": port, "webhook_listen": listen, "webhook_secret": secret_token}.items()
        if v is not None
    }
    settings = dataclasses.replace(settings, **overrides)
    if settings.webhook_url and not settings.webhook_secret:
        raise Fail("webhook mode needs a secret: pass --secret-token or set MEMEBOT_WEBHOOK_SECRET (letters, digits, _ and -)")
    if settings.webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", settings.webhook_secret):
        raise Fail("the webhook secret may only hold letters, digits, _ and - (1 to 256 characters)")
    try:
        current_version_dir(settings.index_dir)
    except IndexMissingError as exc:
        raise Fail(str(exc)) from None
    run(settings)


# --------------------------------------------------------------------------- home


@cli.command()
def home() -> None:
    """Print the runtime data directory (MEMEBOT_HOME)."""
    click.echo(str(load_settings().home))


def _register_commands() -> None:
    from bot.cli_admin import admin
    from bot.cli_demo import demo
    from bot.cli_router import router

    cli.add_command(demo)
    cli.add_command(router)
    cli.add_command(admin)


def main() -> None:
    """Console-script entry point."""
    from indexer.threads import configure_threads

    configure_threads()  # one thread per numeric library on the answer path (measured under load)
    _register_commands()
    cli()
