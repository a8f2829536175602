"""Pillow helpers for photos: measure an image, make a smaller JPEG; and Telegram-looking random file ids."""

from __future__ import annotations

import io
import secrets
import string

try:  # Pillow measures and resizes photos; without it photos are refused unless injected by users.
    from PIL import Image
except ImportError:  # pragma: no cover - Pillow is a project dependency
    Image = None  # type: ignore[assignment]


def random_id(prefix: str, length: int) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def image_size(data: bytes) -> tuple[int, int] | None:
    if Image is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.size
    except Exception:
        return None


def resized_jpeg(data: bytes, width: int, height: int) -> bytes | None:
    if Image is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            resized = image.convert("RGB").resize((width, height))
            buffer = io.BytesIO()
            resized.save(buffer, format="JPEG", quality=80)
            return buffer.getvalue()
    except Exception:
        return None
