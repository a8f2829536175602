"""``memebot demo ...``: list and run the runnable demos from the command line.

Errors (unknown demo, bad parameter, timeout, crash) become one line on stderr in the chosen
language and exit status 2 — never a traceback.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from demos import DemoError, DemoParamError, DemoRunner, get_demo, list_demos, validate_params
from demos.params import describe_param

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(EXIT_USAGE)


def _parse_params(pairs: tuple[str, ...], lang: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            err = DemoParamError(
                pair,
                f"Параметр надо писать как имя=значение, например p=0.3; получено «{pair}»",
                f"Parameters are written as name=value, e.g. p=0.3; got '{pair}'",
            )
            _fail(err.message(lang))
        params[name.strip()] = value.strip()
    return params


@click.group("demo")
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
    for d in list_demos():
        note = "заметка" if lang == "ru" else "note"
        click.echo(f"{d.id} — {d.title(lang)}  [{note}: {d.note_slug}]")
        if not d.params:
            click.echo("    " + ("(без параметров)" if lang == "ru" else "(no parameters)"))
        for p in d.params:
            click.echo("    " + describe_param(p, lang))
        click.echo("")


@demo.command("run")
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
    type=click.FloatRange(min=0.1),
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
    raw = _parse_params(params, lang)
    try:
        d = get_demo(demo_id)
        validate_params(d, raw)  # fail fast, before a worker process is started
        with DemoRunner(timeout_s=timeout_s, memory_mb=memory_mb, workers=1) as runner:
            result = runner.run(d.id, raw, seed=seed, lang=lang)
    except DemoError as err:
        _fail(err.message(lang))
        return

    target = out_dir if out_dir is not None else Path(tempfile.mkdtemp(prefix=f"memebot-{result.demo_id}-"))
    try:
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for i, png in enumerate(result.images, start=1):
            path = target / f"{result.demo_id}-seed{result.seed}-{i}.png"
            path.write_bytes(png)
            paths.append(path)
    except OSError as err:
        _fail(
            f"Не удалось записать картинки в {target}: {err.strerror}"
            if lang == "ru"
            else f"Could not write images to {target}: {err.strerror}"
        )
        return

    title = result.demo_id + " — " + d.title(lang)
    shown = ", ".join(f"{k}={v}" for k, v in result.params.items())
    click.echo(f"# {title}")
    click.echo(("Параметры: " if lang == "ru" else "Parameters: ") + (shown or "—") + f"; seed={result.seed}")
    click.echo("")
    click.echo(result.text)
    click.echo("")
    click.echo("## " + ("Код" if lang == "ru" else "Code"))
    click.echo(result.code.rstrip("\n"))
    click.echo("")
    click.echo("## " + ("Картинки" if lang == "ru" else "Images"))
    for path, caption in zip(paths, result.image_captions, strict=True):
        click.echo(f"{path}  — {caption}")
