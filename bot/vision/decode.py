"""Decoding untrusted picture bytes safely: format allow-list, byte and pixel budgets checked before decoding.

:func:`load_image` never trusts the file name: it decodes with Pillow restricted to
:data:`ALLOWED_FORMATS`, refuses oversized files, non-images and decompression bombs with an
:class:`ImageError` (a :class:`common.errors.UserError`: ``exc.message(lang)`` is for the user).
"""

from __future__ import annotations

import io
import logging
import threading

import numpy as np
from PIL import Image, ImageOps

from common.errors import UserError

logger = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
"""Pictures above 40 megapixels are refused before any pixel is decoded (decompression bombs)."""

MAX_DECODED_BYTES = 200 * 2**20
"""Decoded pixels (width × height × bytes per pixel of the file's mode) above 200 MB are refused before decoding."""

DECODE_SLOTS = threading.BoundedSemaphore(2)
"""At most two pictures are decoded at once in a process."""

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
            super().__init__(
                "image_too_many_bytes", mb=f"{self.size / 2**20:.1f}", limit=f"{self.limit / 2**20:.0f}"
            )

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
    with DECODE_SLOTS:  # a few pictures decode at once; the rest wait (memory, not CPU, is the limit)
        return _decode(data)


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
            fmt = probe.format
            _check_pixels(probe.size, probe.mode)
            probe.verify()
        opened = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        _check_pixels(opened.size, opened.mode)
        opened.load()
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(0, MAX_PIXELS, unit="pixels") from exc  # size unknown: far above the limit
    except Exception as exc:
        logger.debug("not an image (%d bytes): %s: %s", len(data), type(exc).__name__, exc)
        raise NotAnImageError(f"cannot decode image: {exc}") from None
    img: Image.Image = opened
    try:
        img = ImageOps.exif_transpose(opened) or opened
    except Exception:
        logger.debug("ignoring unreadable EXIF orientation")
    rgb = _to_rgb(img)
    rgb.format = fmt
    return rgb


BYTES_PER_PIXEL = {
    "1": 1,
    "L": 1,
    "P": 1,
    "LA": 2,
    "PA": 2,
    "RGB": 3,
    "YCbCr": 3,
    "LAB": 3,
    "HSV": 3,
    "RGBA": 4,
    "RGBa": 4,
    "CMYK": 4,
    "I": 4,
    "F": 4,
}


def _check_pixels(size: tuple[int, int], mode: str = "RGB") -> None:
    """Refuse from the header alone: too many pixels, or too many decoded bytes for the file's mode."""
    width, height = size
    if width <= 0 or height <= 0:
        raise NotAnImageError(f"bad image size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise ImageTooLargeError.pixels(width, height)
    # Decoding makes the picture in its own mode and then an RGB copy (16-bit: 2 bytes, then 1, then 3).
    per_pixel = BYTES_PER_PIXEL.get(mode, 2 if mode.startswith("I;16") else 4) + 3
    if width * height * per_pixel > MAX_DECODED_BYTES:
        raise ImageTooLargeError.pixels(width, height, limit=MAX_DECODED_BYTES // per_pixel)


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten to RGB; transparent areas become white (stickers, screenshots with alpha)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return Image.fromarray(_stretch_to_bytes(np.asarray(img)), mode="L").convert("RGB")
    return img.convert("RGB")


def _stretch_to_bytes(arr: np.ndarray, rows: int = 256) -> np.ndarray:
    """16-bit or float pixels → 0..255, a band of rows at a time (a 40-megapixel picture as float64 would
    take 320 MB per copy; this takes a few MB beyond the result)."""
    lo, hi = float(arr.min()), float(arr.max())
    out = np.zeros(arr.shape, dtype=np.uint8)
    if hi > lo:
        scale = np.float32(255.0 / (hi - lo))
        for start in range(0, arr.shape[0], rows):
            band = arr[start : start + rows].astype(np.float32)
            band -= np.float32(lo)
            band *= scale
            out[start : start + rows] = band.astype(np.uint8)
    return out
