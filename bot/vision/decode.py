"""Decoding untrusted picture bytes safely: format allow-list, byte and pixel budgets checked before decoding.

:func:`load_image` never trusts the file name: it decodes with Pillow restricted to
:data:`ALLOWED_FORMATS`, refuses oversized files, non-images and decompression bombs with an
:class:`ImageError` (a :class:`common.errors.UserError`: ``exc.message(lang)`` is for the user).
"""

from __future__ import annotations

import io
import logging

import numpy as np
from PIL import Image, ImageOps

from common.errors import UserError

logger = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
"""Pictures above 40 megapixels are refused before any pixel is decoded (decompression bombs)."""

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
"""Formats Pillow may decode; anything else (PDF, EPS, SVG, TIFF, ...) is "not an image"."""


class ImageError(UserError):
    """The picture cannot be used; :meth:`message` explains it to the user.

    Example::

        try:
            img = load_image(data, max_bytes=10 * 2**20)
        except ImageError as exc:
            reply(exc.message("ru"))
    """

    key = "image_unusable"


class NotAnImageError(ImageError):
    """The bytes do not decode as a JPEG, PNG, WebP, GIF or BMP picture (whatever the file is called)."""

    key = "image_not_image"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail=detail)


class ImageTooLargeError(ImageError):
    """The file is larger than allowed (``size``/``limit`` in bytes), or the picture has too many pixels.

    ``ImageTooLargeError(size, limit)`` is about bytes; :meth:`pixels` builds the megapixel variant
    (``size == 0`` when the decoder only knows it is far too big).
    """

    def __init__(self, size: int, limit: int, unit: str = "bytes"):
        self.size, self.limit, self.unit = int(size), int(limit), unit
        if unit == "pixels":
            key = "image_too_many_pixels" if self.size else "image_too_many_pixels_unknown"
            super().__init__(key, mp=f"{self.size / 1e6:.0f}", limit=f"{self.limit / 1e6:.0f}")
        else:
            super().__init__("image_too_many_bytes", mb=f"{self.size / 2**20:.1f}", limit=f"{self.limit / 2**20:.0f}")

    @classmethod
    def pixels(cls, width: int, height: int, limit: int = MAX_PIXELS) -> ImageTooLargeError:
        return cls(width * height, limit, unit="pixels")


def load_image(data: bytes, max_bytes: int) -> Image.Image:
    """Decode untrusted bytes into an RGB picture, or raise :class:`ImageError`.

    Input: the raw file bytes and the largest accepted size in bytes.
    Output: a fully loaded ``RGB`` image (EXIF rotation applied, transparency flattened onto
    white); its ``format`` attribute keeps the decoded format (``"PNG"``, ``"JPEG"``, ...).

    Checks, in order: size in bytes (:class:`ImageTooLargeError`); the format is one of
    :data:`ALLOWED_FORMATS` and the header parses (:class:`NotAnImageError`); at most
    :data:`MAX_PIXELS` pixels, read from the header before decoding (:class:`ImageTooLargeError`);
    ``verify()`` passes and the pixels actually decode (:class:`NotAnImageError`).

    Example::

        >>> img = load_image(Path("knowledge/memes/images/meme-finetune-cat.png").read_bytes(), 10 * 2**20)
        >>> img.mode, img.size
        ('RGB', (600, 600))
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NotAnImageError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ImageTooLargeError(len(data), max_bytes)
    if not data:
        raise NotAnImageError("empty file")
    try:
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
            fmt = probe.format
            _check_pixels(probe.size)
            probe.verify()
        opened = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        _check_pixels(opened.size)
        opened.load()
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(0, MAX_PIXELS, unit="pixels") from exc  # size unknown: far above the limit
    except Exception as exc:  # noqa: BLE001 - any decoder failure on untrusted bytes means "not an image"
        logger.debug("not an image (%d bytes): %s: %s", len(data), type(exc).__name__, exc)
        raise NotAnImageError(f"cannot decode image: {exc}") from None
    img: Image.Image = opened
    try:
        img = ImageOps.exif_transpose(opened) or opened
    except Exception:  # noqa: BLE001 - a broken EXIF block is not worth refusing the picture
        logger.debug("ignoring unreadable EXIF orientation")
    rgb = _to_rgb(img)
    rgb.format = fmt
    return rgb


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise NotAnImageError(f"bad image size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise ImageTooLargeError.pixels(width, height)


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten to RGB; transparent areas become white (stickers, screenshots with alpha)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(scaled.astype(np.uint8), mode="L").convert("RGB")
    return img.convert("RGB")
