"""The intent router: data, training on a subset, the real model's held-out metrics, confidence,
parameter extraction and validation.

The training code (torch, scikit-learn: ~6 s of CPU to import) is imported by the tests that use it, not by
the module: every pytest-xdist worker of every phase of `make test` imports every test module to
collect it, and most of them never run these tests.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from demos.errors import DemoParamError
from demos.registry import get_demo, list_demos, validate_params
from indexer.e5 import STATES_AFTER
from indexer.encoders import STATES_KEPT
from router.data import INTENTS, IntentDataError, load_examples, stratified_split
from router.params import extract_demo_request, extract_params, find_demo_id


def test_training_data_is_large_bilingual_and_unique() -> None:
    examples = load_examples()
    per_intent = Counter(e.intent for e in examples)
    assert set(per_intent) == set(INTENTS) and min(per_intent.values()) >= 160
    for intent in INTENTS:
        langs = Counter(e.lang for e in examples if e.intent == intent)
        assert langs["ru"] >= 80 and langs["en"] >= 80, intent
    texts = [e.text.lower() for e in examples]
    assert len(texts) == len(set(texts))


def test_split_is_stratified_and_deterministic() -> None:
    examples = load_examples()
    train, test = stratified_split(examples, 0.2, seed=0)
    assert stratified_split(examples, 0.2, seed=0) == (train, test)
    assert not {e.text for e in train} & {e.text for e in test}
    for intent in INTENTS:
        share = sum(e.intent == intent for e in test) / sum(e.intent == intent for e in examples)
        assert 0.15 <= share <= 0.25


def test_bad_intent_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "intents.yaml"
    bad.write_text("greeting:\n  en: [hi]\n", encoding="utf-8")
    with pytest.raises(IntentDataError, match="unknown intent 'greeting'"):
        load_examples(bad)


@pytest.mark.slow
def test_training_on_a_subset_writes_the_onnx_model_and_metadata(tmp_path: Path, encoder) -> None:
    from router.infer import load_router
    from router.training.train import TrainConfig, needs_training, train_router

    out = tmp_path / "router"
    result = train_router(
        TrainConfig(epochs=1, subset=12, batch_size=16), out_dir=out, progress=False, sentence_encoder=encoder
    )
    meta = json.loads((out / "meta.json").read_text())
    assert 4_000_000 < (out / "model.onnx").stat().st_size < 12_000_000  # e5's top four layers, int8, + head
    assert not (out / "model.pt").exists()
    assert meta["labels"] == list(INTENTS) and len(meta["data_hash"]) == 64
    assert meta["sentence_encoder"] == "use+e5" and meta["sentence_dim"] == 896
    assert meta["states_after"] == STATES_AFTER
    assert meta["examples"]["train"] + meta["examples"]["test"] == 12 * len(INTENTS)
    assert meta["metrics"]["macro_f1"] == pytest.approx(result.report.macro_f1)
    assert {b["name"] for b in meta["baselines"]} == {
        "keyword rules",
        "logreg on use+e5",
        "fine-tuned e5 top+use+e5 alone",
    }
    assert meta["config"]["logreg_share"] == 0.5 and "blended 0.5/0.5" in meta["metrics"]["name"]
    assert needs_training(out) == "saved router was trained on a subset"
    route = load_router(out, encoder).route("что такое дропаут")
    assert route.intent in INTENTS and sum(route.scores.values()) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("quantize", [False, True])
def test_the_exported_graph_blends_the_two_classifiers(tmp_path: Path, quantize: bool) -> None:
    """probs = (1 - share) × softmax(transformer) + share × softmax(linear on the sentence vectors)."""
    import onnxruntime as ort
    import torch

    from router.training.export import LinearBlend, export_onnx

    class FixedLogits(torch.nn.Module):
        """Stands in for the transformer: logits from the sentence vectors' first columns."""

        def forward(
            self, states: torch.Tensor, attention_mask: torch.Tensor, sentence_vectors: torch.Tensor
        ) -> torch.Tensor:
            return sentence_vectors[:, :3] * 2.0

    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(3, 6)), rng.normal(size=3)
    out = export_onnx(
        FixedLogits(), tmp_path / "m.onnx", 6, quantize=quantize, blend=LinearBlend(weight, bias, 0.3)
    )
    vectors = rng.normal(size=(5, 6)).astype(np.float32)
    states = rng.normal(size=(5, 3, 384)).astype(np.float32)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    feeds = {"states": states, "attention_mask": np.ones((5, 3), np.int64), "sentence_vectors": vectors}
    probs = session.run(
        ["probs"], {k: v for k, v in feeds.items() if k in {i.name for i in session.get_inputs()}}
    )[0]

    def softmax(x: np.ndarray) -> np.ndarray:
        e = np.exp(x - x.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    expected = 0.7 * softmax(vectors[:, :3] * 2.0) + 0.3 * softmax(vectors @ weight.T + bias)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, expected, atol=0.02 if quantize else 1e-5)


