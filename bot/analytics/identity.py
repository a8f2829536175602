"""Who asked, without storing who: users and chats as keyed hashes (HMAC-SHA256).

The key is ``MEMEBOT_USER_HASH_KEY`` or, when that is unset, 32 random bytes generated once into
``MEMEBOT_HOME/user-hash.key`` (owner-only) and reused by every replica sharing the home. Without
the key a hash can't be tied to a Telegram id, even by trying every id; with it, ``/forget`` finds
a user's rows.

Example::

    hasher = UserHasher(load_or_create_key(None, home / "user-hash.key"))
    hasher.user(123456789)  # '3f1c…' (64 hex digits), the same for the same key
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from common.files import PRIVATE_DIR, PRIVATE_FILE, fsync_dir

logger = logging.getLogger(__name__)

KEY_BYTES = 32


def load_or_create_key(configured: str | None, path: Path) -> bytes:
    """The configured key, else the key in ``path`` (created atomically, 0600, on first use)."""
    if configured:
        return configured.encode("utf-8")
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    key = secrets.token_hex(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:  # another process created it first: use theirs
        return _read_key(path)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    fsync_dir(path.parent)
    logger.info("generated a new user-hash key in %s", path)
    return key.encode("ascii")


def _read_key(path: Path) -> bytes:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 16:
        raise ValueError(f"{path} holds no usable key; delete it to generate a new one")
    return key.encode("ascii")


class UserHasher:
    """Keyed hashes of Telegram user and chat ids (different domains never collide)."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the user-hash key must be at least 16 bytes")
        self._key = key

    def _digest(self, domain: str, value: int) -> str:
        return hmac.new(self._key, f"{domain}:{int(value)}".encode(), hashlib.sha256).hexdigest()

    def user(self, user_id: int) -> str:
        return self._digest("user", user_id)

    def chat(self, chat_id: int) -> str:
        return self._digest("chat", chat_id)
