"""``memebot stats`` and ``memebot admin wanted | draft | forget``: the learning loop from the terminal.

The same database and loop as the bot: ``stats`` prints what the answers add up to (and writes the
chart with ``--png``); ``admin wanted`` lists the notes people asked for and didn't get; ``admin draft
CLUSTER_ID`` starts one as a pending note submission (approve it with ``memebot admin approve ID
--explanation-file note.md``); ``admin forget USER_ID`` erases a person's records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

from bot.analytics.clustering import CLUSTER_ENCODER
from bot.analytics.digest import TOP, render_wanted
from bot.analytics.loop import LearningLoop
from bot.analytics.stats import Stats, render
from bot.analytics.wanted import TopicNamer
from bot.cli.admin import actor, open_db, service_and_loop
from bot.cli.context import pass_settings
from bot.config import Settings
from common.errors import UserError
from common.files import atomic_write
from indexer.build import IndexMissingError, assets_dir, current_version_dir
from indexer.encoders import get_encoder
from indexer.uncovered import UNCOVERED_FILE, UncoveredMatcher


@contextmanager
def _loop(settings: Settings) -> Iterator[LearningLoop]:
    db = open_db(settings)
    loop = LearningLoop.from_settings(
        settings,
        db,
        encoder=lambda: get_encoder(CLUSTER_ENCODER, assets_dir(settings.index_dir)),
        topics=_glossary_topics(settings),
    )
    try:
        yield loop
    finally:
        loop.close()
        db.dispose()


def _glossary_topics(settings: Settings) -> TopicNamer | None:
    """The served index's glossary of topics without a note, to label wanted clusters (None: no index)."""
    try:
        matcher = UncoveredMatcher(current_version_dir(settings.index_dir) / UNCOVERED_FILE)
    except IndexMissingError:
        return None
    return matcher.topics_in


def _id(raw: str, key: str) -> int:
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise UserError(key, value=repr(raw[:40]))
    return int(raw)


def _stats_json(stats: Stats) -> dict[str, object]:
    return {
        "since": stats.since.isoformat(),
        "until": stats.until.isoformat(),
        "questions": stats.total,
        "per_day": {day.isoformat(): dict(counts) for day, counts in sorted(stats.per_day.items())},
        "statuses": {key: dict(counts) for key, counts in stats.statuses.items()},
        "latency_ms": {key: asdict(latency) for key, latency in stats.latency.items()},
        "votes": [{"slug": slug, "up": up, "down": down} for slug, up, down in stats.votes],
    }


@click.command("stats")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="How many days back, today included.",
)
@click.option(
    "--png",
    "png_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the chart here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_settings
def stats(settings: Settings, days: int, png_path: Path | None, as_json: bool) -> None:
    """Questions per day, answered/unknown/off-topic shares, 👍/👎 by note (worst first), latency — per language."""
    with _loop(settings) as loop:
        result = loop.stats(days)
    click.echo(
        json.dumps(_stats_json(result), ensure_ascii=False, indent=2)
        if as_json
        else render(result, settings.lang)
    )
    if png_path is not None:
        from bot.analytics.chart import stats_png

        try:
            atomic_write(png_path, stats_png(result, settings.lang), mode=0o644)
        except OSError as exc:
            raise UserError("cli_cannot_write", path=str(png_path), reason=exc.strerror or str(exc)) from None


@click.command("wanted")
@click.option(
    "--top", type=click.IntRange(1, 100), default=TOP, show_default=True, help="How many clusters to show."
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="How many days back (default: the retention period).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as JSON.")
@pass_settings
def wanted(settings: Settings, top: int, days: int | None, as_json: bool) -> None:
    """The notes people asked for and didn't get: questions clustered by meaning, most people first."""
    with _loop(settings) as loop:
        clusters = loop.wanted.clusters(days)
    if as_json:
        rows = [
            {
                "id": c.id,
                "users": c.users,
                "asks": c.asks,
                "unknown": c.unknown,
                "guessed": c.guessed,
                "downvoted": c.downvoted,
                "topic": c.topic.topic if c.topic is not None else None,
                "examples": c.examples[:5],
            }
            for c in clusters[:top]
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(render_wanted(clusters, settings.lang, top))


@click.command("draft")
@click.argument("cluster_id", metavar="CLUSTER_ID")
@click.option(
    "--as",
    "as_user",
    default=None,
    metavar="USER_ID",
    help="Acting admin (default: first of MEMEBOT_ADMINS).",
)
@pass_settings
def draft(settings: Settings, cluster_id: str, as_user: str | None) -> None:
    """Start a note from a wanted cluster: a pending submission with its names filled in and an empty body."""
    cid = _id(cluster_id, "cli_bad_cluster_id")
    admin_id = actor(settings, as_user)
    with service_and_loop(settings) as (service, loop):
        view = loop.draft(cid, admin_id, admin_id, settings.lang, service)
        click.echo(service.render_note(view), nl=False)
    click.echo(
        f"\n#{view.id} pending: write its text, then 'memebot admin approve {view.id} --explanation-file NOTE.md'"
    )


@click.command("forget")
@click.argument("user_id", metavar="USER_ID")
@pass_settings
def forget(settings: Settings, user_id: str) -> None:
    """Erase a person's questions and votes, and their id from their submissions (like /forget)."""
    if not re.fullmatch(r"-?\d{1,19}", user_id.strip()):
        raise UserError("cli_bad_forget_id", value=repr(user_id[:40]))
    uid = int(user_id)
    with _loop(settings) as loop:
        counts = loop.forget(uid)
    click.echo(", ".join(f"{key}: {n}" for key, n in counts.items()))
