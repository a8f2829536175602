"""``memebot demo list|run``: the runnable demos from the command line.

Errors (unknown demo, bad parameter, timeout, crash) become one line on stderr in the chosen
language and exit status 2 — never a traceback.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import click

from bot.cli.context import UserFacingGroup
from common.errors import UserError
from common.i18n import as_lang, t
from demos import DemoRunner, get_demo, list_demos, validate_params
from demos.params import describe_param


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError("cli_bad_param", arg=pair[:60])
        params[name.strip()] = value.strip()
    return params


def _finite(_ctx: click.Context, param: click.Parameter, value: float) -> float:
    """NaN passes every comparison, so a range alone would let ``--timeout nan`` switch the limit off."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds", param=param)
    return value


class _InLanguage(click.Command):
    """A command whose user errors are shown in its own ``--lang`` (not the settings' language)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(exc.message(ctx.params.get("lang") or "ru"), err=True)
            ctx.exit(exc.exit_code)


@click.group("demo", cls=UserFacingGroup)
def demo() -> None:
    """Runnable demos: small real experiments with numbers and plots."""


@demo.command("list")
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of titles and help.",
)
def list_cmd(lang: str) -> None:
    """List demos with their parameters, ranges and defaults."""
    language = as_lang(lang)
    for d in list_demos():
        click.echo(f"{d.id} — {d.title(language)}  [{t('demo_note', language)}: {d.note_slug}]")
        if not d.params:
            click.echo("    " + t("demo_no_params", language))
        for p in d.params:
            click.echo("    " + describe_param(p, language))
        click.echo("")


@demo.command("run", cls=_InLanguage)
@click.argument("demo_id")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Demo parameter, repeatable (e.g. --param p=0.3).",
)
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the PNG plots (default: a new temporary directory).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0.1, max=600),
    callback=_finite,
    default=20.0,
    show_default=True,
    help="Seconds before the demo is stopped.",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(min=200),
    default=1500,
    show_default=True,
    help="Memory limit of the demo worker process.",
)
def run_cmd(
    demo_id: str,
    params: tuple[str, ...],
    lang: str,
    seed: int,
    out_dir: Path | None,
    timeout_s: float,
    memory_mb: int,
) -> None:
    """Run DEMO_ID, print its explanation and code, save its plots as PNG files."""
    language = as_lang(lang)
    raw = _parse_params(params)
    spec = get_demo(demo_id)
    validate_params(spec, raw)  # fail fast, before a worker process is started
    with DemoRunner(timeout_s=timeout_s, memory_mb=memory_mb, workers=1) as runner:
        result = runner.run(spec.id, raw, seed=seed, lang=language)

    target = out_dir if out_dir is not None else Path(tempfile.mkdtemp(prefix=f"memebot-{result.demo_id}-"))
    try:
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for i, png in enumerate(result.images, start=1):
            path = target / f"{result.demo_id}-seed{result.seed}-{i}.png"
            path.write_bytes(png)
            paths.append(path)
    except OSError as err:
        raise UserError("cli_cannot_write", path=str(target), reason=err.strerror or str(err)) from None

    shown = ", ".join(f"{k}={v}" for k, v in result.params.items())
    click.echo(f"# {result.demo_id} — {spec.title(language)}")
    click.echo(f"{t('demo_params', language)}: {shown or '—'}; seed={result.seed}")
    click.echo("")
    click.echo(result.text)
    click.echo("")
    click.echo("## " + t("demo_code_heading", language))
    click.echo(result.code.rstrip("\n"))
    click.echo("")
    click.echo("## " + t("demo_images_heading", language))
    for path, caption in zip(paths, result.image_captions, strict=True):
        click.echo(f"{path}  — {caption}")
