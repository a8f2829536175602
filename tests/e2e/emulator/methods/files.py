"""Bot API method getFile: a download path for a stored file (served by :meth:`Server._serve_file`)."""

from __future__ import annotations

from typing import Any

from ..constants import MAX_DOWNLOAD_BYTES
from ..errors import bad
from ..state import EmulatorState


class FileMethods(EmulatorState):
    """getFile."""

    def _m_getFile(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        file_id = p.get("file_id")
        if file_id in (None, ""):
            raise bad("file_id is empty")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise bad("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_BYTES:
            raise bad("file is too big")
        if stored.file_path is None:
            folder = {"photo": "photos", "video": "videos", "audio": "music", "voice": "voice"}.get(
                stored.kind, "documents"
            )
            if stored.kind == "photo":
                extension = ".jpg"
            else:
                extension = ""
                if stored.file_name and "." in stored.file_name:
                    extension = "." + stored.file_name.rsplit(".", 1)[-1]
            stored.file_path = f"{folder}/file_{next(self._path_counter)}{extension}"
            self._paths[stored.file_path] = stored.file_id
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }
