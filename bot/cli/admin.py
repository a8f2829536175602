"""``memebot admin …``: moderate meme submissions from the terminal (the same service the bot uses).

The acting admin is ``--as USER_ID`` (default: the first id in ``MEMEBOT_ADMINS``); the database is
``MEMEBOT_DATABASE_URL`` or the SQLite file in ``MEMEBOT_HOME``. Approving writes the note into the
knowledge directory (``MEMEBOT_KNOWLEDGE``, default ``knowledge/``) and rebuilds the index in
``MEMEBOT_HOME``; a running bot picks the new index up by itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.analytics.clustering import CLUSTER_ENCODER
from bot.analytics.loop import LearningLoop
from bot.cli.context import UserFacingGroup, pass_settings
from bot.cli.indexing import demo_ids
from bot.community.model import STATUSES
from bot.community.service import SubmissionService
from bot.config import Settings, prepare_home
from bot.storage import Database, open_database
from common.errors import UserError
from indexer.build import assets_dir, build_index
from indexer.encoders import get_encoder


def actor(settings: Settings, as_user: str | None) -> int:
    if as_user is None:
        if not settings.admins_in_order:
            raise UserError("cli_who_acts")
        return settings.admins_in_order[0]
    if not re.fullmatch(r"-?\d{1,19}", as_user.strip()) or not -(2**63) <= int(as_user) < 2**63:
        raise UserError("cli_bad_user_id", value=repr(as_user[:40]))
    return int(as_user)


def _submission_id(raw: str) -> int:
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise UserError("cli_bad_submission_id", value=repr(raw[:40]))
    return int(raw)


def open_db(settings: Settings) -> Database:
    """The configured database, migrated; :class:`UserError` ``db_unavailable`` when it can't be opened."""
    prepare_home(settings)
    try:
        return open_database(settings.database_url)
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        detail = str(orig if orig is not None else exc).strip().splitlines()[0]
        raise UserError("db_unavailable", detail=detail) from None


@contextmanager
def service_and_loop(settings: Settings) -> Iterator[tuple[SubmissionService, LearningLoop]]:
    """A SubmissionService (rebuilding the index like 'memebot index build') and the learning loop, which
    resolves the wanted questions a published note answers."""
    db = open_db(settings)

    def rebuild_index() -> object:
        return build_index(settings.knowledge_dir, settings.index_dir, known_demos=demo_ids(), progress=False)

    loop = LearningLoop.from_settings(
        settings, db, encoder=lambda: get_encoder(CLUSTER_ENCODER, assets_dir(settings.index_dir))
    )
    try:
        yield (
            SubmissionService(
                db,
                settings.admins,
                settings.home,
                settings.knowledge_dir,
                rebuild_index=rebuild_index,
                on_published=loop.note_published,
            ),
            loop,
        )
    finally:
        loop.close()
        db.dispose()


@contextmanager
def _service(settings: Settings) -> Iterator[SubmissionService]:
    with service_and_loop(settings) as (service, _loop):
        yield service


