"""Interactive terminal chat: the Telegram experience without Telegram, over the same pipeline and dialogue."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from bot.answer import Answer, DialogueState
from bot.answer.smalltalk import is_goodbye
from bot.services import Services
from common.i18n import t
from demos.errors import DemoError

logger = logging.getLogger(__name__)

PROMPT = "вы/you> "


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
        path = out / f"{answer.demo.id}-{i}.png"
        path.write_bytes(png)
        click.echo(f"[plot] {path}")


def run_chat(services: Services, out_dir: Path) -> None:
    """Read questions until EOF or a goodbye; follow-ups («подробнее», «а пример?», «теперь p=0.2») continue the topic."""
    click.echo(
        "Memebot — спросите про ML-мем или понятие («пока» или Ctrl-D — выход). Ask in Russian or English."
    )
    pipeline = services.pipeline
    state = DialogueState()
    try:
        while True:
            try:
                line = input(PROMPT).strip()
            except (EOFError, KeyboardInterrupt):
                click.echo("")
                break
            if not line:
                continue
            answer = pipeline.answer(line, state=state)
            click.echo(answer.text)
            if answer.status == "demo" and answer.demo is not None and answer.demo.run:
                _run_demo(services, answer, out_dir)
            elif answer.note is not None and answer.depth == "short":
                click.echo(t("chat_more_hint", answer.lang))
            click.echo("")
            if answer.status == "smalltalk" and is_goodbye(line):
                break
    finally:
        services.close()
