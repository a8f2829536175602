"""Export the trained classifier to ONNX with int8 linear layers, for onnxruntime at serving.

Inputs of the graph: ``input_ids`` and ``attention_mask`` (int64, MiniLM's tokenizer, at most
:data:`router.training.model.MAX_TOKENS` tokens) and ``sentence_vectors`` (float32, the frozen
``[use | e5]`` vectors); output ``probs`` (softmax over the intents).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import torch

from router.training.model import IntentClassifier

logger = logging.getLogger(__name__)


class _WithSoftmax(torch.nn.Module):
    def __init__(self, model: IntentClassifier):
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, sentence_vectors: torch.Tensor
    ) -> torch.Tensor:
        return torch.softmax(self.model(input_ids, attention_mask, sentence_vectors), dim=-1)


def export_onnx(model: IntentClassifier, out: Path, sentence_dim: int, quantize: bool = True) -> Path:
    """Write ``out`` (replaced atomically): the float graph, then int8 dynamic quantisation."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    wrapped = _WithSoftmax(model).eval()
    ids = torch.tensor([[101, 2054, 2003, 4530, 102]], dtype=torch.long)
    example = (ids, torch.ones_like(ids), torch.zeros((1, max(sentence_dim, 1)), dtype=torch.float32))
    tmp_float = out.with_name(f".{out.stem}.{os.getpid()}.f32.onnx")
    tmp_final = out.with_name(f".{out.stem}.{os.getpid()}.onnx")
    axes = {
        "input_ids": {0: "batch", 1: "tokens"},
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
            input_names=["input_ids", "attention_mask", "sentence_vectors"],
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
                    op_types_to_quantize=["MatMul", "Gemm", "Gather"],
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
