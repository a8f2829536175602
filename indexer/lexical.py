"""The lexical side of search, built once per index version and memory-mapped at start.

- BM25 over stemmed chunk tokens: built and saved by ``bm25s`` (its CSC arrays, vocabulary and
  parameters); serving maps the saved arrays with ``np.load(mmap_mode="r")`` and scores them with
  numpy, without importing bm25s (whose scipy import alone costs 0.3 s of a cold start).
- The name matcher: every title and alias, normalised, in one dict from name to slugs; a query is
  matched by looking up its word n-grams, so the cost does not grow with the collection.
- Query normalisation against the index's own vocabulary (:func:`normalise_query`): transliterated
  Russian back to Cyrillic, misspelt words to a vocabulary word one edit away.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from common.i18n import CYRILLIC_RE, detect_lang
from common.textnorm import edits1_match, name_words, translit_to_cyrillic
from indexer.text import STOPWORDS, WORD_RE, tokenize

logger = logging.getLogger(__name__)

BM25_DIR = "bm25"
NAMES_FILE = "names.json"
WORDS_FILE = "words.json"  # in BM25_DIR: the words of the chunks as written, for typo fixes
MIN_TYPO_LEN = 5
# Two letters are enough for a name a note gives itself: «какой lr ставить» names the learning rate
# as surely as «learning rate» does (skipped, "lr", «лр», "rl", "f1" left such questions unnamed and
# refused: dev). A note must not list a two-letter word that means something else in ML questions
# ("ln" is also the logarithm of the torch.log meme).
MIN_NAME_LEN = 2
# Bump when the lexical files change, so the next build writes them again (vectors are reused).
LEXICAL_VERSION = 4  # 2: WORDS_FILE; 3: two-letter names (lr, лр, rl, f1); 4: uncovered.json


def build_bm25(texts: list[str], out_dir: Path) -> None:
    """Index the chunks' stemmed words with bm25s (Lucene BM25, k1=1.5, b=0.75) and save them under
    ``out_dir``, with the chunks' words as written (:data:`WORDS_FILE`)."""
    import bm25s

    model = bm25s.BM25()
    model.index([tokenize(text) for text in texts], show_progress=False)
    model.save(str(out_dir))
    written = {
        word
        for text in texts
        for word in WORD_RE.findall(text.lower().replace("ё", "е"))
        if len(word) >= MIN_TYPO_LEN - 1 and word.isalpha()
    }
    (out_dir / WORDS_FILE).write_text(json.dumps(sorted(written), ensure_ascii=False), encoding="utf-8")


def build_names(names: Mapping[str, Iterable[str]], out: Path) -> None:
    """``slug → names`` written as ``normalised name → [slugs]`` (names under :data:`MIN_NAME_LEN`
    characters skipped)."""
    table: dict[str, list[str]] = {}
    for slug, values in names.items():
        for value in values:
            key = " ".join(name_words(value))
            if len(key) >= MIN_NAME_LEN and slug not in table.setdefault(key, []):
                table[key].append(slug)
    out.write_text(json.dumps(table, ensure_ascii=False))


