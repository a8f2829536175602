"""The intent classifier: multilingual-e5-small's top layers fine-tuned, with the frozen sentence
vectors (USE and e5) fed into the classification head beside their pooled output.

The lower :data:`~indexer.e5.STATES_AFTER` layers of e5 stay frozen and are shared with search: the
index's e5 graph outputs each token's state after them (:meth:`indexer.encoders.E5Encoder.token_states`),
so at serving a question goes through them once. The layers above are a copy of e5's own, fine-tuned
here with the head; e5 reads Russian as well as English, where the MiniLM this replaced split Cyrillic
into single letters. Training only (torch); serving runs the exported ONNX graph
(:mod:`router.training.export`, :mod:`router.infer`).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import torch
from torch import nn

logger = logging.getLogger(__name__)


class E5Layer(nn.Module):
    """One post-LayerNorm BERT layer in e5's weight layout (one projection for Q, K and V)."""

    def __init__(self, hidden: int, ff: int, heads: int, eps: float, dropout: float):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.ao = nn.Linear(hidden, hidden)
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ff)
        self.fo = nn.Linear(ff, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def load(self, weights: dict[str, np.ndarray], layer: int) -> None:
        """Copy e5's layer ``layer`` (arrays from :func:`indexer.e5.read_weights`)."""
        p = f"l{layer}."
        with torch.no_grad():
            for name in ("qkv", "ao", "fi", "fo"):
                linear = getattr(self, name)
                linear.weight.copy_(torch.tensor(weights[p + name + ".wt"].T))
                linear.bias.copy_(torch.tensor(weights[p + name + ".b"]))
            for name in ("aln", "oln"):
                norm = getattr(self, name)
                norm.weight.copy_(torch.tensor(weights[p + name + ".w"]))
                norm.bias.copy_(torch.tensor(weights[p + name + ".b"]))

    def forward(self, x: torch.Tensor, attn_bias: torch.Tensor) -> torch.Tensor:
        batch, tokens, hidden = x.shape
        head_dim = hidden // self.heads
        q, k, v = (
            t.reshape(batch, tokens, self.heads, head_dim).transpose(1, 2)
            for t in self.qkv(x).split(hidden, dim=-1)
        )
        scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + attn_bias
        context = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, tokens, hidden)
        x = self.aln(x + self.dropout(self.ao(context)))
        return self.oln(x + self.dropout(self.fo(nn.functional.gelu(self.fi(x)))))


class IntentClassifier(nn.Module):
    """``forward(states, attention_mask, sentence_vectors) -> logits`` over the intents.

    ``states`` ``(batch, tokens, 384)`` are e5's token states after its shared lower layers;
    ``attention_mask`` ``(batch, tokens)`` marks the real tokens. The top layers (initialised from e5's
    ``first_layer`` … last) read them; the head sees ``[mean-pooled top layers ; sentence vectors]``
    through LayerNorm, dropout and a linear layer. ``sentence_dim=0`` is the ablation without the vectors.
    """

    def __init__(
        self,
        n_labels: int,
        weights: dict[str, np.ndarray],
        config: dict[str, Any],
        first_layer: int,
        sentence_dim: int = 896,
        dropout: float = 0.1,
    ):
        super().__init__()
        hidden, eps = int(config["H"]), float(config["eps"])
        self.layers = nn.ModuleList()
        for layer in range(first_layer, int(config["NL"])):
            block = E5Layer(hidden, int(config["FF"]), int(config["NH"]), eps, dropout)
            block.load(weights, layer)
            self.layers.append(block)
        self.sentence_dim = sentence_dim
        in_dim = hidden + sentence_dim
        self.norm = nn.LayerNorm(in_dim)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(in_dim, n_labels)

    def forward(
        self,
        states: torch.Tensor,
        attention_mask: torch.Tensor,
        sentence_vectors: torch.Tensor | None = None,
    ) -> torch.Tensor:
        mask = attention_mask.to(states.dtype)
        attn_bias = ((1.0 - mask) * -1e4)[:, None, None, :]
        x = states
        for layer in self.layers:
            x = layer(x, attn_bias)
        weights = mask.unsqueeze(-1)
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        if self.sentence_dim:
            assert sentence_vectors is not None
            pooled = torch.cat([pooled, sentence_vectors], dim=-1)
        return self.head(self.dropout(self.norm(pooled)))
