"""What the intent classifier reads: MiniLM tokens and the frozen multilingual sentence vector."""

from __future__ import annotations

import torch

from indexer.encoders import Encoder, get_encoder
from router.model import MAX_TOKENS, load_tokenizer


class Featurizer:
    """Tokenises texts for MiniLM and encodes them with the frozen multilingual sentence encoder."""

    def __init__(self, sentence_encoder: Encoder | None = None):
        self.tokenizer = load_tokenizer()
        self.sentence_encoder = sentence_encoder or get_encoder("use")

    def tokens(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=MAX_TOKENS)

    def vectors(self, texts: list[str]) -> torch.Tensor:
        return torch.from_numpy(self.sentence_encoder.encode(texts))
