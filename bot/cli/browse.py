"""``memebot memes``: the memes the bot knows, the way people browse a collection."""

from __future__ import annotations

import json

import click

from bot.cli.context import pass_settings
from bot.config import Settings
from common.i18n import as_lang, t
from indexer.notes import load_notes


@click.command()
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of titles and summaries.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per meme: slug, title, short, image.")
@pass_settings
def memes(settings: Settings, lang: str, as_json: bool) -> None:
    """List the memes: title, slug and the short explanation, sorted by title."""
    language = as_lang(lang)
    notes = sorted(
        (n for n in load_notes(settings.knowledge_dir) if n.kind == "meme"),
        key=lambda n: n.display_title(language).casefold(),
    )
    if as_json:
        for note in notes:
            image = str(note.image_path) if note.image_path else None
            record = {
                "slug": note.slug,
                "title": note.display_title(language),
                "short": note.short(language),
                "image": image,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    click.echo(t("memes_header", language, n=len(notes)))
    for note in notes:
        click.echo(f"\n• {note.display_title(language)}  [{note.slug}]")
        click.echo(f"  {note.short(language)}")
