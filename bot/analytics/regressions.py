"""Questions a published note answers, kept as evaluation cases so the fix stays fixed.

``MEMEBOT_HOME/regressions.jsonl`` holds ``{"q", "lang", "slugs"}`` lines in the format of
``indexer/data/devset.jsonl``; ``memebot eval`` scores them next to the dev set. Lines are only
appended, once per question and note, under a lock (several replicas may publish).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from common.files import PRIVATE_FILE, file_lock, fsync_dir


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The cases in ``path`` (none when it does not exist); unreadable lines are skipped."""
    if not path.is_file():
        return []
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and isinstance(row.get("q"), str) and isinstance(row.get("slugs"), list):
            cases.append(row)
    return cases


def append_cases(path: Path, questions: Iterable[tuple[str, str]], slug: str) -> int:
    """Add ``(question, lang)`` pairs answered by ``slug``; returns how many were new."""
    with file_lock(path.with_name(f".{path.name}.lock")):
        known: set[tuple[str, tuple[str, ...]]] = {
            (str(c["q"]), tuple(map(str, c["slugs"]))) for c in read_cases(path)
        }
        lines: list[str] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for question, lang in questions:
            key = (question, (slug,))
            if not question.strip() or key in known or key in seen:
                continue
            seen.add(key)
            lines.append(json.dumps({"q": question, "lang": lang, "slugs": [slug]}, ensure_ascii=False))
        if lines:
            new = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in lines))
                fh.flush()
                os.fsync(fh.fileno())
            if new:
                fsync_dir(path.parent)
    return len(lines)
