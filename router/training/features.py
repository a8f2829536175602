"""What the intent classifier reads in training: e5's token states and the frozen sentence vectors."""

from __future__ import annotations

import numpy as np
import torch

from indexer.encoders import Encoder
from router.infer import MAX_TOKENS, pad_states


class Featurizer:
    """e5's token states after its shared lower layers, and the frozen sentence vectors, of texts;
    each text is encoded once per process (baselines and folds reuse them)."""

    def __init__(self, sentence_encoder: Encoder):
        self.sentence_encoder = sentence_encoder
        self._vectors: dict[str, torch.Tensor] = {}
        self._states: dict[str, np.ndarray] = {}

    def states(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """``{"states": (n, T, H), "attention_mask": (n, T)}``, padded to the longest of ``texts``."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._states]
        if missing:
            self._states.update(zip(missing, self.sentence_encoder.token_states(missing), strict=True))  # type: ignore[attr-defined]
        states, mask = pad_states([self._states[t] for t in texts], MAX_TOKENS)
        return {"states": torch.from_numpy(states), "attention_mask": torch.from_numpy(mask)}

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Each text's e5 token count after truncation (what a batch of it is padded to)."""
        self.states(texts)
        return [min(len(self._states[t]), MAX_TOKENS) for t in texts]

    def vectors(self, texts: list[str]) -> torch.Tensor:
        """Sentence vectors ``(n, dim)``."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.sentence_encoder.encode(missing), strict=True):
                self._vectors[text] = torch.from_numpy(vector.copy())
        return (
            torch.stack([self._vectors[t] for t in texts])
            if texts
            else torch.zeros((0, self.sentence_encoder.dim))
        )
