"""Meme submissions: validation, limits, duplicates, permissions, publishing into the real index,
crash recovery and unicode titles (SQLite; tests/test_storage.py repeats the races on PostgreSQL)."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from PIL import Image

from bot.community.errors import (
    DailyLimitReached,
    DuplicateMeme,
    InvalidEdit,
    InvalidExplanation,
    InvalidImage,
    InvalidReason,
    InvalidSubmission,
    InvalidTitle,
    InvalidTransition,
    NotAllowed,
    SubmissionNotFound,
)
from bot.community.model import APPROVED, CANCELLED, DRAFT, PENDING, PUBLISHED, REJECTED
from bot.community.publishing import Publisher
from bot.community.repository import SubmissionRepository
from bot.community.service import SubmissionService
from bot.community.validation import slugify, validate_title
from bot.storage import Database, open_database
from bot.vision import MemeImageIndex
from indexer.build import build_index
from indexer.notes import SLUG_RE, load_notes, parse_note
from indexer.search import Retriever
from tests.conftest import KNOWLEDGE, copy_index
from tests.test_storage import notes_from, png

ADMIN, OTHER_ADMIN, AUTHOR, STRANGER = 1001, 1002, 501, 777
ADMINS = frozenset({ADMIN, OTHER_ADMIN})


@pytest.fixture()
def notes_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge"))


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'memebot.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture()
def service(db: Database, notes_dir: Path, memebot_home: Path) -> SubmissionService:
    """No index rebuild and no picture index: fast, for everything that is not about them."""
    return SubmissionService(db, ADMINS, memebot_home, notes_dir)


@pytest.fixture()
def index_copy(tmp_path: Path, index_root: Path) -> Path:
    """The session's real index, copied so an approval can rebuild it incrementally."""
    return copy_index(index_root, tmp_path / "index")


def indexed(db: Database, notes_dir: Path, home: Path, root: Path, encoder) -> SubmissionService:
    def rebuild() -> object:
        return build_index(notes_dir=notes_dir, root=root, encoder=encoder, progress=False)

    return SubmissionService(db, ADMINS, home, notes_dir, rebuild_index=rebuild)


def submit(
    service: SubmissionService,
    seed: int = 1,
    title: str = "Жираф деплоит модель в пятницу вечером",
    explanation: str = "",
    user: int = AUTHOR,
) -> int:
    draft = service.create_draft(user, user, "ru", png(seed), title, explanation)
    assert draft.status == DRAFT
    return service.confirm(draft.id, user).id


def front_matter(path: Path) -> dict:
    text = path.read_text("utf-8")
    return yaml.safe_load(text.split("---\n")[1])


# --------------------------------------------------------------------------- validation


def test_title_validation_names_the_problem_and_the_fix() -> None:
    with pytest.raises(InvalidTitle) as empty:
        validate_title("   \n\t ")
    assert "пустое" in empty.value.message("ru") and "empty" in empty.value.message("en")
    with pytest.raises(InvalidTitle) as long:
        validate_title("a" * 121)
    assert "121" in long.value.message("ru") and "120" in long.value.message("ru")
    assert "121 characters, the limit is 120" in long.value.message("en") and "Shorten" in long.value.message(
        "en"
    )
    with pytest.raises(InvalidTitle) as control:
        validate_title("bell\x07title")
    assert "U+0007" in control.value.message("en") and "управляющий" in control.value.message("ru")
    with pytest.raises(InvalidTitle, match="unicode"):
        validate_title("broken \ud800 surrogate")
    for invisible in ("\u200d", "\u0301\u0301", "\u200f\u200e"):
        with pytest.raises(InvalidTitle):
            validate_title(invisible)
    assert validate_title("a" * 120) == "a" * 120
    assert validate_title("  Лосс \n\t упал  ") == "Лосс упал"
    assert validate_title("Cafe\u0301") == "Caf\u00e9"  # NFC


