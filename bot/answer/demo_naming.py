"""What naming a demo needs, derived from one index version: built once, saved beside it, loaded at start.

A request names a demo by its id, its titles, or the titles and aliases of its notes («дропаут», «кот
у крана»); words of the demos' titles that many notes use («хороший», "small") name none. Both come
from the notes of the index version, and matching them needs phrase tables of ~1,900 names. Building
all that at every start cost ~80 ms of a cold ``memebot ask`` (tokenising the names, counting in how
many notes each title word occurs). It is built once per index version instead and pickled into the
version's directory (:data:`CACHE_FILE`); the next start loads it in a few milliseconds. The file is
checked against the demos' titles it was built for (demos live in code, not in the index), and a
missing, stale or unreadable file is simply built again.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.files import atomic_write
from indexer.search import Retriever
from router.params import adopt_naming_tables, common_words, naming_tables, note_names

logger = logging.getLogger(__name__)

CACHE_FILE = "demo-naming.pkl"
CACHE_VERSION = 1  # bump when what is saved, or how a phrase table is built, changes
# A word of a demo's title that this share of the notes uses names no demo alone («хороший», "small").
COMMON_WORD_SHARE = 0.15


@dataclass(frozen=True)
class DemoNaming:
    """``names``: demo id → its notes' titles and aliases; ``common``: title words too widespread to
    name a demo. The phrase tables built from them are adopted by the router when this is made."""

    names: dict[str, list[str]]
    common: frozenset[str]


def _titles(demos: Sequence[Any]) -> tuple[tuple[str, str, str], ...]:
    return tuple((d.id, getattr(d, "title_ru", ""), getattr(d, "title_en", "")) for d in demos)


def demo_naming(retriever: Retriever, demos: Sequence[Any]) -> DemoNaming:
    """The demo naming of ``retriever``'s index version for ``demos``: loaded from the version's
    :data:`CACHE_FILE` when it was saved for the same demos, else built and saved there."""
    path, titles = retriever.version_dir / CACHE_FILE, _titles(demos)
    saved = _read(path)
    if saved is not None and saved.get("version") == CACHE_VERSION and saved.get("titles") == titles:
        adopt_naming_tables(saved["tables"])
        return DemoNaming(saved["names"], saved["common"])
    names = note_names(retriever.notes.values())
    common = common_words(demos, retriever.note_share, COMMON_WORD_SHARE)
    tables = naming_tables(demos, names, common)
    _write(
        path,
        {
            "version": CACHE_VERSION,
            "titles": titles,
            "names": names,
            "common": common,
            "tables": tables,
        },
    )
    return DemoNaming(names, common)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            saved = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a torn or foreign file: build again and overwrite it
        logger.warning("demo naming cache %s unreadable (%s); building it again", path, type(exc).__name__)
        return None
    return saved if isinstance(saved, dict) else None


def _write(path: Path, saved: dict[str, Any]) -> None:
    try:  # whole or not at all, owner-only like everything under MEMEBOT_HOME, whatever the umask
        atomic_write(path, pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:  # a read-only home still answers; it builds again at the next start
        logger.info("demo naming cache not saved to %s: %s", path, exc.strerror)
