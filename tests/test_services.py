"""Services: loaded once, and hot-swapped when another process publishes a new index version."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.services import Services
from demos.registry import list_demos
from indexer.build import build_index
from indexer.search import Retriever
from tests.conftest import KNOWLEDGE


def test_a_replica_picks_up_a_new_index_version(tmp_path: Path, use_encoder, demo_ids) -> None:  # noqa: ANN001
    notes, root = tmp_path / "knowledge", tmp_path / "index"
    shutil.copytree(KNOWLEDGE, notes)
    build_index(notes, root, use_encoder, known_demos=demo_ids, progress=False)
    replica = Services(Retriever.load(root, use_encoder), None, list_demos(), index_root=root)
    assert replica.refresh_index() is False, "nothing new yet"

    extra = notes / "concepts" / "attention.md"
    extra.write_text(
        "---\nslug: attention\nkind: concept\ntitle: Механизм внимания\ntitle_en: Attention\n"
        "aliases: [внимание, attention mechanism]\ntags: [nlp]\nrelated: [bert]\nsource: test\n---\n"
        "## Коротко\nВнимание взвешивает слова по их важности друг для друга.\n\n"
        "## Подробнее\nЗапросы, ключи и значения; веса — softmax скалярных произведений.\n\n"
        "## In short\nAttention weighs tokens by how relevant they are to each other.\n",
        encoding="utf-8",
    )
    other_process = build_index(notes, root, use_encoder, known_demos=demo_ids, progress=False)
    assert other_process.added == ["attention"]

    assert replica.refresh_index() is True
    assert replica.retriever.version == other_process.version
    assert replica.pipeline.answer("what is the attention mechanism").note.slug == "attention"
