"""Both real encoders load offline from installed packages and produce normalised vectors."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.encoders import EncoderError, get_encoder


@pytest.fixture(scope="module")
def minilm():  # noqa: ANN201
    return get_encoder("minilm")


def test_use_embeds_russian_and_english_into_one_space(use_encoder) -> None:  # noqa: ANN001
    vectors = use_encoder.encode(["что такое дропаут", "what is dropout", "рецепт борща со сметаной"])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_minilm_loads_from_the_package_and_reads_english(minilm) -> None:  # noqa: ANN001
    vectors = minilm.encode(["what is dropout in neural networks", "dropout regularization", "borscht recipe"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_empty_input_gives_empty_matrix(use_encoder, minilm) -> None:  # noqa: ANN001
    assert use_encoder.encode([]).shape == (0, 512)
    assert minilm.encode([]).shape == (0, 384)


def test_unknown_encoder_is_a_clear_error() -> None:
    with pytest.raises(EncoderError, match="unknown encoder 'bert-large' \\(known: use, minilm\\)"):
        get_encoder("bert-large")
