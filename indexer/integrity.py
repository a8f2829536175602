"""Is an index version whole? Checksums of its files, written into the manifest and checked on load.

A version directory holds ``manifest.json``, ``vectors.npy``, ``faiss.index`` and ``meta.sqlite``;
the manifest lists the sha256 of the other three. :func:`problem_of` names what is wrong (missing,
unreadable, altered file), so loading can refuse a damaged index with one sentence instead of a
traceback, and a build does not call a damaged index "up to date".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

DATA_FILES = ("vectors.npy", "faiss.index", "meta.sqlite")


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def file_digests(version_dir: Path) -> dict[str, str]:
    return {name: digest(version_dir / name) for name in DATA_FILES}


def read_manifest(version_dir: Path) -> dict[str, Any]:
    """The manifest as a dict; raises ValueError naming the problem."""
    try:
        manifest = json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError("manifest.json is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"manifest.json is unreadable ({type(exc).__name__})") from None
    if (
        not isinstance(manifest, dict)
        or not isinstance(manifest.get("encoder"), str)
        or not isinstance(manifest.get("version"), str)
    ):
        raise ValueError("manifest.json is not an index manifest")
    return manifest


def problem_of(version_dir: Path) -> str | None:
    """What is wrong with this version, or None when every file is there and matches the manifest."""
    try:
        manifest = read_manifest(version_dir)
    except ValueError as exc:
        return str(exc)
    expected = manifest.get("files")
    for name in DATA_FILES:
        path = version_dir / name
        if not path.is_file():
            return f"{name} is missing"
        if isinstance(expected, dict):
            try:
                actual = digest(path)
            except OSError as exc:
                return f"{name} is unreadable ({exc.strerror})"
            if expected.get(name) != actual:
                return f"{name} does not match the manifest (damaged or replaced)"
    return None
