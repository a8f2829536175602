"""What the intent classifier reads in training: MiniLM tokens and the frozen sentence vectors."""

from __future__ import annotations

import torch

from indexer.encoders import Encoder
from router.training.model import MAX_TOKENS, load_tokenizer


class Featurizer:
    """Tokenises texts for MiniLM and encodes them with the frozen sentence encoder(s)."""

    def __init__(self, sentence_encoder: Encoder):
        self.tokenizer = load_tokenizer()
        self.sentence_encoder = sentence_encoder
        self._cache: dict[str, torch.Tensor] = {}

    def tokens(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            texts, return_tensors="pt", padding=True, truncation=True, max_length=MAX_TOKENS
        )

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Each text's MiniLM token count after truncation (what a batch of it is padded to)."""
        return [
            len(ids) for ids in self.tokenizer(texts, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        ]

    def vectors(self, texts: list[str]) -> torch.Tensor:
        """Sentence vectors, each text encoded once per process (baselines and folds reuse them)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self.sentence_encoder.encode(missing), strict=True):
                self._cache[text] = torch.from_numpy(vector.copy())
        return (
            torch.stack([self._cache[t] for t in texts])
            if texts
            else torch.zeros((0, self.sentence_encoder.dim))
        )
