"""Export the trained classifier to ONNX with int8 linear layers, for onnxruntime at serving.

Inputs of the graph: ``states`` (float32 ``(batch, tokens, 384)``, e5's token states after its shared
lower layers, at most :data:`router.infer.MAX_TOKENS` tokens), ``attention_mask`` (int64) and
``sentence_vectors`` (float32, the frozen ``[use | e5]`` vectors); output ``probs`` (softmax over the intents, blended with a linear classifier
on the sentence vectors when one is given).
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from indexer.encoders import E5Encoder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinearBlend:
    """A linear classifier on the frozen sentence vectors whose probabilities are mixed into the
    transformer's: ``probs = (1 - share) * softmax(transformer) + share * softmax(vectors @ weight.T + bias)``.

    ``weight`` is ``(n_labels, sentence_dim)``, ``bias`` ``(n_labels,)`` (a fitted multinomial logistic
    regression's ``coef_`` and ``intercept_``).
    """

    weight: np.ndarray
    bias: np.ndarray
    share: float


class _WithSoftmax(torch.nn.Module):
    def __init__(self, model: torch.nn.Module, blend: LinearBlend | None = None):
        super().__init__()
        self.model = model
        self.share = blend.share if blend is not None else 0.0
        self.linear: torch.nn.Linear | None = None
        if blend is not None:
            weight = torch.as_tensor(blend.weight, dtype=torch.float32)
            self.linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
            with torch.no_grad():
                self.linear.weight.copy_(weight)
                self.linear.bias.copy_(torch.as_tensor(blend.bias, dtype=torch.float32))

    def forward(
        self, states: torch.Tensor, attention_mask: torch.Tensor, sentence_vectors: torch.Tensor
    ) -> torch.Tensor:
        probs = torch.softmax(self.model(states, attention_mask, sentence_vectors), dim=-1)
        if self.linear is None:
            return probs
        return (1.0 - self.share) * probs + self.share * torch.softmax(self.linear(sentence_vectors), dim=-1)


def export_onnx(
    model: torch.nn.Module,
    out: Path,
    sentence_dim: int,
    quantize: bool = True,
    blend: LinearBlend | None = None,
) -> Path:
    """Write ``out`` (replaced atomically): ``model`` (an :class:`~router.training.model.IntentClassifier`,
    or any module with its ``forward``) as a float graph, then int8 dynamic quantisation.

    ``blend``: a linear classifier on the sentence vectors mixed into the output probabilities.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    wrapped = _WithSoftmax(model, blend).eval()
    states = torch.zeros((1, 5, E5Encoder.dim), dtype=torch.float32)
    example = (
        states,
        torch.ones((1, 5), dtype=torch.long),
        torch.zeros((1, max(sentence_dim, 1)), dtype=torch.float32),
    )
    tmp_float = out.with_name(f".{out.stem}.{os.getpid()}.f32.onnx")
    tmp_final = out.with_name(f".{out.stem}.{os.getpid()}.onnx")
    axes = {
        "states": {0: "batch", 1: "tokens"},
        "attention_mask": {0: "batch", 1: "tokens"},
        "sentence_vectors": {0: "batch"},
        "probs": {0: "batch"},
    }
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapped,
            example,
            str(tmp_float),
            input_names=["states", "attention_mask", "sentence_vectors"],
            output_names=["probs"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    try:
        if quantize:
            logging.disable(logging.WARNING)  # the quantiser logs a pre-processing tip to the root logger
            try:
                quantize_dynamic(
                    str(tmp_float),
                    str(tmp_final),
                    weight_type=QuantType.QInt8,
                    op_types_to_quantize=["MatMul", "Gemm"],
                )
            finally:
                logging.disable(logging.NOTSET)
        else:
            tmp_float.replace(tmp_final)
        os.replace(tmp_final, out)
    finally:
        tmp_float.unlink(missing_ok=True)
        tmp_final.unlink(missing_ok=True)
    return out
