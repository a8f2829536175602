"""Meme submissions and moderation, end to end over HTTP with the real bot and a real index rebuild."""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bot.services import Services
from bot.telegram.lifecycle import stop_workers
from indexer.search import Retriever
from tests.e2e.conftest import ADMIN, EN_USER, RU_USER, button_data
from tests.e2e.emulator import User

pytestmark = pytest.mark.e2e

ADMIN2 = User(id=9002, first_name="Второй админ", language_code="ru", username="admin2")
TITLE = "Градиентный спуск на лыжах"
EXPLANATION = "Лыжник едет вниз по склону функции потерь и застревает в локальном минимуме: это и есть SGD."


def new_meme_picture(seed: int = 1) -> bytes:
    """A picture unlike the known memes: coloured stripes, a slope and a skier-ish stick figure."""
    img = Image.new("RGB", (640, 480), (30 + 40 * seed % 200, 120, 200))
    draw = ImageDraw.Draw(img)
    for i in range(0, 640, 40):
        draw.rectangle([i, 0, i + 20, 480], fill=(240, 240, 255))
    draw.polygon([(0, 100), (640, 420), (0, 480)], fill=(250, 250, 250))
    draw.line([(200, 200), (230, 260), (260, 300)], fill=(0, 0, 0), width=8)
    draw.ellipse([185, 170, 215, 200], fill=(220, 40, 40))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture()
def writable_services(
    e2e_knowledge: Path, e2e_index: Path, encoder, intent_router, tmp_path: Path, monkeypatch
) -> Services:
    """A private copy of the notes and the index: approvals write notes and rebuild the index."""
    from demos.registry import list_demos

    knowledge = tmp_path / "knowledge"
    index = tmp_path / "index"
    shutil.copytree(e2e_knowledge, knowledge)
    shutil.copytree(e2e_index, index, symlinks=True)
    monkeypatch.setenv("MEMEBOT_KNOWLEDGE", str(knowledge))
    return Services(Retriever.load(index, encoder), intent_router, list_demos(), index_root=index)


async def start_moderated(start_bot, services: Services, admins: tuple[User, ...] = (ADMIN,), **overrides):
    """The bot, with admins who have opened a chat with it (Telegram only delivers to those)."""
    bot = await start_bot(services=services, admins_in_order=tuple(a.id for a in admins), **overrides)
    for admin in admins:
        bot.emu.register_chat(admin.id, admin)
    return bot


async def submit(
    bot, user: User, picture: bytes, title: str = TITLE, explanation: str | None = EXPLANATION
) -> int:
    """Script the /submit conversation up to the confirmation; returns the submission id."""
    (ask,) = await bot.say(user, "/submit")
    assert "картинку" in ask.params["text"] or "picture" in ask.params["text"]
    (ask_title,) = await bot.say(user, photo=picture)
    assert "называется" in ask_title.params["text"] or "called" in ask_title.params["text"]
    await bot.say(user, title)
    (preview,) = await bot.say(user, explanation if explanation is not None else "/skip", method="sendPhoto")
    message = bot.last_bot_message(user.id)
    data = [d for d in button_data(message).values() if d.startswith("s:confirm:")]
    assert data, f"no confirm button under the preview: {button_data(message)}"
    await bot.press(user, message, data[0], method="sendMessage")
    return int(data[0].rsplit(":", 1)[1])


async def admin_message(bot, admin: User, submission_id: int) -> dict:
    """The decision message an admin got for a submission (waits for it to arrive)."""
    await bot.emu.wait_for(
        "sendPhoto",
        timeout=30,
        predicate=lambda c: (
            str(c.params.get("chat_id")) == str(admin.id)
            and f"a:approve:{submission_id}" in str(c.params.get("reply_markup"))
        ),
    )
    for message in reversed(bot.emu.sent_messages(admin.id)):
        if f"a:approve:{submission_id}" in button_data(message).values():
            return message
    raise AssertionError(f"admin {admin.id} got no decision buttons for #{submission_id}")


