"""A concept note drafted from wanted questions goes through the same review and publishing as a meme:
only admins start one, it can't be approved empty, its text must have the note's sections, and when
published the learning loop closes (regression cases, questions resolved) before the row says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.analytics.identity import UserHasher
from bot.analytics.loop import LearningLoop
from bot.analytics.outcomes import new_token
from bot.analytics.regressions import read_cases
from bot.community.errors import InvalidEdit, InvalidExplanation, NotAllowed, NoteBodyMissing
from bot.community.model import NOTE, PENDING, PUBLISHED
from bot.community.service import SubmissionService
from bot.storage import Database, open_database, utcnow
from indexer.notes import load_notes

ADMIN, USER = 9001, 1001
BODY = (
    "## Коротко\nФильтр Калмана смешивает прогноз и зашумлённое измерение с весами по их неопределённости.\n\n"
    "## Подробнее\nНа каждом шаге он предсказывает состояние и поправляет его измерением.\n\n"
    "## In short\nA Kalman filter blends a prediction with a noisy measurement, weighted by their uncertainty.\n"
)


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'memebot.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture()
def loop(db: Database, tmp_path: Path) -> Iterator[LearningLoop]:
    learning = LearningLoop(
        db, UserHasher(b"k" * 32), tmp_path / "regressions.jsonl", 90, encoder=lambda: None
    )  # type: ignore[arg-type, return-value]
    yield learning
    learning.close()


@pytest.fixture()
def service(
    db: Database, make_notes: Callable[..., Path], memebot_home: Path, loop: LearningLoop
) -> SubmissionService:
    return SubmissionService(
        db, frozenset({ADMIN}), memebot_home, make_notes(), on_published=loop.note_published
    )


def draft(service: SubmissionService, questions: list[dict] | None = None):
    questions = (
        questions if questions is not None else [{"id": 1, "q": "что такое фильтр калмана", "lang": "ru"}]
    )
    return service.create_note_draft(
        ADMIN, ADMIN, "ru", "Фильтр калмана", "Kalman filter", ["калмановский фильтр", "kalman"], questions
    )


def test_only_admins_start_a_note_draft(service: SubmissionService) -> None:
    with pytest.raises(NotAllowed):
        service.create_note_draft(USER, USER, "ru", "Фильтр калмана", "Kalman filter", [], [])
    assert service.submissions() == []
    denied = [a for a in service.audit() if not a.allowed]
    assert [(a.actor_id, a.action) for a in denied] == [(USER, "draft_note")]


def test_a_draft_is_pending_without_picture_and_shows_its_front_matter(service: SubmissionService) -> None:
    view = draft(service)
    assert (view.kind, view.status, view.title_en, view.notified) == (NOTE, PENDING, "Kalman filter", True)
    preview = service.render_note(view)
    assert (
        "slug: kalman-filter\n" in preview
        and "kind: concept" in preview
        and "- калмановский фильтр" in preview
    )
    assert preview.rstrip().endswith("## In short") and "## Коротко\n\n## Подробнее" in preview
    assert [v.id for v in service.pending()] == [view.id]  # in /queue next to the memes


def test_an_empty_draft_cannot_be_approved(service: SubmissionService) -> None:
    view = draft(service)
    with pytest.raises(NoteBodyMissing) as refused:
        service.approve(view.id, ADMIN)
    assert "has no text yet" in refused.value.message("en")
    assert service.get(view.id).status == PENDING


@pytest.mark.parametrize(
    "body",
    [
        "text first\n## Коротко\nx\n## Подробнее\ny\n## In short\nz",
        "## Коротко\nx\n## Подробнее\ny",
        "## Коротко\nx\n## Подробнее\n\n## In short\nz",
        "## Коротко\nx\n## Details\ny\n## Подробнее\ny\n## In short\nz",
    ],
)
def test_a_body_with_sections_must_have_the_notes_sections(service: SubmissionService, body: str) -> None:
    view = draft(service)
    with pytest.raises(InvalidExplanation) as refused:
        service.edit(view.id, ADMIN, explanation=body)
    assert "## Коротко, ## Подробнее, ## In short" in refused.value.message("en")


def test_a_name_another_note_has_is_refused(service: SubmissionService) -> None:
    view = draft(service)
    with pytest.raises(InvalidEdit):
        service.edit(view.id, ADMIN, aliases=["alpha"])
    with pytest.raises(Exception, match="already used"):
        service.edit(view.id, ADMIN, title_en="Beta release")


def test_publishing_a_drafted_note_closes_the_loop(
    service: SubmissionService, loop: LearningLoop, tmp_path: Path
) -> None:
    token = new_token()
    loop.record(token, USER, USER, "ru", "unknown", "что такое фильтр калмана")
    loop.recorder.flush()
    asked = loop.store.wanted(utcnow().replace(year=2000), 10)[0]
    view = draft(
        service,
        [{"id": asked.id, "q": asked.query, "lang": "ru"}, {"q": "what is a kalman filter", "lang": "en"}],
    )
    assert loop.store.wanted(utcnow().replace(year=2000), 10) == []  # a draft takes care of it
    published = service.approve(view.id, ADMIN, explanation=BODY)
    assert (published.status, published.slug) == (PUBLISHED, "kalman-filter")
    path = service.publisher.path_of(published)
    assert path == service.notes_dir / "concepts" / "kalman-filter.md"
    note = next(n for n in load_notes(service.notes_dir) if n.slug == "kalman-filter")
    assert (note.title, note.title_en, note.kind, note.source) == (
        "Фильтр калмана",
        "Kalman filter",
        "concept",
        f"submission {view.id}",
    )
    assert "kalman" in note.aliases and note.short("en").startswith("A Kalman filter blends")
    assert read_cases(tmp_path / "regressions.jsonl") == [
        {"q": "что такое фильтр калмана", "lang": "ru", "slugs": ["kalman-filter"]},
        {"q": "what is a kalman filter", "lang": "en", "slugs": ["kalman-filter"]},
    ]
    assert loop.store.wanted(utcnow().replace(year=2000), 10) == []  # answered now, not wanted
    assert service.approve(view.id, ADMIN).status == PUBLISHED  # again: idempotent, one note


def test_plain_text_becomes_the_sections(service: SubmissionService) -> None:
    view = draft(service, [])
    published = service.approve(
        view.id,
        ADMIN,
        explanation="Фильтр Калмана оценивает состояние по шумным измерениям. Подробности потом.",
    )
    text = service.publisher.path_of(published).read_text(encoding="utf-8")
    assert "## Коротко\nФильтр Калмана оценивает состояние по шумным измерениям. Подробности потом." in text
    assert any(n.slug == published.slug for n in load_notes(service.notes_dir))


def test_a_failing_hook_leaves_the_note_approved_for_recovery(service: SubmissionService) -> None:
    calls = []

    def broken(view) -> None:
        calls.append(view.id)
        raise RuntimeError("disk full")

    service.on_published = broken
    view = draft(service)
    with pytest.raises(RuntimeError):
        service.approve(view.id, ADMIN, explanation=BODY)
    assert service.get(view.id).status == "approved"
    service.on_published = lambda view: calls.append(-view.id)
    assert service.recover() == [view.id] and calls == [view.id, -view.id]
    assert service.get(view.id).status == PUBLISHED


def test_the_admins_edit_message_carries_a_notes_english_title_and_sections() -> None:
    from bot.telegram.moderation import parse_edits

    edits = parse_edits(
        "title_en: Kalman filter\nexplanation: ## Коротко\nКоротко.\n## Подробнее\nПодробно.\n## In short\nShort."
    )
    assert edits == {
        "title_en": "Kalman filter",
        "explanation": "## Коротко\nКоротко.\n## Подробнее\nПодробно.\n## In short\nShort.",
    }