class BM25Index:
    """Scores a tokenised query against the saved bm25s arrays (mapped, not read)."""

    def __init__(self, directory: Path):
        params = json.loads((directory / "params.index.json").read_text())
        self.num_docs = int(params["num_docs"])
        self.data = np.load(directory / "data.csc.index.npy", mmap_mode="r")
        self.indices = np.load(directory / "indices.csc.index.npy", mmap_mode="r")
        self.indptr = np.load(directory / "indptr.csc.index.npy", mmap_mode="r")
        self.vocab: dict[str, int] = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        self.vocabulary = Vocabulary(self.vocab, directory / WORDS_FILE)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk (the sum of the precomputed per-term scores, as bm25s does)."""
        ids = [self.vocab[t] for t in tokens if t in self.vocab]
        if not ids:
            return np.zeros(self.num_docs, dtype=np.float32)
        spans = [(int(self.indptr[i]), int(self.indptr[i + 1])) for i in ids]
        docs = np.concatenate([self.indices[a:b] for a, b in spans])
        weights = np.concatenate([self.data[a:b] for a, b in spans])
        return np.bincount(docs, weights=weights, minlength=self.num_docs).astype(np.float32)


class NameMatcher:
    """Which notes a query names (a title or alias as whole words)."""

    def __init__(self, path: Path):
        self.table: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
        self.longest = max((len(k.split()) for k in self.table), default=1)

    def slugs_in(self, text: str) -> set[str]:
        words = name_words(text)
        found: set[str] = set()
        for size in range(1, self.longest + 1):
            for start in range(len(words) - size + 1):
                found.update(self.table.get(" ".join(words[start : start + size]), ()))
        return found


class Vocabulary:
    """The index's stemmed terms, and the chunks' words as written (``words_file``, read on the first
    typo), with edit-distance lookups that scan one small bucket (same first letter, length ±1)
    instead of the whole list; buckets are built on first use."""

    def __init__(self, terms: dict[str, int], words_file: Path | None = None):
        self.terms = terms
        self._words_file = words_file
        self._buckets: dict[tuple[str, int], list[str]] | None = None
        self._word_buckets: dict[tuple[str, int], list[str]] | None = None

    def __contains__(self, term: object) -> bool:
        return term in self.terms

    def near(self, word: str) -> str | None:
        """The one term within one edit of ``word`` (None when none, or several, are)."""
        if self._buckets is None:
            self._buckets = _buckets(self.terms)
        return _near(word, self._buckets)

    def near_written(self, word: str) -> str | None:
        """The one word of the chunks, as written, one letter missing, extra or swapped away from
        ``word`` (None when none, or several, are). It catches what a stem misses: «precison» is two
        edits from the stem «precis» of «precision» but one from the word. A different letter does
        not count: among whole words that is more often another word («rouge», "rough"; "warping",
        "warning") than a typo. None when the index has no word list (built before it)."""
        if self._word_buckets is None:
            self._word_buckets = _buckets(_read_words(self._words_file))
        return _near(word, self._word_buckets, substitution=False)


def _read_words(path: Path | None) -> list[str]:
    """The word list, read on the first typo. Missing or unreadable (an index built before it, or a
    version pruned while this process still serves it): no list, typos are read by stems only."""
    if path is None:
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        if path.exists():
            logger.warning("word list %s unreadable (%s): typos are read by stems only", path, exc)
        return []


def _buckets(words: Iterable[str]) -> dict[tuple[str, int], list[str]]:
    buckets: dict[tuple[str, int], list[str]] = {}
    for word in words:
        buckets.setdefault((word[:1], len(word)), []).append(word)
    return buckets


def _near(word: str, buckets: dict[tuple[str, int], list[str]], substitution: bool = True) -> str | None:
    pool = [t for n in (len(word) - 1, len(word), len(word) + 1) for t in buckets.get((word[:1], n), ())]
    return edits1_match(word, pool, substitution)


def normalise_query(text: str, vocab: Vocabulary) -> str:
    """The query with transliterated Russian written in Cyrillic and typos fixed, judged by ``vocab``
    (the index's stemmed BM25 vocabulary).

    A Latin word that is neither a stop word nor a word of the index is rewritten in Cyrillic when
    the Cyrillic spelling is known, or one edit from a known word («obyasni mem pro prodavtsa
    tachek» → «объясни мем про продавца тачек»). An unknown word of at least 5 letters becomes the
    index word one edit away, when there is exactly one («дропаутт» → «дропаут»). Everything else
    is kept as written.
    """
    # In a message written wholly in transliterated Russian («loss ulitel v nan chto delat») a typo is
    # a Russian word's: «delat» is «делать» one letter short, not "delta" with two letters swapped.
    latin_only = not CYRILLIC_RE.search(text)
    words = WORD_RE.findall(text)
    russian_in_latin = latin_only and (detect_lang(text) == "ru" or _mostly_russian_in_latin(words, vocab))
    # In an English message an unknown word is a name or an English typo: "DoRA" is not «дора».
    english = latin_only and not russian_in_latin and _mostly_known(words, vocab)
    out: list[str] = []
    last = 0
    for match in WORD_RE.finditer(text):
        out.append(text[last : match.start()])
        word = match.group(0)
        # a letter joined to a word by a hyphen is a name's part ("k-means", "t-SNE"), not a preposition
        joined = len(word) == 1 and "-" in text[max(0, match.start() - 1) : match.end() + 1]
        out.append(word if joined else _normalise_word(word, vocab, russian_in_latin, english))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _mostly_russian_in_latin(words: list[str], vocab: Vocabulary) -> bool:
    """A third of the words or more are no known Latin word but a known Russian one in Cyrillic
    letters («pochemu», «tablichkah», «neirosetej»)."""
    russian = sum(
        1 for w in words if len(w) > 2 and not _known(w, vocab) and _known(translit_to_cyrillic(w), vocab)
    )
    return bool(words) and 3 * russian >= len(words)


def _mostly_known(words: list[str], vocab: Vocabulary) -> bool:
    """Two thirds of the longer words or more are known as written (an English message; «skolko
    klasterov v k-means» knows only "means")."""
    longer = [w for w in words if len(w) > 2]
    return bool(longer) and 3 * sum(_known(w, vocab) for w in longer) >= 2 * len(longer)


def _known(word: str, vocab: Vocabulary) -> bool:
    low = word.lower().replace("ё", "е")
    if low in STOPWORDS:
        return True
    stems = tokenize(low)
    return bool(stems) and all(s in vocab for s in stems)


def _one_edit(word: str, vocab: Vocabulary) -> str | None:
    low = word.lower().replace("ё", "е")
    stem = (tokenize(low) or [low])[0]
    if written := vocab.near_written(low):
        return written
    if (near := vocab.near(stem)) is not None:
        # An English word's fixed stem keeps the ending as typed: "backpropogation" →
        # "backpropagation", not the stem "backpropag", which the dense encoders read as a word of
        # its own. A Russian stem's ending does not carry over so («диффузионк|и» → «диффузиони»).
        return near + low[len(stem) :] if low.isascii() and low.startswith(stem) else near
    return edits1_match(low, STOPWORDS)


def _normalise_word(
    word: str, vocab: Vocabulary, russian_in_latin: bool = False, english: bool = False
) -> str:
    """A known word as written; else its Cyrillic spelling if that is known; else a known word one
    edit away as written ("gradiant" → "gradient", an English typo, not «градиент»); else a known
    word one edit from its Cyrillic spelling («obyasnite» → «объясните»). In a message of
    transliterated Russian the Cyrillic spelling's near word is tried before the Latin one's."""
    cyrillic = translit_to_cyrillic(word) if word.isascii() and not english else word
    if russian_in_latin and cyrillic != word and cyrillic.lower() in STOPWORDS:
        return cyrillic  # «a», «on», «v» are Russian words here, not English ones
    if word.isdigit() or _known(word, vocab):
        return word
    if cyrillic != word and _known(cyrillic, vocab):
        return cyrillic
    spellings = [(word, MIN_TYPO_LEN), *([(cyrillic, MIN_TYPO_LEN - 1)] if cyrillic != word else [])]
    for spelling, shortest in reversed(spellings) if russian_in_latin else spellings:
        if len(spelling) >= shortest and (fixed := _one_edit(spelling, vocab)) is not None:
            return fixed
    return word
