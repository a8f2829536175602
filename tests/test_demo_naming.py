"""The demo naming is built once per index version, saved beside it and loaded at the next start."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.answer.demo_naming import CACHE_FILE, demo_naming
from demos.registry import list_demos
from router.params import extract_demo_request
from router.parsing import naming


class _Note:
    def __init__(self, demo: str, names: list[str]) -> None:
        self.demo, self.names = demo, names


class _Retriever:
    """What the demo naming reads from a retriever: its notes, how widespread a word is, its directory."""

    def __init__(self, version_dir: Path) -> None:
        self.version_dir = version_dir
        self.notes = {"dropout": _Note("dropout", ["Дропаут", "Dropout", "выкидывание нейронов"])}
        self.shares_asked = 0

    def note_share(self, word: str) -> float:
        self.shares_asked += 1
        return 0.5 if word in {"small", "маленький"} else 0.0


def _fresh_process() -> None:
    naming._TABLES.clear()  # what a new process starts with


def test_the_naming_is_saved_once_and_loaded_without_rebuilding(tmp_path: Path) -> None:
    demos = list_demos()
    first = demo_naming(_Retriever(tmp_path), demos)
    assert (tmp_path / CACHE_FILE).stat().st_mode & 0o777 == 0o600  # private, whatever the umask
    assert "выкидывание нейронов" in first.names["dropout"]
    assert (
        extract_demo_request("покажи выкидывание нейронов", demos, None, first.names, first.common).demo_id
        == "dropout"
    )

    _fresh_process()
    retriever = _Retriever(tmp_path)
    loaded = demo_naming(retriever, demos)
    assert retriever.shares_asked == 0  # nothing counted again
    assert (loaded.names, loaded.common) == (first.names, first.common)
    assert len(naming._TABLES) == 2  # both phrase tables came from the file
    request = extract_demo_request(
        "покажи выкидывание нейронов, p=0.3", demos, None, loaded.names, loaded.common
    )
    assert (request.demo_id, request.params) == ("dropout", {"p": 0.3})


def test_a_damaged_or_stale_file_is_built_again(tmp_path: Path) -> None:
    demos = list_demos()
    (tmp_path / CACHE_FILE).write_bytes(b"not a pickle")
    retriever = _Retriever(tmp_path)
    built = demo_naming(retriever, demos)
    assert retriever.shares_asked > 0 and "dropout" in built.names

    _fresh_process()
    renamed = [replace(d, title_ru=d.title_ru + "!") for d in demos]
    again = _Retriever(tmp_path)
    demo_naming(again, renamed)  # the demos' titles changed since the file was saved
    assert again.shares_asked > 0

    _fresh_process()
    last = _Retriever(tmp_path)
    demo_naming(last, renamed)
    assert last.shares_asked == 0  # saved for the new titles