async def test_submit_approve_notify_and_answer_from_the_new_note(start_bot, writable_services) -> None:
    bot = await start_moderated(start_bot, writable_services)
    submission_id = await submit(bot, RU_USER, new_meme_picture())
    assert f"№{submission_id}" in bot.calls_to(RU_USER.id, "sendMessage")[-1].params["text"]
    to_admin = await admin_message(bot, ADMIN, submission_id)
    assert TITLE in to_admin["caption"]

    # A non-admin forging the approve button changes nothing.
    await bot.say(EN_USER, "hello")
    anyone = bot.last_bot_message(EN_USER.id)
    await bot.press(EN_USER, anyone, f"a:approve:{submission_id}", forged=True)
    assert bot.emu.calls("answerCallbackQuery")[-1].params["text"] == "Only admins can do that."
    service = bot.app.bot_data.submissions
    assert service.get(submission_id).status == "pending"
    denied = [a for a in service.audit(submission_id) if not a.allowed]
    assert denied and denied[-1].actor_id == EN_USER.id

    await bot.press(ADMIN, to_admin, f"a:approve:{submission_id}")
    notice = await bot.emu.wait_for(
        "sendMessage",
        timeout=60,
        predicate=lambda c: str(c.params.get("chat_id")) == str(RU_USER.id) and "одобрен" in c.params["text"],
    )
    assert f"№{submission_id}" in notice[0].params["text"]
    view = service.get(submission_id)
    assert view.status == "published" and view.slug.startswith("meme-")
    note_path = Path(writable_services.retriever.version_dir).parent  # the index was hot-swapped
    assert writable_services.retriever.version_dir != note_path / "missing"
    assert view.slug in bot.app.bot_data.services.retriever.notes, "the running bot serves the new index"

    (reply,) = await bot.say(RU_USER, "в чём прикол мема про градиентный спуск на лыжах")
    assert reply.params["text"].startswith(f"<b>{TITLE}</b>")
    assert "локальном минимуме" in reply.params["text"]


async def test_rejection_with_a_quick_reason_reaches_the_submitter(start_bot, writable_services) -> None:
    bot = await start_moderated(start_bot, writable_services)
    submission_id = await submit(
        bot, EN_USER, new_meme_picture(2), title="My <b>bold</b> & weird meme", explanation=None
    )
    to_admin = await admin_message(bot, ADMIN, submission_id)
    assert "My &lt;b&gt;bold&lt;/b&gt; &amp; weird meme" in bot.emu.calls("sendPhoto")[-1].params["caption"]
    await bot.press(ADMIN, to_admin, f"a:reject:{submission_id}", method="sendMessage")
    reasons = bot.last_bot_message(ADMIN.id)
    await bot.press(ADMIN, reasons, f"a:reason:{submission_id}:offtopic")
    (told,) = await bot.emu.wait_for(
        "sendMessage",
        timeout=30,
        predicate=lambda c: (
            str(c.params.get("chat_id")) == str(EN_USER.id) and "rejected" in c.params["text"]
        ),
    )
    assert "it is not about machine learning" in told.params["text"]
    assert bot.app.bot_data.submissions.get(submission_id).status == "rejected"


async def test_custom_rejection_reason_typed_by_the_admin(start_bot, writable_services) -> None:
    bot = await start_moderated(start_bot, writable_services)
    submission_id = await submit(bot, RU_USER, new_meme_picture(3))
    to_admin = await admin_message(bot, ADMIN, submission_id)
    await bot.press(ADMIN, to_admin, f"a:reject:{submission_id}", method="sendMessage")
    await bot.press(
        ADMIN, bot.last_bot_message(ADMIN.id), f"a:reason:{submission_id}:custom", method="sendMessage"
    )
    await bot.say(ADMIN, "картинка слишком мелкая")
    (told,) = await bot.emu.wait_for(
        "sendMessage",
        timeout=30,
        predicate=lambda c: (
            str(c.params.get("chat_id")) == str(RU_USER.id) and "отклонён" in c.params["text"]
        ),
    )
    assert "картинка слишком мелкая" in told.params["text"]


async def test_known_meme_picture_is_pointed_out_as_duplicate(
    start_bot, writable_services, e2e_knowledge: Path
) -> None:
    bot = await start_moderated(start_bot, writable_services)
    picture = (e2e_knowledge / "memes" / "images" / "meme-xgboost-kaggle.png").read_bytes()
    await bot.say(RU_USER, "/submit")
    calls = await bot.say(RU_USER, photo=picture, count=2)  # said at once, before the title is asked
    assert "уже есть" in calls[0].params["text"] and "«Мем «XGBoost" in calls[0].params["text"]
    assert "meme-xgboost" not in calls[0].params["text"], "the meme is named by its title, not its slug"
    assert calls[1].params["text"].startswith("<b>Мем «XGBoost")
    assert bot.app.bot_data.submissions.pending() == []


