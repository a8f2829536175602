"""What gets embedded and indexed for a note: chunks (for USE and BM25) and note texts (for e5)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.notes import SECTION_SHORT_EN, SECTION_SHORT_RU, SECTIONS, Note

# Bump when chunking or note texts change, so every note is re-embedded once.
CHUNKER_VERSION = 7
# Sentence windows of ~200 characters: measured best on the dev set (150–450 tried, bench/RESULTS.md).
MAX_CHUNK_CHARS = 200
MEME_WORDS = "мем, шутка, прикол, юмор, meme, joke, funny"
SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+")
# e5 reads a note as its names and short explanation, in each language; longer texts add cost
# (every token is a transformer step) without helping the dev set.
NOTE_TEXT_CHARS = 600


@dataclass(frozen=True)
class Chunk:
    slug: str
    section: str
    text: str


def _sentence_windows(text: str, limit: int) -> list[str]:
    """Split text into runs of whole sentences of at most ~``limit`` characters."""
    sentences = [s.strip() for s in SENTENCE_RE.split(text.replace("\n", " ")) if s.strip()]
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + len(sentence) + 1 > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def chunk_note(note: Note) -> list[Chunk]:
    """Titles and each alias as short chunks, then each section in sentence windows, titled.

    Short chunks matter: the sentence encoder compares a short question best with a short text,
    and a long paragraph's vector blurs its topics.
    """
    chunks = [Chunk(note.slug, "title", f"{note.title} / {note.title_en}")]
    if note.kind == "meme":
        # People ask about a meme as a joke ("в чём прикол", "why is it funny"), rarely by its name.
        chunks.append(Chunk(note.slug, "title", f"{MEME_WORDS}: {note.title} / {note.title_en}"))
    chunks += [Chunk(note.slug, "alias", alias) for alias in note.aliases]
    # A question is closest to another question: each way people ask about the note is a chunk.
    chunks += [Chunk(note.slug, "asked", question) for question in note.asked]
    for section in SECTIONS:
        text = note.sections.get(section, "")
        if not text:
            continue
        title = note.title if section in SECTIONS[:2] else note.title_en
        for piece in _sentence_windows(text, MAX_CHUNK_CHARS):
            chunks.append(Chunk(note.slug, section, f"{title}. {piece}"))
    return chunks


def note_texts(note: Note) -> list[str]:
    """The note as e5 reads it: names and the short explanation, once in Russian, once in English.

    The ``asked`` phrasings are chunks (USE, BM25) but not e5 rows: as e5 passages they lowered the
    hybrid dev R@1 (0.958 → 0.944), as e5 queries more (→ 0.936), and cost 25 s of build time.
    """
    names = ", ".join(note.aliases)
    meme = f"{MEME_WORDS}. " if note.kind == "meme" else ""
    ru = note.sections.get(SECTION_SHORT_RU, "")[:NOTE_TEXT_CHARS]
    en = note.sections.get(SECTION_SHORT_EN, "")[:NOTE_TEXT_CHARS]
    return [
        f"{meme}{note.title} / {note.title_en}. {names}. {ru}",
        f"{meme}{note.title_en} / {note.title}. {names}. {en}",
    ]
