"""``memebot ask``, ``memebot chat`` and ``memebot eval``: questions answered by the same pipeline as the bot."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.chat import run_chat
from bot.cli.context import pass_settings
from bot.config import Settings
from bot.services import Services, load_services
from common.errors import UserError
from indexer.evaluate import DEVSET, UNKNOWN, evaluate_retrieval, load_eval_file, load_unknown_file


def _services(settings: Settings, with_router: bool = True) -> Services:
    return load_services(settings.home, with_router=with_router)


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--jsonl", "as_jsonl", is_flag=True, help="Read questions from stdin, one per line; JSON lines out."
)
@click.option(
    "--lang", type=click.Choice(["ru", "en"]), default=None, help="Answer language (default: detected)."
)
@pass_settings
def ask(settings: Settings, question: str | None, as_json: bool, as_jsonl: bool, lang: str | None) -> None:
    """Answer one question, e.g. memebot ask "что такое дропаут"."""
    if as_jsonl:
        pipeline = _services(settings).pipeline
        for line in sys.stdin:
            if line.strip():
                click.echo(json.dumps(pipeline.answer(line.strip(), lang).to_json(), ensure_ascii=False))
        return
    if not question or not question.strip():
        raise UserError("cli_no_question")
    answer = _services(settings).pipeline.answer(question, lang)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(answer.text)


@click.command()
@pass_settings
def chat(settings: Settings) -> None:
    """Interactive terminal chat over the same answer pipeline (Ctrl-D or /quit to leave)."""
    run_chat(_services(settings), settings.home / "out")


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option(
    "--unknown",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help='Questions no note covers ({"q"} lines) to measure "I don\'t know" (default: the bundled set).',
)
@click.option("--misses", is_flag=True, help="List the hybrid misses.")
@click.option(
    "--regressions/--no-regressions",
    default=True,
    help="With the bundled dev set, also score MEMEBOT_HOME/regressions.jsonl (questions that notes drafted from /wanted answer).",
)
@pass_settings
def eval_cmd(
    settings: Settings, file: Path | None, unknown: Path | None, misses: bool, regressions: bool
) -> None:
    """Recall@1, Recall@3 and MRR per language for dense, BM25 and hybrid (FILE: {"q", "slugs"} lines)."""
    services = _services(settings, with_router=False)
    unknown_queries = load_unknown_file(unknown or UNKNOWN)
    result = evaluate_retrieval(
        services.retriever, load_eval_file(file or DEVSET), unknown_queries=unknown_queries
    )
    click.echo(result.format())
    if misses:
        for query, ranked, gold in result.misses["hybrid"]:
            click.echo(f"  miss: {query!r} → {ranked} (expected {gold})")
    if regressions and file is None and settings.regressions_file.is_file():
        _eval_regressions(services, settings.regressions_file, misses)


def _eval_regressions(services: Services, path: Path, misses: bool) -> None:
    """The questions published wanted notes answer: they must keep finding their note."""
    cases = (
        [c for c in load_eval_file(path) if all(s in services.retriever.notes for s in c.slugs)]
        if path.stat().st_size
        else []
    )
    if not cases:
        return
    result = evaluate_retrieval(services.retriever, cases, modes=("hybrid",))
    hybrid = result.table["hybrid"]["all"]
    click.echo(
        f"regression cases ({path}): {hybrid.n}, hybrid R@1 {hybrid.recall_at_1:.3f}, answered {result.answered_known or 0:.3f}"
    )
    if misses:
        for query, ranked, gold in result.misses["hybrid"]:
            click.echo(f"  regression miss: {query!r} → {ranked} (expected {gold})")
