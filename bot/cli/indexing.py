"""``memebot notes check`` and ``memebot index build``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.context import UserFacingGroup, pass_settings
from bot.config import Settings, prepare_home
from demos.registry import list_demos
from indexer.build import assets_dir, build_index, current_version_dir
from indexer.editorial import editorial_problems
from indexer.encoders import get_encoder
from indexer.notes import NoteError, load_notes
from indexer.uncovered import glossary_problems


def demo_ids() -> set[str]:
    return {d.id for d in list_demos()}


def _print_problems(exc: NoteError, footer: str) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(footer, err=True)
    sys.exit(2)


@click.group(cls=UserFacingGroup)
def notes() -> None:
    """Knowledge notes."""


@notes.command("check")
@click.option("--dir", "notes_dir", type=click.Path(path_type=Path), default=None, help="Notes directory.")
@pass_settings
def notes_check(settings: Settings, notes_dir: Path | None) -> None:
    """Validate every note and the editorial rules; print each problem as path:line: message (exit 2 if any).

    Checked: the format, unique names, related notes and demos that exist, every slug of
    knowledge/plan.md written, «Коротко»/"In short" of 2–4 sentences and at most 60 words, both
    languages present, no references to texts the reader never saw, and the glossary of topics
    without a note (knowledge/uncovered.yaml): no topic a note names, closest notes that exist.
    """
    folder = notes_dir or settings.knowledge_dir
    try:
        found = load_notes(folder, known_demos=demo_ids())
        problems = editorial_problems(folder, found)
        problems += glossary_problems(folder, {n.slug: n.names for n in found})
        if problems:
            raise NoteError(problems)
    except NoteError as exc:
        _print_problems(exc, f"{len(exc.problems)} problem(s) found")
        return
    click.echo(f"{len(found)} notes OK")


@click.group(cls=UserFacingGroup)
def index() -> None:
    """The search index under MEMEBOT_HOME."""


@index.command("build")
@click.option("--force", is_flag=True, help="Re-embed every note even if unchanged.")
@click.option("--encoder", default=None, help="Encoder: use+e5 (default), use or e5.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_settings
def index_build(settings: Settings, force: bool, encoder: str | None, progress: bool | None) -> None:
    """Build or update the index incrementally and atomically."""
    prepare_home(settings)
    try:
        summary = build_index(
            settings.knowledge_dir,
            settings.index_dir,
            encoder=get_encoder(encoder, assets_dir(settings.index_dir)) if encoder else None,
            known_demos=demo_ids(),
            progress=progress,
            force=force,
        )
    except NoteError as exc:
        _print_problems(
            exc, f"index not built: {len(exc.problems)} problem(s) in notes; the previous index keeps serving"
        )
        return
    click.echo(summary.describe())
    _prepare_demo_naming(settings)


def _prepare_demo_naming(settings: Settings) -> None:
    """Derive the demo naming of the current version now, so that no start pays for it (a no-op
    when it was saved already; serving builds it itself if this is skipped or fails)."""
    from bot.answer.demo_naming import CACHE_FILE, demo_naming
    from indexer.search import Retriever

    if not (current_version_dir(settings.index_dir) / CACHE_FILE).exists():
        demo_naming(Retriever.load(settings.index_dir), list_demos())
