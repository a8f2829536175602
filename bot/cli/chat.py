"""Interactive terminal chat: the Telegram experience without Telegram, over the same pipeline."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from bot.answer import Answer
from bot.services import Services
from demos.errors import DemoError

logger = logging.getLogger(__name__)

PROMPT = "вы/you> "
DEEPER = {"подробнее", "ещё", "еще", "more", "in depth", "deeper"}
QUIT = {"/quit", "/exit", "выход", "quit", "exit"}


def _run_demo(services: Services, answer: Answer, out_dir: Path) -> None:
    assert answer.demo is not None
    try:
        result = services.demo_runner.run(answer.demo.id, answer.demo.params, seed=0, lang=answer.lang)
    except DemoError as exc:
        click.echo(exc.message(answer.lang))
        return
    out = out_dir / answer.demo.id
    out.mkdir(parents=True, exist_ok=True)
    click.echo(result.text)
    click.echo("\n" + result.code)
    for i, png in enumerate(result.images, 1):
        path = Path(out) / f"{answer.demo.id}-{i}.png"
        path.write_bytes(png)
        click.echo(f"[plot] {path}")


def run_chat(services: Services, out_dir: Path) -> None:
    """Read questions until EOF; «подробнее»/"more" deepens the last answer."""
    click.echo("Memebot — спросите про ML-мем или понятие (Ctrl-D — выход). Ask in Russian or English.")
    last: Answer | None = None
    pipeline = services.pipeline
    while True:
        try:
            line = input(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            click.echo("")
            break
        if not line:
            continue
        if line.lower() in QUIT:
            break
        if line.lower() in DEEPER and last is not None and last.note is not None:
            click.echo(last.note.deep(last.lang) + "\n")
            continue
        answer = pipeline.answer(line)
        if answer.demo is not None and answer.demo.run:
            click.echo(answer.text)
            _run_demo(services, answer, out_dir)
        else:
            click.echo(answer.text)
            if answer.note is not None:
                click.echo("(«подробнее» / \"more\" — глубже)" if answer.lang == "ru" else '("more" for the in-depth part)')
        click.echo("")
        last = answer
    services.close()
