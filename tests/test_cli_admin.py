"""``memebot admin``: list, show, approve, reject and recover from the terminal, with one-line errors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.admin import admin
from bot.community.model import PENDING, PUBLISHED
from bot.community.publishing import Publisher
from bot.community.service import SubmissionService
from bot.storage import open_database
from indexer.notes import load_notes
from tests.conftest import KNOWLEDGE
from tests.test_storage import png

ADMIN, SECOND_ADMIN, AUTHOR = 111, 222, 501


@pytest.fixture()
def notes_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge"))
    monkeypatch.setenv("MEMEBOT_KNOWLEDGE", str(path))
    monkeypatch.setenv("MEMEBOT_ADMINS", f"{ADMIN}, {SECOND_ADMIN}")
    monkeypatch.delenv("MEMEBOT_DATABASE_URL", raising=False)
    return path


@pytest.fixture()
def submissions(notes_dir: Path, memebot_home: Path) -> Callable[..., int]:
    """Create pending submissions the way the bot does (same database the CLI opens)."""

    def create(title: str, seed: int, explanation: str = "") -> int:
        db = open_database(f"sqlite:///{memebot_home / 'memebot.sqlite3'}")
        try:
            service = SubmissionService(db, frozenset(), memebot_home, notes_dir)
            draft = service.create_draft(AUTHOR, AUTHOR, "ru", png(seed), title, explanation)
            return service.confirm(draft.id, AUTHOR).id
        finally:
            db.dispose()

    return create


def run(*args: str) -> Result:
    return CliRunner().invoke(admin, list(args), catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("memebot: ") and "Traceback" not in result.output, (
        result.output
    )
    return lines[0]


def test_list_and_show(submissions: Callable[..., int]) -> None:
    assert run("list").output.strip() == "no submissions"
    first = submissions("Жираф деплоит в пятницу", 1, "Все знают, чем это кончается.")
    second = submissions("<b>Кот</b> & трансформер", 2)
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert (
        len(lines) == 2
        and lines[0].startswith(f"#{first} ")
        and "pending" in lines[0]
        and "Жираф деплоит в пятницу" in lines[0]
    )
    assert "<b>Кот</b> & трансформер" in lines[1] and f"user {AUTHOR}" in lines[1]
    assert run("list", "--status", "rejected").output.strip() == "no rejected submissions"
    assert run("list", "--status", "bogus").exit_code == 2
    shown = run("show", str(first))
    assert shown.exit_code == 0
    assert "status:      pending" in shown.output and "Все знают, чем это кончается." in shown.output
    assert "audit:" in shown.output and "create" in shown.output and "draft → pending" in shown.output
    assert second


def test_bad_ids_are_one_line_errors(submissions: Callable[..., int]) -> None:
    submissions("Мем", 3)
    assert "There is no submission #999" in one_line_error(run("show", "999"))
    assert "positive whole number" in one_line_error(run("show", "abc"))
    assert "There is no submission #999" in one_line_error(run("approve", "999"))
    assert "There is no submission #999" in one_line_error(run("reject", "999", "--reason", "нет"))
    assert "--as takes a Telegram user id" in one_line_error(run("approve", "1", "--as", "boss"))


def test_approve_writes_the_note_and_rebuilds_the_index(
    submissions: Callable[..., int], notes_dir: Path, home_index_only: Path
) -> None:
    sid = submissions(
        "Жираф деплоит в пятницу", 4, "Все, кто выкатывал модель перед выходными, знают, чем это кончается."
    )
    versions_before = {p.name for p in (home_index_only / "index" / "versions").iterdir()}
    result = run("approve", str(sid), "--alias", "жираф-деплой", "--related", "overfitting")
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith(f"#{sid} published as meme-zhiraf-deploit-v-pyatnitsu (")
    note = next(n for n in load_notes(notes_dir) if n.source == f"submission {sid}")
    assert note.aliases == ["Жираф деплоит в пятницу", "жираф-деплой"] and note.related == ["overfitting"]
    versions_after = {p.name for p in (home_index_only / "index" / "versions").iterdir()}
    assert versions_after - versions_before, "the index in MEMEBOT_HOME was rebuilt"
    manifest = json.loads((home_index_only / "index" / "current" / "manifest.json").read_text())
    assert manifest["notes"] == len(load_notes(notes_dir))
    again = run("approve", str(sid), "--as", str(SECOND_ADMIN))  # idempotent
    assert again.exit_code == 0 and f"#{sid} published as {note.slug}" in again.output
    shown = run("show", str(sid)).output
    assert (
        f"decided by:  {ADMIN}" in shown and "pending → approved" in shown and "approved → published" in shown
    )


def test_reject_and_permissions(
    submissions: Callable[..., int], notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = submissions("Отклоняемый мем", 5)
    assert "Only admins can do that." in one_line_error(
        run("reject", str(sid), "--reason", "дубль", "--as", "999")
    )
    assert "reason" in one_line_error(run("reject", str(sid), "--reason", "   "))
    missing = run("reject", str(sid))
    assert missing.exit_code == 2 and "Missing option '--reason'" in missing.output
    result = run("reject", str(sid), "--reason", "Такой мем уже есть", "--as", str(SECOND_ADMIN))
    assert result.exit_code == 0 and result.output.strip() == f"#{sid} rejected: Такой мем уже есть"
    assert "rejected" in one_line_error(run("approve", str(sid)))
    shown = run("show", str(sid)).output
    assert "DENIED" in shown and "by 999" in shown and "pending → rejected" in shown
    monkeypatch.setenv("MEMEBOT_ADMINS", "")
    assert "pass --as USER_ID or set MEMEBOT_ADMINS" in one_line_error(run("approve", str(sid)))
    monkeypatch.setenv("MEMEBOT_ADMINS", "111,boss")
    assert "MEMEBOT_ADMINS has 'boss'" in one_line_error(run("list"))


def test_recover_finishes_an_interrupted_approval(
    submissions: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("recover").output.strip() == "nothing to recover"
    sid = submissions("Прерванный мем", 6)

    def crash(*_args: object) -> None:
        raise RuntimeError("killed")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError):
        patched.setattr(Publisher, "write", crash)
        run("approve", str(sid))
    assert f"#{sid:<5} approved" in run("list").output
    monkeypatch.setattr(Publisher, "rebuild", lambda *_args: None)  # no index in this home: skip the build
    result = run("recover", "--json")
    assert result.exit_code == 0 and json.loads(result.output) == {"finished": [sid], "failed": {}}
    assert f"#{sid:<5} {PUBLISHED}" in run("list").output and PENDING not in run("list").output