def test_real_model_meets_the_targets_on_held_out_data(intent_router) -> None:
    meta = intent_router.meta
    ours = meta["metrics"]["macro_f1"]
    # Honest thresholds (bench/RESULTS.md): the recipe (CI's and the product's: e5's top four layers,
    # 4 epochs) reaches 0.963 on the 1,838-example split; logistic regression on the same frozen
    # vectors 0.954 — within a few questions. The bars are the recipe's, less a small margin.
    assert ours >= 0.90
    baselines = {b["name"]: b["macro_f1"] for b in meta["baselines"]}
    assert ours > baselines["keyword rules"] + 0.3
    assert ours >= baselines["logreg on use+e5"] - 0.03
    # Recompute on the held-out split with the saved model: the metadata is not taken on trust.
    _, test = stratified_split(load_examples(), meta["config"]["test_fraction"], meta["config"]["seed"])
    texts = [e.text for e in test]
    raw = getattr(intent_router.sentence_encoder, "inner", intent_router.sentence_encoder)  # as in training
    # In batches of STATES_KEPT, whose token states the encoder keeps: routing reuses the e5 pass that
    # made the vectors, as in the pipeline, instead of running e5 over the 461 questions a second time.
    probs = np.vstack(
        [
            intent_router.scores(texts[i : i + STATES_KEPT], raw.encode(texts[i : i + STATES_KEPT]))
            for i in range(0, len(texts), STATES_KEPT)
        ]
    )
    predicted = [INTENTS[i] for i in probs.argmax(1)]
    accuracy = np.mean([p == e.intent for p, e in zip(predicted, test, strict=True)])
    assert accuracy == pytest.approx(meta["metrics"]["accuracy"], abs=0.01)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("что такое дропаут", "explain_concept"),
        ("what is dropout actually doing", "explain_concept"),
        ("покажи дропаут на примере, p=0.3", "run_demo"),
        ("run the FGSM demo with eps 0.1", "run_demo"),
        ("в чём прикол мема с котом у крана", "explain_meme"),
        ("что почитать по теории вероятностей", "resources"),
        ("how can I submit a meme", "submit_meme"),
        ("привет", "smalltalk"),
        ("price of a used toyota", "off_topic"),
        ("какая погода завтра в москве", "off_topic"),
    ],
)
def test_routes_typical_questions(intent_router, text: str, intent: str) -> None:
    route = intent_router.route(text)
    # Right, and by a majority. (Whether it clears the model's confidence line — set to accept 75–85%
    # of held-out questions — depends on the recipe: a 2-epoch router put the weather at 0.71.)
    assert route.intent == intent and route.confidence >= 0.5
    assert 0 < route.confidence <= 1 and sum(route.scores.values()) == pytest.approx(1.0, abs=1e-4)


def test_unsure_route_falls_back_to_retrieval_with_suggestions(intent_router, retriever) -> None:
    from bot.answer import AnswerPipeline

    pipeline = AnswerPipeline(retriever, router=intent_router, demos=list_demos())
    # A bare keyword gives the classifier little to go on; the answer then comes from retrieval.
    query = "дропаут"
    route = intent_router.route(query)
    answer = pipeline.answer(query)
    if route.confident:
        assert answer.intent == route.intent
    assert answer.note is not None and answer.note.slug == "dropout"


def test_thresholds_are_chosen_from_held_out_predictions() -> None:
    from router.training.train import choose_thresholds

    confidences = np.array([0.99, 0.95, 0.9, 0.6, 0.55, 0.4])
    margins = np.array([0.98, 0.9, 0.8, 0.2, 0.1, 0.05])
    correct = np.array([True, True, True, False, True, False])
    chosen = choose_thresholds(confidences, margins, correct, target=0.99)
    accepted = (confidences >= chosen.min_confidence) & (margins >= chosen.min_margin)
    assert correct[accepted].all() and accepted.sum() == 3
    assert chosen.coverage == pytest.approx(0.5) and chosen.accepted_accuracy == 1.0


