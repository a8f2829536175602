"""The `memebot` command line: ask (text, --json, --jsonl), eval, friendly errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO


def test_ask_prints_a_readable_answer(home_with_index, cli_runner) -> None:
    result = cli_runner("ask", "что такое дропаут")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Дропаут"
    assert "Связанное:" in result.output and "memebot demo run dropout" in result.output


def test_ask_json_contract(home_with_index, cli_runner) -> None:
    result = cli_runner("ask", "--json", "what is transfer learning")
    data = json.loads(result.output)
    assert data["query"] == "what is transfer learning" and data["lang"] == "en"
    assert data["intent"] == "explain_concept" and isinstance(data["confidence"], float)
    assert data["results"][0] == {**data["results"][0], "slug": "transfer-learning", "kind": "concept"}
    assert data["demo"] == {"id": "transfer-logreg", "params": {}, "run": False}
    assert data["answer"].startswith("Transfer learning")


def test_ask_jsonl_answers_each_line_in_one_process(home_with_index, cli_runner) -> None:
    questions = "что такое дропаут\n\nwhat is momentum in sgd\nкакая погода завтра в москве\n"
    result = cli_runner("ask", "--jsonl", input=questions)
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["query"] for r in rows] == [
        "что такое дропаут",
        "what is momentum in sgd",
        "какая погода завтра в москве",
    ]
    assert [r["results"][0]["slug"] for r in rows[:2]] == ["dropout", "momentum"]
    assert rows[2]["intent"] == "off_topic"


def test_ask_unknown_topic_is_honest(home_with_index, cli_runner) -> None:
    """A topic the glossary lists is named in the refusal; one it does not list is refused plainly."""
    data = json.loads(cli_runner("ask", "--json", "как работает федеративное обучение").output)
    assert data["status"] == "unknown" and data["note"] is None
    assert data["answer"].startswith("Про «федеративное обучение» заметки у меня пока нет")
    plain = json.loads(cli_runner("ask", "--json", "как работает алгоритм зюзюкина в нейросетях").output)
    assert plain["status"] == "unknown" and plain["topic"] is None
    assert plain["answer"].startswith("Такого я не знаю")


def test_ask_without_index_says_what_to_run(cli_runner) -> None:
    result = cli_runner("ask", "что такое дропаут")
    assert result.exit_code == 2
    assert "run 'memebot index build'" in result.output and "Traceback" not in result.output


def test_ask_without_question_is_a_usage_error(home_with_index, cli_runner) -> None:
    result = cli_runner("ask", "  ")
    assert result.exit_code == 2 and "give a question" in result.output


def test_eval_prints_the_three_modes_side_by_side(home_with_index, cli_runner, tmp_path) -> None:
    # 40 dev questions (the whole dev set is what `make bench` and RESULTS.md run; here the format matters)
    lines = (REPO / "indexer" / "data" / "devset.jsonl").read_text(encoding="utf-8").splitlines()
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines[::20]) + "\n", encoding="utf-8")
    result = cli_runner("eval", str(sample))
    assert result.exit_code == 0
    rows = {
        line.split()[0]: line.split()[1:]
        for line in result.output.splitlines()
        if line[:6] in ("hybrid", "dense ", "bm25  ")
    }
    assert set(rows) == {"hybrid", "dense", "bm25"} and all(len(v) == 9 for v in rows.values())
    assert "refused ('I don't know') on unknown-topic questions" in result.output


def test_eval_rejects_a_malformed_file(home_with_index, cli_runner, tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\n', encoding="utf-8")
    result = cli_runner("eval", str(bad))
    assert result.exit_code == 2 and f"{bad}:1: not an evaluation line" in result.output


def test_console_script_runs_in_a_fresh_process(home_with_index) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", "from bot.cli.main import main; main()", "ask", "--json", "что такое файнтюн"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"][0]["slug"] == "fine-tuning"
