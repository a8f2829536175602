"""What the intent classifier reads in training: e5's token states and the frozen sentence vectors."""

from __future__ import annotations

import numpy as np
import torch

from indexer.encoders import STATES_KEPT, Encoder
from router.infer import MAX_TOKENS, pad_states


class Featurizer:
    """e5's token states after its shared lower layers, and the frozen sentence vectors, of texts;
    each text is encoded once per process (baselines and folds reuse them)."""

    def __init__(self, sentence_encoder: Encoder):
        self.sentence_encoder = sentence_encoder
        self._vectors: dict[str, torch.Tensor] = {}
        self._states: dict[str, np.ndarray] = {}

    def _encode(self, texts: list[str]) -> None:
        """Vectors and token states of the texts not seen yet, in one e5 pass: the encoder keeps the
        states of up to :data:`~indexer.encoders.STATES_KEPT` texts it has just encoded."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        for start in range(0, len(missing), STATES_KEPT):
            chunk = missing[start : start + STATES_KEPT]
            vectors = self.sentence_encoder.encode(chunk)
            states = self.sentence_encoder.token_states(chunk)  # type: ignore[attr-defined]
            for text, vector, state in zip(chunk, vectors, states, strict=True):
                self._vectors[text] = torch.from_numpy(vector.copy())
                self._states[text] = state

    def states(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """``{"states": (n, T, H), "attention_mask": (n, T)}``, padded to the longest of ``texts``."""
        self._encode(texts)
        states, mask = pad_states([self._states[t] for t in texts], MAX_TOKENS)
        return {"states": torch.from_numpy(states), "attention_mask": torch.from_numpy(mask)}

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Each text's e5 token count after truncation (what a batch of it is padded to)."""
        self._encode(texts)
        return [min(len(self._states[t]), MAX_TOKENS) for t in texts]

    def vectors(self, texts: list[str]) -> torch.Tensor:
        """Sentence vectors ``(n, dim)``."""
        self._encode(texts)
        return (
            torch.stack([self._vectors[t] for t in texts])
            if texts
            else torch.zeros((0, self.sentence_encoder.dim))
        )