def test_explanation_and_image_errors(service: SubmissionService) -> None:
    with pytest.raises(InvalidExplanation) as long:
        service.create_draft(AUTHOR, AUTHOR, "ru", png(1), "Мем", "x" * 2001)
    assert "2001" in long.value.message("ru") and "2000" in long.value.message("en")
    assert "explanation" in type(long.value).__name__.lower()  # the bot keeps asking for the explanation
    with pytest.raises(InvalidExplanation, match="U\\+001B"):
        service.create_draft(AUTHOR, AUTHOR, "ru", png(1), "Мем", "escape \x1b[31m red")
    with pytest.raises(InvalidImage) as not_image:
        service.create_draft(AUTHOR, AUTHOR, "ru", b"%PDF-1.4 definitely not a picture", "Мем")
    assert not_image.value.message("ru") and not_image.value.message("en") != not_image.value.message("ru")
    with pytest.raises(InvalidImage) as too_big:
        service.create_draft(AUTHOR, AUTHOR, "ru", png(1) + b"\0" * (10 * 1024 * 1024), "Мем")
    assert "10" in too_big.value.message("en")
    assert service.submissions() == [] and service.audit() == []  # nothing stored on any failure


def test_draft_is_stored_content_addressed_and_committed_at_once(
    service: SubmissionService, db: Database, memebot_home: Path
) -> None:
    data = png(5)
    draft = service.create_draft(
        AUTHOR, 9, "en", data, "  Gradient   goes brrr ", "Line one.\r\n\r\n\r\n\r\nLine two.  "
    )
    assert (
        draft.status == DRAFT
        and draft.title == "Gradient goes brrr"
        and draft.explanation == "Line one.\n\nLine two."
    )
    assert draft.image_path.parent.parent == memebot_home / "images"
    assert (
        draft.image_path.name == f"{draft.image_sha256}.png"
        and draft.image_path.parent.name == draft.image_sha256[:2]
    )
    assert draft.image_path.read_bytes() == data
    fresh = SubmissionService(db, ADMINS, memebot_home, service.notes_dir)  # another process sees it
    assert fresh.get(draft.id).status == DRAFT and fresh.get(draft.id).user_lang == "en"
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png(6))).save(jpeg, format="JPEG")
    assert service.create_draft(AUTHOR, 9, "ru", jpeg.getvalue(), "Другой").image_path.suffix == ".jpg"


def test_daily_limit(db: Database, notes_dir: Path, memebot_home: Path) -> None:
    service = SubmissionService(db, ADMINS, memebot_home, notes_dir, daily_limit=2)
    submit(service, seed=1, title="Первый")
    cancelled = service.create_draft(AUTHOR, AUTHOR, "ru", png(2), "Передумал")
    service.cancel(cancelled.id, AUTHOR)  # a cancelled draft does not count (and its picture is gone)
    assert not cancelled.image_path.exists()
    typo = service.create_draft(AUTHOR, AUTHOR, "ru", png(3), "Втрой")
    fixed = service.create_draft(
        AUTHOR, AUTHOR, "ru", png(3), "Второй"
    )  # at the limit, a redo of one's draft is fine
    assert service.get(typo.id).status == CANCELLED and service.confirm(fixed.id, AUTHOR).status == PENDING
    with pytest.raises(DailyLimitReached) as exc:
        service.create_draft(AUTHOR, AUTHOR, "ru", png(4), "Третий")
    assert (
        exc.value.limit == 2
        and "2 мемов" not in exc.value.message("ru")
        and "2 мема" in exc.value.message("ru")
    )
    assert "at most 2 memes a day" in exc.value.message("en")
    assert service.create_draft(STRANGER, STRANGER, "ru", png(4), "Чужой").status == DRAFT  # per user


@pytest.fixture()
def known_picture(notes_dir: Path) -> bytes:
    """The floor-is-lava picture, referenced from its note (added to the copy if the note lacks it)."""
    note = notes_dir / "memes" / "meme-floor-is-lava.md"
    text = note.read_text("utf-8")
    if "\nimage:" not in text.split("\n---\n", 1)[0]:
        head, body = text.split("\n---\n", 1)
        note.write_text(f"{head}\nimage: images/meme-floor-is-lava.png\n---\n{body}", "utf-8")
    return (notes_dir / "memes" / "images" / "meme-floor-is-lava.png").read_bytes()