def _one_line(text: str | None, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The learning loop's admin commands load on demand like the top-level groups.
LEARNING = {
    "wanted": "bot.cli.learning:wanted",
    "draft": "bot.cli.learning:draft",
    "forget": "bot.cli.learning:forget",
}


@click.group(cls=UserFacingGroup, lazy=LEARNING)
def admin() -> None:
    """Moderate submissions and draft wanted notes (only ids in MEMEBOT_ADMINS may decide)."""


@admin.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only submissions in this state.")
@pass_settings
def admin_list(settings: Settings, status: str | None) -> None:
    """Submissions, oldest first: id, status, author, date, title."""
    with _service(settings) as service:
        views = service.submissions(status)
    if not views:
        click.echo(f"no {status} submissions" if status else "no submissions")
        return
    for v in views:
        slug = f"  → {v.slug}" if v.slug else ""
        click.echo(
            f"#{v.id:<5} {v.status:<9} user {v.user_id:<12} {v.created_at:%Y-%m-%d %H:%M}  {_one_line(v.title)}{slug}"
        )


@admin.command("show")
@click.argument("submission_id", metavar="ID")
@pass_settings
def admin_show(settings: Settings, submission_id: str) -> None:
    """One submission in full, with its audit log."""
    sid = _submission_id(submission_id)
    with _service(settings) as service:
        v = service.get(sid)
        entries = service.audit(sid)
    rows = [
        ("id", v.id),
        ("status", v.status),
        ("author", f"user {v.user_id} (chat {v.chat_id}, {v.user_lang})"),
        ("title", v.title),
        ("explanation", v.explanation or "(none)"),
        ("aliases", ", ".join(v.aliases) or "(none)"),
        ("related", ", ".join(v.related) or "(none)"),
        ("slug", v.slug or "(not yet)"),
        ("reason", v.reason or "-"),
        ("decided by", v.decided_by if v.decided_by is not None else "-"),
        ("notified", "yes" if v.notified else "no"),
        ("image", v.image_path),
        ("created", f"{v.created_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("updated", f"{v.updated_at:%Y-%m-%d %H:%M:%S} UTC"),
    ]
    for key, value in rows:
        click.echo(f"{key + ':':<13}{value}")
    click.echo("audit:")
    for e in entries:
        denied = "" if e.allowed else "  DENIED"
        change = ""
        if e.before and e.after and e.before.get("status") != e.after.get("status"):
            change = f"  {e.before.get('status')} → {e.after.get('status')}"
        click.echo(f"  {e.created_at:%Y-%m-%d %H:%M:%S}  {e.action:<10} by {e.actor_id}{change}{denied}")


def _edits(
    title: str | None,
    explanation: str | None,
    aliases: tuple[str, ...],
    related: tuple[str, ...],
    title_en: str | None = None,
) -> dict[str, Any]:
    edits: dict[str, object] = {}
    if title is not None:
        edits["title"] = title
    if title_en is not None:
        edits["title_en"] = title_en
    if explanation is not None:
        edits["explanation"] = explanation
    if aliases:
        edits["aliases"] = list(aliases)
    if related:
        edits["related"] = list(related)
    return edits


@admin.command("approve")
@click.argument("submission_id", metavar="ID")
@click.option("--title", default=None, help="Correct the title first.")
@click.option("--title-en", default=None, help="Correct a drafted note's English title first.")
@click.option("--explanation", default=None, help="Correct the explanation (a drafted note: its text) first.")
@click.option(
    "--explanation-file",
    type=click.File(encoding="utf-8"),
    default=None,
    help="Read the explanation (a note's text with its sections) from a file.",
)
@click.option("--alias", "aliases", multiple=True, help="An alias for the note (repeatable).")
@click.option("--related", multiple=True, help="Slug of a related note (repeatable).")
@click.option(
    "--as",
    "as_user",
    default=None,
    metavar="USER_ID",
    help="Acting admin (default: first of MEMEBOT_ADMINS).",
)
@pass_settings
def admin_approve(
    settings: Settings,
    submission_id: str,
    title: str | None,
    title_en: str | None,
    explanation: str | None,
    explanation_file: TextIO | None,
    aliases: tuple[str, ...],
    related: tuple[str, ...],
    as_user: str | None,
) -> None:
    """Approve a pending submission: write its note, rebuild the index, mark it published."""
    sid = _submission_id(submission_id)
    if explanation_file is not None:
        explanation = explanation_file.read()
    actor_id = actor(settings, as_user)
    with _service(settings) as service:
        view = service.approve(sid, actor_id, **_edits(title, explanation, aliases, related, title_en))
        path = service.publisher.path_of(view)
    click.echo(f"#{view.id} {view.status} as {view.slug} ({path})")


@admin.command("reject")
@click.argument("submission_id", metavar="ID")
@click.option("--reason", required=True, help="Why (the author sees it; 1 to 500 characters).")
@click.option(
    "--as",
    "as_user",
    default=None,
    metavar="USER_ID",
    help="Acting admin (default: first of MEMEBOT_ADMINS).",
)
@pass_settings
def admin_reject(settings: Settings, submission_id: str, reason: str, as_user: str | None) -> None:
    """Reject a pending submission with a reason."""
    sid = _submission_id(submission_id)
    actor_id = actor(settings, as_user)
    with _service(settings) as service:
        view = service.reject(sid, actor_id, reason)
    click.echo(f"#{view.id} {view.status}: {view.reason}")


@admin.command("recover")
@click.option("--json", "as_json", is_flag=True, help="Print {finished, failed} as JSON.")
@pass_settings
def admin_recover(settings: Settings, as_json: bool) -> None:
    """Finish publishing submissions an interrupted approval left half-done."""
    with _service(settings) as service:
        finished = service.recover()
        failed = dict(service.recover_errors)
    if as_json:
        click.echo(json.dumps({"finished": finished, "failed": {str(k): v for k, v in failed.items()}}))
    elif finished:
        click.echo(f"finished {len(finished)}: " + ", ".join(f"#{i}" for i in finished))
    elif not failed:
        click.echo("nothing to recover")
    if failed:
        raise UserError(
            "recover_failed", detail="; ".join(f"#{sid}: {message}" for sid, message in failed.items())
        )