async def test_bad_input_in_the_conversation(start_bot, writable_services) -> None:
    bot = await start_moderated(start_bot, writable_services)
    await bot.say(EN_USER, "/submit")
    (not_image,) = await bot.say(EN_USER, document=("meme.png", b"%PDF-1.4 not a picture", "image/png"))
    assert "picture" in not_image.params["text"].lower() or "image" in not_image.params["text"].lower()
    (huge,) = await bot.say(
        EN_USER, document=("big.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024 + 10), "image/png")
    )
    assert "10" in huge.params["text"]
    await bot.say(EN_USER, photo=new_meme_picture(4))
    (control,) = await bot.say(EN_USER, "Meme\u0007title")
    assert "title" in control.params["text"].lower()
    (long_title,) = await bot.say(EN_USER, "x" * 300)
    assert "120" in long_title.params["text"]
    (cancelled,) = await bot.say(EN_USER, "/cancel")
    assert cancelled.params["text"] == "Cancelled. Nothing was sent."


async def test_crash_between_commit_and_index_is_recovered_on_restart(
    start_bot, writable_services, monkeypatch
) -> None:
    from bot.community.publishing import Publisher

    bot = await start_moderated(start_bot, writable_services)
    submission_id = await submit(bot, RU_USER, new_meme_picture(5))
    original = Publisher.rebuild

    def crash(self, view):
        raise RuntimeError("power cut before the index rebuild")

    monkeypatch.setattr(Publisher, "rebuild", crash)
    await bot.press(ADMIN, await admin_message(bot, ADMIN, submission_id), f"a:approve:{submission_id}")
    await bot.emu.wait_for(
        "sendMessage",
        timeout=30,
        predicate=lambda c: (
            str(c.params.get("chat_id")) == str(ADMIN.id) and "пошло не так" in c.params["text"]
        ),
    )
    service = bot.app.bot_data.submissions
    assert service.get(submission_id).status == "approved"

    monkeypatch.setattr(Publisher, "rebuild", original)
    # The crashed process is gone: its workers must not take the owed verdict to its old emulator.
    await stop_workers(bot.app)
    restarted = await start_moderated(start_bot, writable_services, database_url=bot.settings.database_url)
    (told,) = await restarted.emu.wait_for(
        "sendMessage", timeout=60, predicate=lambda c: str(c.params.get("chat_id")) == str(RU_USER.id)
    )
    assert "одобрен" in told.params["text"]
    view = restarted.app.bot_data.submissions.get(submission_id)
    assert view.status == "published"
    notes = list((Path(writable_services.retriever.notes[view.slug].path).parent).glob("meme-*.md"))
    assert sum(1 for p in notes if f"submission {submission_id}" in p.read_text(encoding="utf-8")) == 1


async def test_two_admins_approving_at_once_publish_one_note(start_bot, writable_services) -> None:
    bot = await start_moderated(start_bot, writable_services, (ADMIN, ADMIN2))
    submission_id = await submit(bot, RU_USER, new_meme_picture(6))
    first, second = (
        await admin_message(bot, ADMIN, submission_id),
        await admin_message(bot, ADMIN2, submission_id),
    )
    answers = len(bot.emu.calls("answerCallbackQuery"))
    bot.emu.press_button(ADMIN.id, ADMIN, first["message_id"], f"a:approve:{submission_id}")
    bot.emu.press_button(ADMIN2.id, ADMIN2, second["message_id"], f"a:approve:{submission_id}")
    await bot.emu.wait_for("answerCallbackQuery", count=answers + 2, timeout=30)
    await bot.emu.wait_for(
        "sendMessage",
        timeout=60,
        predicate=lambda c: str(c.params.get("chat_id")) == str(RU_USER.id) and "одобрен" in c.params["text"],
    )
    await asyncio.sleep(1.0)
    view = bot.app.bot_data.submissions.get(submission_id)
    memes = Path(writable_services.retriever.notes[view.slug].path).parent
    published = [
        p for p in memes.glob("meme-*.md") if f"submission {submission_id}" in p.read_text(encoding="utf-8")
    ]
    assert len(published) == 1 and view.status == "published"
    told = [c for c in bot.calls_to(RU_USER.id, "sendMessage") if "одобрен" in c.params["text"]]
    assert len(told) == 1, "the submitter is told once"


async def test_admin_edits_title_and_aliases_before_approving(start_bot, writable_services) -> None:
    bot = await start_moderated(start_bot, writable_services)
    submission_id = await submit(bot, RU_USER, new_meme_picture(7), title="мем про лыжи", explanation=None)
    await bot.press(
        ADMIN, await admin_message(bot, ADMIN, submission_id), f"a:edit:{submission_id}", method="sendMessage"
    )
    assert "title:" in bot.calls_to(ADMIN.id, "sendMessage")[-1].params["text"]
    (preview,) = await bot.say(
        ADMIN,
        "title: Лыжник в локальном минимуме\nexplanation: SGD застрял.\naliases: лыжник sgd, skier sgd\nrelated: gradient-descent",
    )
    assert "Лыжник в локальном минимуме" in preview.params["text"]
    edited = bot.last_bot_message(ADMIN.id)
    await bot.press(ADMIN, edited, f"a:approve:{submission_id}")
    await bot.emu.wait_for(
        "sendMessage",
        timeout=60,
        predicate=lambda c: str(c.params.get("chat_id")) == str(RU_USER.id) and "одобрен" in c.params["text"],
    )
    view = bot.app.bot_data.submissions.get(submission_id)
    note = bot.app.bot_data.services.retriever.notes[view.slug]
    assert (
        note.title == "Лыжник в локальном минимуме"
        and "skier sgd" in note.aliases
        and note.related == ["gradient-descent"]
    )
    (reply,) = await bot.say(EN_USER, "explain the skier sgd meme")
    assert (
        reply.params["text"].startswith("<b>Лыжник в локальном минимуме</b>")
        or "Лыжник" in reply.params["text"]
    )