def test_duplicate_of_a_known_meme_picture(
    known_picture: bytes, db: Database, notes_dir: Path, memebot_home: Path
) -> None:
    index = MemeImageIndex.from_notes(load_notes(notes_dir))
    service = SubmissionService(db, ADMINS, memebot_home, notes_dir, image_index_provider=lambda: index)
    original = known_picture
    with pytest.raises(DuplicateMeme) as exact:
        service.create_draft(AUTHOR, AUTHOR, "ru", original, "Пол это лава")
    assert (exact.value.kind, exact.value.ref) == ("known", "meme-floor-is-lava")
    # The user is told the meme's name, not its internal slug.
    assert "«Пол — это лава»" in exact.value.message(
        "ru"
    ) and "meme-floor-is-lava" not in exact.value.message("ru")
    assert "The floor is lava, research code edition" in exact.value.message("en")
    image = Image.open(io.BytesIO(original)).convert("RGB")
    resized = io.BytesIO()
    image.resize((image.width * 3 // 4, image.height * 3 // 4)).save(resized, format="JPEG", quality=80)
    with pytest.raises(DuplicateMeme) as near:
        service.create_draft(AUTHOR, AUTHOR, "ru", resized.getvalue(), "Пол это лава, но в джипеге")
    assert near.value.kind == "known" and near.value.ref == "meme-floor-is-lava"
    assert service.submissions() == []


def test_duplicate_of_a_pending_submission_and_own_draft_superseded(service: SubmissionService) -> None:
    first = submit(service, seed=21, title="Оригинал")
    with pytest.raises(DuplicateMeme) as exc:
        service.create_draft(STRANGER, STRANGER, "en", png(21), "Copy")
    assert (exc.value.kind, exc.value.ref) == ("pending", first)
    assert f"#{first}" in exc.value.message("en") and f"№{first}" in exc.value.message("ru")
    old = service.create_draft(STRANGER, STRANGER, "ru", png(22), "Черновик")
    new = service.create_draft(STRANGER, STRANGER, "ru", png(22), "Черновик, вторая попытка")
    assert service.get(old.id).status == CANCELLED and new.status == DRAFT
    assert new.image_path.exists()  # the shared picture survives the superseded draft
    with pytest.raises(DuplicateMeme) as other:  # someone else's fresh draft counts too
        service.create_draft(AUTHOR, AUTHOR, "ru", png(22), "Опередили")
    assert other.value.ref == new.id


# --------------------------------------------------------------------------- the author's side


def test_confirm_and_cancel_belong_to_the_author(service: SubmissionService) -> None:
    draft = service.create_draft(AUTHOR, AUTHOR, "ru", png(31), "Мой мем")
    with pytest.raises(NotAllowed) as exc:
        service.confirm(draft.id, STRANGER)
    assert exc.value.need == "owner" and "автор" in exc.value.message("ru")
    with pytest.raises(NotAllowed):
        service.cancel(draft.id, STRANGER)
    assert service.get(draft.id).status == DRAFT
    assert service.confirm(draft.id, AUTHOR).status == PENDING
    assert service.confirm(draft.id, AUTHOR).status == PENDING  # idempotent
    with pytest.raises(InvalidTransition) as late:
        service.cancel(draft.id, AUTHOR)
    assert late.value.current_status == PENDING
    with pytest.raises(SubmissionNotFound) as missing:
        service.confirm(9999, AUTHOR)
    assert "9999" in missing.value.message("ru") and "9999" in missing.value.message("en")
    denied = [(e.actor_id, e.action, e.allowed) for e in service.audit(draft.id) if not e.allowed]
    assert denied == [(STRANGER, "confirm", False), (STRANGER, "cancel", False)]


# --------------------------------------------------------------------------- admins


def test_non_admins_change_nothing_and_are_audited(
    service: SubmissionService, notes_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sid = submit(service)
    before = service.get(sid)
    attempts = {
        "approve": lambda: service.approve(sid, STRANGER),
        "reject": lambda: service.reject(sid, STRANGER, "не нравится"),
        "edit": lambda: service.edit(sid, STRANGER, title="Взлом"),
    }
    for action, attempt in attempts.items():
        with pytest.raises(NotAllowed) as exc:
            attempt()
        assert exc.value.action == action and exc.value.message("ru") == "Это могут делать только админы."
    assert service.get(sid) == before
    assert notes_from(notes_dir, sid) == []
    denied = [
        (e.actor_id, e.action, e.allowed, e.before, e.after) for e in service.audit(sid) if not e.allowed
    ]
    assert denied == [(STRANGER, a, False, None, None) for a in attempts]
    assert sum("may not" in r.getMessage() and str(STRANGER) in r.getMessage() for r in caplog.records) == 3
    service.record_denied(
        STRANGER, "approve", 424242
    )  # a made-up id is still audited, without a dangling key
    assert service.audit()[-1].submission_id is None and service.audit()[-1].before == {
        "submission_id": 424242
    }
    assert not service.is_admin(STRANGER) and service.is_admin(ADMIN)


def test_reject_with_a_reason(service: SubmissionService, notes_dir: Path) -> None:
    sid = submit(service)
    for bad in ("", "   ", "x" * 501):
        with pytest.raises(InvalidReason):
            service.reject(sid, ADMIN, bad)
    view = service.reject(sid, ADMIN, "  Уже есть похожий мем про деплой.  ")
    assert (view.status, view.reason, view.decided_by) == (
        REJECTED,
        "Уже есть похожий мем про деплой.",
        ADMIN,
    )
    assert service.reject(sid, OTHER_ADMIN, "другая причина").reason == view.reason  # idempotent, first wins
    with pytest.raises(InvalidTransition) as exc:
        service.approve(sid, ADMIN)
    assert exc.value.current_status == REJECTED and "rejected" in exc.value.message("en")
    assert notes_from(notes_dir, sid) == []
    entry = [e for e in service.audit(sid) if e.action == "reject"]
    assert len(entry) == 1 and entry[0].before["status"] == PENDING and entry[0].after["status"] == REJECTED
    assert [(e.action, e.actor_id) for e in service.audit(sid)][-1] == ("reject_again", OTHER_ADMIN)


def test_edit_validates_and_is_audited(service: SubmissionService) -> None:
    sid = submit(service)
    with pytest.raises(InvalidEdit, match="no note 'no-such-note'"):
        service.edit(sid, ADMIN, related=["no-such-note"])
    with pytest.raises(InvalidEdit, match="The floor is lava, research code edition"):
        service.edit(sid, ADMIN, aliases=["The Floor Is Lava"])  # would make the knowledge base invalid
    with pytest.raises(InvalidTitle, match="The floor is lava") as taken:
        service.edit(sid, ADMIN, title="пол это лава")
    assert "«Мем «Пол — это лава» про код исследователей»" in taken.value.message("ru")
    with pytest.raises(InvalidSubmission):
        service.edit(sid, ADMIN, title="")
    view = service.edit(
        sid,
        ADMIN,
        title="Жираф и пятничный деплой",
        aliases=["жираф-деплой", "Жираф-деплой", "giraffe deploy"],
        related=["overfitting"],
    )
    assert (
        view.title == "Жираф и пятничный деплой"
        and view.aliases == ["жираф-деплой", "giraffe deploy"]
        and view.related == ["overfitting"]
    )
    entry = service.audit(sid)[-1]
    assert (entry.action, entry.actor_id, entry.before["title"], entry.after["title"]) == (
        "edit",
        ADMIN,
        "Жираф деплоит модель в пятницу вечером",
        view.title,
    )
    service.reject(sid, ADMIN, "передумали")
    with pytest.raises(InvalidTransition):
        service.edit(sid, ADMIN, title="Поздно")


def test_approve_publishes_a_valid_note_the_rebuilt_index_finds(
    db: Database, notes_dir: Path, memebot_home: Path, index_copy: Path, encoder
) -> None:
    service = indexed(db, notes_dir, memebot_home, index_copy, encoder)
    explanation = (
        "Жираф в худи нажимает «deploy» в пятницу в шесть вечера. Все, кто выкатывал модель перед выходными, "
        "знают, чем это кончается: в субботу метрики падают, а дежурный ищет, какая версия весов уехала в прод.\n\n"
        "Мораль: выкатывайте модели в начале недели и держите откат наготове."
    )
    sid = submit(service, explanation=explanation)
    view = service.approve(sid, ADMIN, aliases=["жираф деплоит"], related=["overfitting"])
    assert view.status == PUBLISHED and view.slug == "meme-zhiraf-deploit-model-v-pyatnitsu-vecherom"
    path = notes_dir / "memes" / f"{view.slug}.md"
    meta = front_matter(path)
    assert meta == {
        "slug": view.slug,
        "kind": "meme",
        "title": "Жираф деплоит модель в пятницу вечером",
        "title_en": "Жираф деплоит модель в пятницу вечером",
        "aliases": ["Жираф деплоит модель в пятницу вечером", "жираф деплоит"],
        "tags": ["community"],
        "related": ["overfitting"],
        "source": f"submission {sid}",
        "image": f"images/{view.slug}.png",
    }
    note = next(n for n in load_notes(notes_dir) if n.slug == view.slug)  # the whole collection stays valid
    assert note.sections["Коротко"].startswith("Жираф в худи") and "Мораль" not in note.sections["Коротко"]
    assert "Мораль" in note.sections["Подробнее"]
    # No English text was given: English readers see the Russian one, marked as such.
    assert (
        note.sections["In short"] == "(This meme is explained in Russian only.) " + note.sections["Коротко"]
    )
    assert (notes_dir / "memes" / "images" / f"{view.slug}.png").read_bytes() == view.image_path.read_bytes()
    hits = Retriever.load(index_copy, encoder).search(
        "в чём прикол мема про жирафа, который деплоит модель в пятницу", k=3
    )
    assert hits[0].slug == view.slug and hits[0].relevant
    again = service.approve(sid, OTHER_ADMIN)  # idempotent: same note, the repeat is only recorded
    assert again == service.get(sid) and again.slug == view.slug and notes_from(notes_dir, sid) == [path]
    assert [(e.action, e.actor_id) for e in service.audit(sid)] == [
        ("create", AUTHOR),
        ("confirm", AUTHOR),
        ("approve", ADMIN),
        ("publish", ADMIN),
        ("approve_again", OTHER_ADMIN),
    ]


def test_skipped_explanation_and_hostile_text_still_make_a_valid_note(
    service: SubmissionService, notes_dir: Path
) -> None:
    title = "<script>alert('x')</script> & \"quotes\": yes # not a comment"
    sid = submit(service, title=title)
    assert service.get(sid).title == title  # stored verbatim; escaping is the renderer's job
    view = service.approve(sid, ADMIN)
    note = parse_note(notes_dir / "memes" / f"{view.slug}.md")[0]
    assert note.title == title and note.title_en == title
    assert "no explanation" in note.sections["In short"]
    assert all(note.sections[s] for s in ("Коротко", "Подробнее", "In short"))
    tricky = submit(
        service, seed=2, title="null", explanation="## Коротко\nподделка секции\n# и заголовок\n---\nконец"
    )
    note = parse_note(notes_dir / "memes" / f"{service.approve(tricky, ADMIN).slug}.md")[0]
    assert note.title == "null" and "подделка секции" in note.sections["Подробнее"]
    load_notes(notes_dir)


@pytest.mark.parametrize("crash_at", ["publish", "write", "after_write", "rebuild", "mark_published"])
def test_a_crash_anywhere_is_finished_by_recover(
    crash_at: str,
    db: Database,
    notes_dir: Path,
    memebot_home: Path,
    index_copy: Path,
    encoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_index = crash_at in ("rebuild", "mark_published")  # the index-side crashes use the real builder
    rebuilds: list[int] = []

    def make_service() -> SubmissionService:
        if real_index:
            return indexed(db, notes_dir, memebot_home, index_copy, encoder)
        return SubmissionService(
            db, ADMINS, memebot_home, notes_dir, rebuild_index=lambda: rebuilds.append(1)
        )

    service = make_service()
    sid = submit(service, explanation="Жираф деплоит в пятницу, и это всегда заканчивается откатом.")

    def crash(*_args: object) -> None:
        raise RuntimeError("killed")

    if crash_at == "after_write":
        original = Publisher.write

        def write_then_crash(self: Publisher, *args: object) -> None:
            original(self, *args)
            raise RuntimeError("killed")

        monkeypatch.setattr(Publisher, "write", write_then_crash)
    elif crash_at == "mark_published":
        original_step = SubmissionRepository.step

        def crash_on_publish(
            self: SubmissionRepository,
            submission_id: int,
            actor_id: int,
            action: str,
            *args: str,
            **kwargs: object,
        ) -> bool:
            if action == "publish":
                raise RuntimeError("killed")
            return original_step(self, submission_id, actor_id, action, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(SubmissionRepository, "step", crash_on_publish)
    else:
        monkeypatch.setattr(SubmissionService if crash_at == "publish" else Publisher, crash_at, crash)
    with pytest.raises(RuntimeError, match="killed"):
        service.approve(sid, ADMIN)
    assert service.get(sid).status == APPROVED
    monkeypatch.undo()

    restarted = make_service()
    assert restarted.recover() == [sid] and restarted.recover_errors == {}
    view = restarted.get(sid)
    assert view.status == PUBLISHED and [p.stem for p in notes_from(notes_dir, sid)] == [view.slug]
    assert not list((notes_dir / "memes").glob(".*.tmp"))
    load_notes(notes_dir)
    if real_index:
        assert view.slug in Retriever.load(index_copy, encoder).notes
    else:
        assert rebuilds == [1]
    assert [e.action for e in restarted.audit(sid)].count("publish") == 1
    assert restarted.recover() == [] and restarted.approve(sid, OTHER_ADMIN) == view


HUMAN_NOTE = """\
---
slug: {slug}
kind: meme
title: Чужая заметка с тем же slug
title_en: Someone else's note with the same slug
aliases: [чужая заметка xyz]
tags: [test]
related: []
source: human.txt
---
## Коротко
Заметку написал человек, пока публикация заявки стояла.

## Подробнее
Публикация не должна её перезаписать.

## In short
A human wrote this note while the publication was stuck.
"""


def test_a_note_that_appeared_at_the_chosen_slug_is_not_overwritten(
    service: SubmissionService, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = submit(service, title="Синий экран")

    def crash(*_args: object) -> None:
        raise RuntimeError("crash")

    monkeypatch.setattr(Publisher, "write", crash)
    with pytest.raises(RuntimeError):
        service.approve(sid, ADMIN)
    monkeypatch.undo()
    slug = service.get(sid).slug
    human = notes_dir / "memes" / f"{slug}.md"
    human.write_text(HUMAN_NOTE.format(slug=slug), "utf-8")
    assert service.recover() == [sid]
    view = service.get(sid)
    assert view.slug == f"{slug}-2" and human.read_text("utf-8") == HUMAN_NOTE.format(slug=slug)
    assert [p.stem for p in notes_from(notes_dir, sid)] == [view.slug]
    assert "reslug" in [e.action for e in service.audit(sid)]
    load_notes(notes_dir)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Оверфит на тесте!", "meme-overfit-na-teste"),
        ("🔥🔥🔥 это огонь", "meme-eto-ogon"),
        ("🔥🔥🔥", None),
        ("שלום עולם", None),
        ("\u200fمرحبا بالعالم\u200f", None),
        ("Cafe\u0301 de\u0301ja\u0300 vu", "meme-cafe-deja-vu"),
        ("👨\u200d👩\u200d👧 семья нейросетей", "meme-semya-neyrosetey"),
        ("Ж" * 120, "meme-" + "zh" * 21 + "z"),
        ("Длинное название " * 7, "meme-dlinnoe-nazvanie-dlinnoe-nazvanie-dlinnoe"),
    ],
)
def test_unicode_titles_give_ascii_slugs(
    title: str, slug: str | None, service: SubmissionService, notes_dir: Path
) -> None:
    sid = submit(service, title=title[:120])
    view = service.approve(sid, ADMIN)
    expected = slug or f"meme-submission-{sid}"
    assert view.slug == expected and view.slug.isascii() and SLUG_RE.match(view.slug) and len(view.slug) <= 48
    note = next(n for n in load_notes(notes_dir) if n.slug == view.slug)
    assert note.title == validate_title(title[:120])


def test_slugify_rules() -> None:
    assert slugify("Ёжик в тумане") == "ezhik-v-tumane"
    assert slugify("Щука и Юла") == "shchuka-i-yula"
    assert slugify("  --GPT-4o!!  ") == "gpt-4o"
    assert slugify("🤖") == ""


def test_mark_notified_and_listing(service: SubmissionService) -> None:
    first = submit(service, seed=41, title="Первый")
    second = submit(service, seed=42, title="Второй")
    service.reject(second, ADMIN, "дубль")
    assert [v.id for v in service.pending()] == [first]
    assert [v.id for v in service.submissions()] == [first, second] and [
        v.id for v in service.submissions(REJECTED)
    ] == [second]
    with pytest.raises(InvalidSubmission):
        service.submissions("bogus")
    assert not service.get(second).notified
    service.mark_notified(second)
    service.mark_notified(second)
    assert service.get(second).notified and [e.action for e in service.audit(second)].count("notified") == 1
