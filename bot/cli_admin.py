"""``memebot admin …``: moderate meme submissions from the terminal (the same service the bot uses).

The acting admin is ``--as USER_ID`` (default: the first id in ``MEMEBOT_ADMINS``); the database is
``MEMEBOT_DATABASE_URL`` or the SQLite file in ``MEMEBOT_HOME``. Approving writes the note into the
knowledge directory (``MEMEBOT_KNOWLEDGE``, default ``knowledge/``) and rebuilds the index in
``MEMEBOT_HOME``; a running bot picks the new index up by itself.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot.cli import Fail, _demo_ids

STATUS_CHOICES = ("draft", "pending", "approved", "published", "rejected", "cancelled")


def _admins_env() -> tuple[frozenset[int], int | None]:
    """The admin ids from MEMEBOT_ADMINS and the first one as written (the default ``--as``)."""
    from bot.config import ConfigError, load_settings

    try:
        order = load_settings().admins_in_order
    except ConfigError as exc:
        raise Fail(str(exc)) from None
    return frozenset(order), (order[0] if order else None)


def _actor(as_user: str | None) -> int:
    admins, first = _admins_env()
    if as_user is None:
        if first is None:
            raise Fail("who is acting? pass --as USER_ID or set MEMEBOT_ADMINS=12345 (Telegram user ids of the admins)")
        return first
    if not re.fullmatch(r"-?\d{1,20}", as_user.strip()):
        raise Fail(f"--as takes a Telegram user id (a whole number), not {as_user!r}")
    return int(as_user)


def _submission_id(raw: str) -> int:
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise Fail(f"a submission id is a positive whole number (see 'memebot admin list'), not {raw!r}")
    return int(raw)


def _rebuild_index() -> object:
    """The same incremental build as 'memebot index build': notes in MEMEBOT_KNOWLEDGE, index in MEMEBOT_HOME."""
    from bot.config import load_settings
    from indexer.build import build_index

    settings = load_settings()
    return build_index(settings.knowledge_dir, settings.index_dir, known_demos=_demo_ids(), progress=False)


@contextmanager
def _service() -> Iterator[object]:
    """A SubmissionService over the configured database; library errors become one-line failures."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import load_settings
    from bot.storage import open_database
    from bot.submissions import SubmissionError, SubmissionService

    admins, _ = _admins_env()
    settings = load_settings()
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    url = settings.database_url
    try:
        db = open_database(url)
    except SQLAlchemyError as exc:
        detail = str(exc.orig if getattr(exc, "orig", None) is not None else exc).strip().splitlines()[0]
        raise Fail(f"cannot open the database ({detail}); check MEMEBOT_DATABASE_URL") from None
    # A refused attempt is audited and reported by Fail; its log warning would be a second error line.
    library_logger = logging.getLogger("bot.submissions")
    library_logger.addFilter(_hide_refusals)
    try:
        yield SubmissionService(db, admins, home, settings.knowledge_dir, rebuild_index=_rebuild_index)
    except SubmissionError as exc:
        raise Fail(exc.message("en")) from None
    finally:
        db.dispose()
        library_logger.removeFilter(_hide_refusals)


def _hide_refusals(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("refused:")


def _one_line(text: str | None, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.group()
def admin() -> None:
    """Moderate meme submissions (only ids in MEMEBOT_ADMINS may decide)."""


@admin.command("list")
@click.option("--status", type=click.Choice(STATUS_CHOICES), default=None, help="Only submissions in this state.")
def admin_list(status: str | None) -> None:
    """Submissions, oldest first: id, status, author, date, title."""
    with _service() as service:
        views = service.list(status)
    if not views:
        click.echo(f"no {status} submissions" if status else "no submissions")
        return
    for v in views:
        slug = f"  → {v.slug}" if v.slug else ""
        click.echo(f"#{v.id:<5} {v.status:<9} user {v.user_id:<12} {v.created_at:%Y-%m-%d %H:%M}  {_one_line(v.title)}{slug}")


@admin.command("show")
@click.argument("submission_id", metavar="ID")
def admin_show(submission_id: str) -> None:
    """One submission in full, with its audit log."""
    sid = _submission_id(submission_id)
    with _service() as service:
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


def _edits(title: str | None, explanation: str | None, aliases: tuple[str, ...], related: tuple[str, ...]) -> dict:
    edits: dict[str, object] = {}
    if title is not None:
        edits["title"] = title
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
@click.option("--explanation", default=None, help="Correct the explanation first.")
@click.option("--alias", "aliases", multiple=True, help="An alias for the note (repeatable).")
@click.option("--related", multiple=True, help="Slug of a related note (repeatable).")
@click.option("--as", "as_user", default=None, metavar="USER_ID", help="Acting admin (default: first of MEMEBOT_ADMINS).")
def admin_approve(
    submission_id: str, title: str | None, explanation: str | None, aliases: tuple[str, ...], related: tuple[str, ...], as_user: str | None
) -> None:
    """Approve a pending submission: write its note, rebuild the index, mark it published."""
    sid = _submission_id(submission_id)
    actor = _actor(as_user)
    with _service() as service:
        view = service.approve(sid, actor, **_edits(title, explanation, aliases, related))
    click.echo(f"#{view.id} {view.status} as {view.slug} ({service.notes_dir / 'memes' / f'{view.slug}.md'})")


@admin.command("reject")
@click.argument("submission_id", metavar="ID")
@click.option("--reason", required=True, help="Why (the author sees it; 1 to 500 characters).")
@click.option("--as", "as_user", default=None, metavar="USER_ID", help="Acting admin (default: first of MEMEBOT_ADMINS).")
def admin_reject(submission_id: str, reason: str, as_user: str | None) -> None:
    """Reject a pending submission with a reason."""
    sid = _submission_id(submission_id)
    actor = _actor(as_user)
    with _service() as service:
        view = service.reject(sid, actor, reason)
    click.echo(f"#{view.id} {view.status}: {view.reason}")


@admin.command("recover")
@click.option("--json", "as_json", is_flag=True, help="Print {finished, failed} as JSON.")
def admin_recover(as_json: bool) -> None:
    """Finish publishing submissions an interrupted approval left half-done."""
    with _service() as service:
        finished = service.recover()
        failed = dict(service.recover_errors)
    if as_json:
        click.echo(json.dumps({"finished": finished, "failed": {str(k): v for k, v in failed.items()}}))
    elif finished:
        click.echo(f"finished {len(finished)}: " + ", ".join(f"#{i}" for i in finished))
    elif not failed:
        click.echo("nothing to recover")
    if failed:
        raise Fail("; ".join(f"#{sid}: {message}" for sid, message in failed.items()))
