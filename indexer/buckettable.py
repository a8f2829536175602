"""A read-only ``str → int`` table on disk, parsed one hash bucket at a time.

The two encoders' tokenizers look substrings up in vocabularies of 128–250 thousand pieces.
Unpickling such a dict costs 0.1–0.2 s at every start, although one query touches a few hundred
keys. :class:`BucketTable` maps the file and parses only the buckets a lookup needs (marshal, a
few microseconds each); the values are the same as the dict's.

File layout: magic ``MBT1``, the bucket count ``n`` (a power of two, uint32), ``n + 1`` uint64
offsets into the data that follows, then each bucket as a marshalled ``dict[str, int]``. A key's
bucket is ``crc32(key as UTF-8) & (n - 1)``.

Example::

    BucketTable.write(Path("pieces.tbl"), {"▁the": 5, "▁a": 9})
    BucketTable(Path("pieces.tbl")).get("▁the")  # 5
"""

from __future__ import annotations

import marshal
import mmap
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

MAGIC = b"MBT1"
KEYS_PER_BUCKET = 16  # small buckets: a cold query parses a few hundred of them in ~2 ms


class BucketTable:
    """``get(key)`` like a dict's, over a file written by :meth:`write`; buckets parsed on first use."""

    def __init__(self, path: Path):
        with open(path, "rb") as fh:
            self._data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self._data[:4] != MAGIC:
            raise ValueError(f"{path}: not a bucket table")
        (n,) = struct.unpack_from("<I", self._data, 4)
        self._mask = n - 1
        self._offsets = struct.unpack_from(f"<{n + 1}Q", self._data, 8)
        self._buckets: list[dict[str, int] | None] = [None] * n

    def _bucket(self, key: str) -> dict[str, int]:
        index = zlib.crc32(key.encode("utf-8")) & self._mask
        bucket = self._buckets[index]
        if bucket is None:
            bucket = marshal.loads(self._data[self._offsets[index] : self._offsets[index + 1]])
            self._buckets[index] = bucket
        return bucket

    def get(self, key: str, default: int | None = None) -> int | None:
        return self._bucket(key).get(key, default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._bucket(key)

    @staticmethod
    def write(path: Path, table: Mapping[str, int]) -> None:
        """Write ``table`` to ``path`` (atomically: a temporary file, then a rename)."""
        n = 1
        while n * KEYS_PER_BUCKET < len(table):
            n *= 2
        buckets: list[dict[str, int]] = [{} for _ in range(n)]
        for key, value in table.items():
            buckets[zlib.crc32(key.encode("utf-8")) & (n - 1)][key] = value
        blobs = [marshal.dumps(b) for b in buckets]
        offsets = [0] * (n + 1)
        start = 8 + 8 * (n + 1)
        for i, blob in enumerate(blobs):
            offsets[i] = start
            start += len(blob)
        offsets[n] = start
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + struct.pack("<I", n) + struct.pack(f"<{n + 1}Q", *offsets))
            for blob in blobs:
                fh.write(blob)
        tmp.replace(path)