def test_length_batches_cover_every_example_once_and_pad_less_than_random_batches() -> None:
    import torch

    from router.training.train import POOL_BATCHES, batches_per_epoch, length_batches

    rng = np.random.default_rng(0)
    lengths = rng.integers(4, 49, size=1000).tolist()
    batch_size = 16
    generator = torch.Generator().manual_seed(0)
    batches = length_batches(lengths, batch_size, generator)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert len(batches) == batches_per_epoch(1000, batch_size)
    assert all(0 < len(b) <= batch_size for b in batches)
    padded = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    random_order = torch.randperm(1000, generator=torch.Generator().manual_seed(0)).tolist()
    random_padded = sum(
        max(lengths[i] for i in random_order[s : s + batch_size]) * len(random_order[s : s + batch_size])
        for s in range(0, 1000, batch_size)
    )
    assert padded < 0.7 * random_padded
    # the batches come in shuffled order: not pool after pool from short to long
    first_pool = batches[:POOL_BATCHES]
    assert [max(lengths[i] for i in b) for b in first_pool] != sorted(
        max(lengths[i] for i in b) for b in first_pool
    )
    # the next epoch draws other batches
    assert length_batches(lengths, batch_size, generator) != batches


def test_keyword_baseline_rules() -> None:
    from router.training.baselines import keyword_intent

    assert keyword_intent("покажи дропаут") == "run_demo"
    assert keyword_intent("как предложить мем") == "submit_meme"
    assert keyword_intent("рецепт борща") == "off_topic"


@pytest.mark.parametrize(
    ("text", "demo", "params"),
    [
        ("покажи dropout на примере, p=0.3", "dropout", {"p": 0.3}),
        ("запусти dropout с вероятностью 0,5", "dropout", {"p": 0.5}),
        ("run adversarial with eps 0.1", "adversarial", {"eps": 0.1}),
        ("show spatial-dropout p: 0.2", "spatial-dropout", {"p": 0.2}),
    ],
)
def test_extracts_demo_and_parameters(text: str, demo: str, params: dict[str, float]) -> None:
    request = extract_demo_request(text, list_demos())
    assert request.demo_id == demo
    assert request.params == params


def test_demo_named_nowhere_uses_the_retrieval_fallback() -> None:
    assert find_demo_id("покажи как работает эта штука", list_demos()) is None
    assert (
        extract_demo_request("покажи на примере", list_demos(), fallback_demo_id="fine-tuning").demo_id
        == "fine-tuning"
    )


def test_bare_number_goes_to_the_only_parameter() -> None:
    spec = get_demo("dropout")
    assert extract_params("дропаут 0.7", spec.params) == {"p": 0.7}


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [({"p": "1.5"}, "ru", "от 0.0 до 0.95"), ({"p": "abc"}, "en", "must be a number")],
)
def test_out_of_range_or_wrong_type_names_the_allowed_range(
    raw: dict[str, str], lang: str, expected: str
) -> None:
    with pytest.raises(DemoParamError) as info:
        validate_params(get_demo("dropout"), raw)
    assert expected in info.value.message(lang)
    assert validate_params(get_demo("dropout"), {"p": "0,3"})["p"] == pytest.approx(0.3)


def test_a_demo_the_registry_lacks_is_no_request() -> None:
    assert (
        extract_demo_request("покажи на примере", list_demos(), fallback_demo_id="no-such-demo").demo_id
        is None
    )


def test_the_notes_questions_teach_the_router_their_intent(tmp_path: Path) -> None:
    """Each note's first question in each language is an example of the intent its kind implies; a
    changed question makes the trained model stale."""
    import shutil

    from router.data import DATA_FILE, data_hash, note_examples

    repo = Path(__file__).resolve().parents[1]
    notes = tmp_path / "knowledge"
    for folder, slug in (("memes", "meme-finetune-cat"), ("concepts", "dropout")):
        (notes / folder).mkdir(parents=True)
        shutil.copy(repo / "knowledge" / folder / f"{slug}.md", notes / folder)
    examples = note_examples(notes)
    assert sorted((e.intent, e.lang) for e in examples) == [
        ("explain_concept", "en"),
        ("explain_concept", "ru"),
        ("explain_meme", "en"),
        ("explain_meme", "ru"),
    ]
    texts = {e.text for e in load_examples(DATA_FILE, notes)}
    assert {e.text for e in examples} <= texts
    before = data_hash(DATA_FILE, notes)
    dropout = notes / "concepts" / "dropout.md"
    first_ru = next(e.text for e in examples if e.intent == "explain_concept" and e.lang == "ru")
    dropout.write_text(
        dropout.read_text(encoding="utf-8").replace(first_ru, "зачем выключать нейроны"), "utf-8"
    )
    assert data_hash(DATA_FILE, notes) != before
    assert "зачем выключать нейроны" in {e.text for e in note_examples(notes)}
