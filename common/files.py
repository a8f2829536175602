"""Files that must never be seen half-written, and locks shared by threads and processes."""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def atomic_write(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Write ``path`` via a hidden temporary file in the same folder and ``os.replace`` (fsynced).

    Readers see the old content or the new one, never a mix; after a crash the file is whole.
    """
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        os.fchmod(fd, mode)  # exactly ``mode``, whatever the umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (best effort where directories can't be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock across threads and processes (``flock`` on a fresh descriptor of ``path``).

    The lock file is created owner-only; the lock is released when the block ends or the process dies.
    """
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def stamped(out_dir: Path, stamp: dict[str, Any]) -> bool:
    """``out_dir/assets.json`` holds ``stamp``: the files under ``out_dir`` were written for it, whole."""
    try:
        return bool(json.loads((out_dir / "assets.json").read_text()) == stamp)
    except (OSError, ValueError):
        return False


def build_once(out_dir: Path, stamp: dict[str, Any], write: Callable[[Path], None]) -> Path:
    """Run ``write(out_dir)`` unless :func:`stamped`, then stamp ``out_dir``; one process at a time.

    Derived files (encoder tables, tokenizers) are built on first use by whichever process needs them
    first. An index build and a router training started together on a fresh home both do: the
    second waits on a lock beside ``out_dir``, then finds the stamp and builds nothing. The stamp is
    written last, so a build killed halfway is done again.
    """
    if stamped(out_dir, stamp):
        return out_dir
    with file_lock(out_dir.parent / f".{out_dir.name}.lock"):
        if not stamped(out_dir, stamp):
            out_dir.mkdir(parents=True, exist_ok=True)
            write(out_dir)
            (out_dir / "assets.json").write_text(json.dumps(stamp))
    return out_dir
