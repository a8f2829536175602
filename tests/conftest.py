"""Shared fixtures: an autouse temporary MEMEBOT_HOME, the real encoders and index loaded once per session."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
# The home `make test` prepared (index and trained router), captured before tests redirect it.
PREPARED_HOME = Path(os.environ.get("MEMEBOT_HOME") or REPO / "var").resolve()


# Fixtures that build the real index of every note or train/load the real router: a test that uses
# one is slow (`make test-fast` = `pytest -m "not slow and not e2e"` skips it).
SLOW_FIXTURES = {
    "index_root",
    "retriever",
    "router_model_dir",
    "intent_router",
    "home_with_index",
    "home_index_only",
    "e2e_index",
}


# Fixtures that need the trained router: `make test` runs the other slow tests while it trains.
ROUTER_FIXTURES = {"router_model_dir", "intent_router", "home_with_index"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        if ROUTER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.router)


@pytest.fixture(autouse=True)
def memebot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("MEMEBOT_HOME", str(home))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return home


class CountingEncoder:
    """The real encoder, counting how many texts it was asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return self.inner.encode(texts)

    @property
    def embedded(self) -> int:
        return sum(self.calls)


def pytest_configure(config: pytest.Config) -> None:
    from indexer.threads import configure_threads

    configure_threads(1)  # as the CLI and the bot do
    if not hasattr(config, "workerinput"):  # the main process; xdist's workers inherit its environment
        import tempfile

        from tests.demo_fixtures import SHARED_RUNS_ENV

        os.environ[SHARED_RUNS_ENV] = tempfile.mkdtemp(prefix="memebot-demo-runs-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        from tests.demo_fixtures import SHARED_RUNS_ENV

        folder = os.environ.pop(SHARED_RUNS_ENV, None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


# Encoder files (USE tables, e5 graph, tokenizers): the ones `make index` derived, else built once here.
ASSETS = PREPARED_HOME / "index" / "assets"


@pytest.fixture(scope="session")
def use_encoder():
    from indexer.encoders import get_encoder

    return get_encoder("use", ASSETS)


@pytest.fixture(scope="session")
def encoder():
    """The index's default encoder (USE + e5), as serving uses it."""
    from indexer.encoders import DEFAULT_ENCODER, get_encoder

    return get_encoder(DEFAULT_ENCODER, ASSETS)


@pytest.fixture()
def counting_encoder(use_encoder) -> CountingEncoder:
    return CountingEncoder(use_encoder)


@pytest.fixture(scope="session")
def demo_ids() -> set[str]:
    from demos.registry import list_demos

    return {d.id for d in list_demos()}


@pytest.fixture(scope="session")
def index_root(tmp_path_factory: pytest.TempPathFactory, encoder, demo_ids) -> Path:
    """The real knowledge base indexed once per session (read-only): the index `make index` built
    when it is current, else a fresh build."""
    from indexer.build import build_index, file_hashes
    from indexer.chunks import CHUNKER_VERSION

    prepared = PREPARED_HOME / "index"
    try:
        manifest = json.loads((prepared / "current" / "manifest.json").read_text())
        if (manifest["files"], manifest["encoder"], manifest["chunker"]) == (
            file_hashes(KNOWLEDGE),
            encoder.name,
            CHUNKER_VERSION,
        ):
            return prepared
    except (OSError, KeyError, ValueError):
        pass
    root = tmp_path_factory.mktemp("index")
    build_index(notes_dir=KNOWLEDGE, root=root, encoder=encoder, progress=False)
    return root


@pytest.fixture(scope="session")
def retriever(index_root: Path, encoder):
    from indexer.search import Retriever

    return Retriever.load(index_root, encoder)


@pytest.fixture(scope="session")
def router_model_dir() -> Path:
    """The real trained router (trained here only if `make test` did not prepare it)."""
    from router.training.train import needs_training, train_router

    model_dir = PREPARED_HOME / "router"
    if needs_training(model_dir) is not None:
        train_router(out_dir=model_dir, progress=False)
    return model_dir


@pytest.fixture(scope="session")
def intent_router(router_model_dir: Path, retriever):
    from router.infer import load_router

    return load_router(router_model_dir, retriever.encoder)


def copy_index(index_root: Path, target: Path) -> Path:
    """A writable copy of an index; its encoder files (~100 MB, read-only) are linked, not copied."""
    shutil.copytree(index_root, target, symlinks=True, ignore=shutil.ignore_patterns("assets"))
    if (index_root / "assets").exists():
        (target / "assets").symlink_to((index_root / "assets").resolve())
    return target


@pytest.fixture()
def home_with_index(memebot_home: Path, index_root: Path, router_model_dir: Path) -> Path:
    """A MEMEBOT_HOME holding a copy of the session index and the trained router, for CLI tests."""
    copy_index(index_root, memebot_home / "index")
    shutil.copytree(router_model_dir, memebot_home / "router")
    return memebot_home


NOTE_TEMPLATE = """\
---
slug: {slug}
kind: concept
title: {title}
title_en: {title_en}
aliases: [{aliases}]
tags: [test]
related: [{related}]
source: test
---
## Коротко
{short_ru}

## Подробнее
Подробный текст про {title}.

## In short
{short_en}

## In depth
A detailed text about {title_en}.
"""


@pytest.fixture()
def make_notes(tmp_path: Path) -> Callable[..., Path]:
    """Write a small notes tree; returns its root. Notes are given as slug → overrides."""

    def make(notes: dict[str, dict[str, str]] | None = None, root: Path | None = None) -> Path:
        root = root or tmp_path / "knowledge"
        notes = (
            notes
            if notes is not None
            else {
                "alpha": {"title": "Альфа-распад", "title_en": "Alpha decay", "aliases": "альфа, alpha"},
                "beta": {
                    "title": "Бета-версия",
                    "title_en": "Beta release",
                    "aliases": "бета, beta",
                    "related": "alpha",
                },
                "gamma": {
                    "title": "Гамма-коррекция",
                    "title_en": "Gamma correction",
                    "aliases": "гамма, gamma",
                },
            }
        )
        for slug, fields in notes.items():
            values = {
                "slug": slug,
                "title": slug,
                "title_en": slug,
                "aliases": slug,
                "related": "",
                "short_ru": f"Короткое объяснение темы {fields.get('title', slug)}. Это тестовая заметка.",
                "short_en": f"A short explanation of {fields.get('title_en', slug)}. This is a test note.",
                **fields,
            }
            path = root / "concepts" / f"{slug}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fields.get("raw") or NOTE_TEMPLATE.format(**values), encoding="utf-8")
        return root

    return make


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture()
def home_index_only(memebot_home: Path, index_root: Path) -> Path:
    copy_index(index_root, memebot_home / "index")
    return memebot_home


@pytest.fixture()
def cli_runner() -> Iterator[Callable[..., object]]:
    """Invoke the real click CLI in-process (shares the session's loaded encoder)."""
    from click.testing import CliRunner

    from bot.cli.main import cli

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    yield invoke
