"""Files Telegram keeps: storing uploads, photo size ladders, documents, and resolving a file parameter."""

from __future__ import annotations

import copy
import mimetypes
from typing import Any

from .constants import MAX_PHOTO_BYTES, MAX_UPLOAD_BYTES
from .errors import ApiError, bad
from .images import image_size, random_id, resized_jpeg
from .models import StoredFile
from .state import EmulatorState


class FileStore(EmulatorState):
    """Stored files and photos; turns ``attach://``, file ids and URLs into stored files."""

    def _store_file(
        self,
        data: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        prefix = {"photo": "AgACAgIAAxkBAA", "document": "BQACAgIAAxkBAA", "video": "BAACAgIAAxkBAA"}.get(
            kind, "CQACAgIAAxkBAA"
        )
        stored = StoredFile(
            file_id=random_id(prefix, 50),
            file_unique_id=random_id("AQAD", 12),
            data=data,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        return stored

    def _store_photo(self, data: bytes, width: int, height: int) -> list[dict[str, Any]]:
        """PhotoSize entries like Telegram's: 90/320/800/1280 px thumbnails below the original, then the photo."""
        longest = max(width, height)
        targets = [t for t in (90, 320, 800, 1280) if t < longest] + [min(longest, 2560)]
        sizes: list[dict[str, Any]] = []
        for target in targets:
            w = max(1, round(width * target / longest))
            h = max(1, round(height * target / longest))
            blob = data if target == longest else (resized_jpeg(data, w, h) or data)
            stored = self._store_file(blob, "photo", mime_type="image/jpeg", width=w, height=h)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.file_size,
                    "width": w,
                    "height": h,
                }
            )
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return copy.deepcopy(sizes)

    @staticmethod
    def _document_object(stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if stored.file_name:
            data["file_name"] = stored.file_name
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        data.update(file_id=stored.file_id, file_unique_id=stored.file_unique_id, file_size=stored.file_size)
        return data

    def _input_file(
        self,
        value: Any,
        files: dict[str, bytes],
        names: dict[str, str | None],
        types: dict[str, str | None],
        part: str,
        *,
        in_media: bool = False,
    ) -> tuple[str, Any]:
        """Resolve a file parameter: ("upload", (bytes, name, type)), ("file_id", StoredFile) or ("url", ...)."""
        missing = (
            bad("can't parse InputMedia: media not found")
            if in_media
            else bad(f"there is no {part} in the request")
        )
        if value is None or value == "":
            if part in files and not in_media:
                value = f"attach://{part}"
            else:
                raise missing
        if not isinstance(value, str):
            raise missing
        if value.startswith("attach://"):
            name = value[len("attach://") :]
            if name not in files:
                raise missing
            data = files[name]
            if not data:
                raise bad("file must be non-empty")
            return "upload", (data, names.get(name), types.get(name))
        if "." in value or "/" in value:
            resource = self._web_resources.get(value)
            if resource is None:
                raise bad("failed to get HTTP URL content")
            data, content_type = resource
            return "upload", (data, value.rstrip("/").rsplit("/", 1)[-1] or None, content_type)
        stored = self._files.get(value)
        if stored is None:
            raise bad("wrong file identifier/HTTP URL specified")
        return "file_id", stored

    def _photo_from(self, source: tuple[str, Any]) -> list[dict[str, Any]]:
        kind, value = source
        if kind == "file_id":
            if value.kind != "photo":
                raise bad(f"can't use file of type {value.kind.capitalize()} as Photo")
            return copy.deepcopy(self._photo_sets[value.file_id])
        data = value[0]
        if len(data) > MAX_PHOTO_BYTES:
            raise bad(
                f"file of size {len(data)} bytes is too big for a photo; the maximum size is {MAX_PHOTO_BYTES} bytes"
            )
        size = image_size(data)
        if size is None:
            raise bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad("PHOTO_INVALID_DIMENSIONS")
        return self._store_photo(data, width, height)

    def _document_from(self, source: tuple[str, Any], kind: str = "document") -> dict[str, Any]:
        source_kind, value = source
        if source_kind == "file_id":
            if value.kind != kind:
                raise bad(f"can't use file of type {value.kind.capitalize()} as {kind.capitalize()}")
            stored = value
        else:
            data, name, content_type = value
            if len(data) > MAX_UPLOAD_BYTES:
                raise ApiError("Request Entity Too Large", 413)
            guessed = mimetypes.guess_type(name or "")[0]
            mime = guessed or (
                content_type if content_type and content_type != "application/octet-stream" else None
            )
            stored = self._store_file(
                data, kind, file_name=name, mime_type=mime or "application/octet-stream"
            )
        return self._document_object(stored)
