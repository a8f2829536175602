"""Where runtime data lives: the one place that resolves ``MEMEBOT_HOME``."""

from __future__ import annotations

import os
from pathlib import Path

# Every model comes from an installed package; nothing may reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent


def memebot_home() -> Path:
    """Return the runtime data directory (``$MEMEBOT_HOME``, default ``./var``), creating it."""
    home = Path(os.environ.get("MEMEBOT_HOME") or "var").expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def knowledge_dir() -> Path:
    """Return the notes directory (``$MEMEBOT_KNOWLEDGE``, default ``knowledge/`` in the repo)."""
    env = os.environ.get("MEMEBOT_KNOWLEDGE")
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "knowledge"


def index_dir() -> Path:
    """Directory holding the current index version (swapped atomically on rebuild)."""
    return memebot_home() / "index"
