"""Is an index version whole? Checksums of its files, written into the manifest and checked on load.

A version directory holds ``manifest.json`` and the data files (``meta.sqlite``, ``slugs.json``, per
encoder channel ``rows-*.npy`` / ``vectors-*.npy``, the BM25 arrays, the name table); the manifest's
``checksums`` lists the sha256 of every data file. :func:`problem_of` names what is wrong (missing,
unreadable, altered file), so loading can refuse a damaged index with one sentence instead of a
traceback, and a build does not call a damaged index "up to date".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

# Files every version has, whatever its encoders; the rest are named by the manifest's checksums.
DATA_FILES = ("meta.sqlite", "slugs.json")


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def file_digests(version_dir: Path) -> dict[str, str]:
    """sha256 of every file under ``version_dir`` but the manifest, by relative path."""
    return {
        str(path.relative_to(version_dir)): digest(path)
        for path in sorted(version_dir.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }


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
    expected = manifest.get("checksums")
    if not isinstance(expected, dict) or not all(isinstance(v, str) for v in expected.values()):
        return "manifest.json lists no checksums (built by an older version)"
    for name in sorted({*DATA_FILES, *expected}):
        path = version_dir / name
        if not path.is_file():
            return f"{name} is missing"
        try:
            actual = digest(path)
        except OSError as exc:
            return f"{name} is unreadable ({exc.strerror})"
        if expected.get(name) != actual:
            return f"{name} does not match the manifest (damaged or replaced)"
    return None
