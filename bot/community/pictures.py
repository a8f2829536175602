"""Uploaded meme pictures on disk: ``home/images/<sha[:2]>/<sha>.<ext>``, written atomically, owner-only."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

from common.files import PRIVATE_DIR, atomic_write, file_lock

IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tiff"}


class PictureStore:
    """Stores a submission's picture by content hash and deletes pictures nothing refers to any more."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.images_dir = self.home / "images"

    def path(self, sha256: str, ext: str) -> Path:
        return self.images_dir / sha256[:2] / f"{sha256}.{ext}"

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """An exclusive lock across threads and processes sharing ``home``."""
        with file_lock(self.home / f".{name}.lock"):
            yield

    @staticmethod
    def extension(img: Any, data: bytes) -> str:
        """The file extension for the picture's real format (``jpg``, ``png`` …), never the user's file name."""
        fmt = getattr(img, "format", None)
        if not fmt:
            try:
                with Image.open(io.BytesIO(data)) as probe:
                    fmt = probe.format
            except Exception:
                fmt = None
        fmt = (fmt or "PNG").upper()
        return IMAGE_EXTENSIONS.get(fmt, re.sub(r"[^a-z0-9]", "", fmt.lower())[:8] or "png")

    def store(self, data: bytes, sha256: str, ext: str) -> Path:
        path = self.path(sha256, ext)
        if path.is_file() and path.stat().st_size == len(data):
            return path
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        atomic_write(path, data)
        return path

    def collect(self, shas: set[str], statuses_of: Callable[[str], list[tuple[str, str]]], dead: str) -> None:
        """Delete stored pictures whose submissions (``statuses_of(sha)`` → ``[(status, ext)]``) are all ``dead``."""
        if not shas:
            return
        with self.lock("images"):
            for sha in shas:
                rows = statuses_of(sha)
                if rows and all(status == dead for status, _ in rows):
                    for ext in {ext for _, ext in rows}:
                        self.path(sha, ext).unlink(missing_ok=True)
