"""``memebot stats`` and ``memebot admin wanted | draft | forget``: the learning loop from the terminal,
on the same database the bot writes, with one-line errors for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.analytics.loop import LearningLoop
from bot.analytics.outcomes import new_token
from bot.analytics.regressions import read_cases
from bot.cli.main import cli
from bot.config import load_settings
from bot.storage import open_database
from indexer.notes import load_notes

ADMIN = 9001
BODY = "## Коротко\nФильтр Калмана смешивает прогноз и измерение.\n\n## Подробнее\nПодробно.\n\n## In short\nA Kalman filter blends a prediction with a measurement.\n"


@pytest.fixture()
def notes_dir(make_notes: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_notes()
    monkeypatch.setenv("MEMEBOT_KNOWLEDGE", str(path))
    monkeypatch.setenv("MEMEBOT_ADMINS", str(ADMIN))
    monkeypatch.setenv("MEMEBOT_LANG", "en")
    monkeypatch.delenv("MEMEBOT_DATABASE_URL", raising=False)
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("memebot: ") and "Traceback" not in result.output, (
        result.output
    )
    return lines[0]


def ask(questions: list[tuple[int, str]]) -> None:
    """Record unanswered questions the way the bot does (same database and key)."""
    settings = load_settings()
    db = open_database(settings.database_url)
    loop = LearningLoop.from_settings(settings, db, encoder=lambda: None)  # type: ignore[arg-type, return-value]
    try:
        for user, question in questions:
            loop.record(
                new_token(),
                user,
                user,
                "ru" if any("а" <= c <= "я" for c in question) else "en",
                "unknown",
                question,
            )
    finally:
        loop.close()
        db.dispose()


def test_stats_on_an_empty_database(notes_dir: Path, tmp_path: Path) -> None:
    result = run("stats", "--days", "7")
    assert result.exit_code == 0 and "Statistics from" in result.output and "No votes yet." in result.output
    data = json.loads(run("stats", "--json", "--png", str(tmp_path / "chart.png")).output)
    assert data["questions"] == 0 and len(data["per_day"]) == 30
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
    assert "No unanswered questions." in run("admin", "wanted").output


def test_wanted_draft_approve_closes_the_loop(notes_dir: Path, memebot_home: Path, tmp_path: Path) -> None:
    ask(
        [
            (1, "что такое фильтр калмана"),
            (2, "what is a kalman filter"),
            (3, "как работает фильтр калмана"),
            (1, "what is onnx"),
        ]
    )
    listed = run("admin", "wanted")
    assert (
        "Notes people want (2 topics):" in listed.output
        and "3 people, 3 questions — unanswered: 3" in listed.output
    )
    clusters = json.loads(run("admin", "wanted", "--json").output)
    kalman = clusters[0]
    assert kalman["users"] == 3 and "what is a kalman filter" in kalman["examples"]

    assert "no wanted cluster #99999" in one_line_error(run("admin", "draft", "99999"))
    assert "a cluster id is a positive whole number" in one_line_error(run("admin", "draft", "1; DROP"))
    assert (
        one_line_error(run("admin", "draft", str(kalman["id"]), "--as", "1"))
        == "memebot: Only admins can do that."
    )

    drafted = run("admin", "draft", str(kalman["id"]))
    assert (
        drafted.exit_code == 0
        and "slug: kalman-filter" in drafted.output
        and "title_en: Kalman filter" in drafted.output
    )
    submission_id = drafted.output.strip().splitlines()[-1].split()[0].lstrip("#")
    assert len(json.loads(run("admin", "wanted", "--json").output)) == 1  # the drafted cluster left the list

    refused = run("admin", "approve", submission_id)
    assert "has no text yet" in one_line_error(refused)
    (tmp_path / "note.md").write_text(BODY, encoding="utf-8")
    approved = run("admin", "approve", submission_id, "--explanation-file", str(tmp_path / "note.md"))
    assert (
        approved.exit_code == 0
        and "published as kalman-filter" in approved.output
        and "concepts/kalman-filter.md" in approved.output
    )
    assert any(n.slug == "kalman-filter" for n in load_notes(notes_dir))
    cases = read_cases(memebot_home / "regressions.jsonl")
    assert {c["q"] for c in cases} == {
        "что такое фильтр калмана",
        "what is a kalman filter",
        "как работает фильтр калмана",
    }
    assert [c["examples"] for c in json.loads(run("admin", "wanted", "--json").output)] == [["what is onnx"]]


def test_forget_from_the_terminal(notes_dir: Path) -> None:
    ask([(42, "что такое фильтр калмана"), (43, "what is onnx")])
    assert run("admin", "forget", "42").output.startswith("votes: 0, outcomes: 1")
    assert [c["examples"] for c in json.loads(run("admin", "wanted", "--json").output)] == [["what is onnx"]]
    assert "USER_ID is a Telegram user id (a whole number), not 'someone'" in one_line_error(
        run("admin", "forget", "someone")
    )


def test_eval_scores_the_regression_cases_next_to_the_dev_set(home_index_only: Path) -> None:
    (home_index_only / "regressions.jsonl").write_text(
        '{"q": "что такое дропаут", "lang": "ru", "slugs": ["dropout"]}\n{"q": "what is a kalman filter", "lang": "en", "slugs": ["gone-note"]}\n',
        encoding="utf-8",
    )
    one_case = home_index_only / "one.jsonl"
    one_case.write_text('{"q": "что такое дропаут", "lang": "ru", "slugs": ["dropout"]}\n', encoding="utf-8")
    result = run("eval", str(one_case), "--no-retrieval")
    assert result.exit_code == 0, result.output
    assert (
        f"regression cases ({home_index_only / 'regressions.jsonl'}): 1, hybrid R@1 1.000, answered 1.000"
        in result.output
    )
    assert "regression cases" not in run("eval", str(one_case), "--no-retrieval", "--no-regressions").output
