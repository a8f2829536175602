"""Services: loaded once, and hot-swapped when another process publishes a new index version."""

from __future__ import annotations

from pathlib import Path

from bot.services import Services
from demos.registry import list_demos
from indexer.build import build_index
from indexer.search import Retriever


def test_a_replica_picks_up_a_new_index_version(tmp_path: Path, make_notes, use_encoder, demo_ids) -> None:
    notes, root = make_notes(), tmp_path / "index"
    build_index(notes, root, use_encoder, known_demos=demo_ids, progress=False)
    replica = Services(Retriever.load(root, use_encoder), None, list_demos(), index_root=root)
    assert replica.refresh_index() is False, "nothing new yet"

    extra = notes / "concepts" / "kalman-filter.md"
    extra.write_text(
        "---\nslug: kalman-filter\nkind: concept\ntitle: Фильтр Калмана\ntitle_en: Kalman filter\n"
        "aliases: [калман, kalman]\ntags: [math]\nrelated: []\nsource: test\n---\n"
        "## Коротко\nФильтр Калмана оценивает скрытое состояние по шумным измерениям.\n\n"
        "## Подробнее\nПредсказание и поправка по измерению, веса — из ковариаций.\n\n"
        "## In short\nA Kalman filter estimates a hidden state from noisy measurements.\n",
        encoding="utf-8",
    )
    other_process = build_index(notes, root, use_encoder, known_demos=demo_ids, progress=False)
    assert other_process.added == ["kalman-filter"]

    assert replica.refresh_index() is True
    assert replica.retriever.version == other_process.version
    assert replica.pipeline.answer("what is a kalman filter").note.slug == "kalman-filter"


def test_the_pipeline_is_kept_until_a_part_is_swapped(
    tmp_path: Path, make_notes, use_encoder, demo_ids
) -> None:
    """What the pipeline derives from the notes once (the demos' names, their titles' common words)
    must not be derived per answer: the same parts give the same pipeline; a new retriever, a new one."""
    root = tmp_path / "index"
    build_index(make_notes(), root, use_encoder, known_demos=demo_ids, progress=False)
    services = Services(Retriever.load(root, use_encoder), None, list_demos(), index_root=root)
    first = services.pipeline
    assert services.pipeline is first
    services.retriever = Retriever.load(root, use_encoder)
    assert services.pipeline is not first and services.pipeline.retriever is services.retriever
