"""Hybrid search: quality on the dev set, fusion rules, per-note results, unknown detection,
query normalisation, and the mapped lexical index."""

from __future__ import annotations

import numpy as np
import pytest

from common.textnorm import translit_to_cyrillic, within_one_edit
from indexer.evaluate import DEVSET, UNKNOWN, evaluate_retrieval, load_eval_file, load_unknown_file
from indexer.search import rrf_fuse


@pytest.fixture(scope="module")
def evaluation(retriever):
    return evaluate_retrieval(retriever, load_eval_file(DEVSET), unknown_queries=load_unknown_file(UNKNOWN))


def test_devset_is_large_and_bilingual() -> None:
    items = load_eval_file(DEVSET)
    langs = [i.lang for i in items]
    assert len(items) >= 700 and langs.count("ru") >= 350 and langs.count("en") >= 350


# Honest thresholds: what the shipped search reaches on the dev set (bench/RESULTS.md: ru 0.921,
# en 0.939 with the reranker fitted on it; 0.921/0.937 cross-validated), less a small margin.
@pytest.mark.slow
@pytest.mark.parametrize(("lang", "target"), [("ru", 0.90), ("en", 0.92)])
def test_hybrid_recall_at_1_meets_target(evaluation, lang: str, target: float) -> None:
    assert evaluation.table["hybrid"][lang].recall_at_1 >= target
    assert evaluation.table["hybrid"][lang].recall_at_3 >= 0.95


@pytest.mark.slow
def test_hybrid_beats_every_single_list_and_plain_fusion(evaluation) -> None:
    hybrid = evaluation.table["hybrid"]["all"]
    for mode in ("rrf", "use", "e5", "dense", "bm25"):
        assert hybrid.recall_at_1 > evaluation.table[mode]["all"].recall_at_1, mode
        assert hybrid.mrr > evaluation.table[mode]["all"].mrr, mode


@pytest.mark.slow
def test_unknown_topics_are_mostly_refused_and_known_ones_answered(evaluation) -> None:
    # Retrieval's own answerability judgement refuses 0.86 of the first 107 uncovered questions but
    # only 0.70 of the 46 added in issue 12 (written to be near a note: DBSCAN, spectral clustering,
    # GRPO …), 0.78 of all 153; the answer decision refuses more (bench/RESULTS.md, Round 3).
    assert evaluation.refused_unknown >= 0.75
    assert evaluation.answered_known >= 0.9


def test_rrf_fuse_sums_reciprocal_ranks() -> None:
    fused = rrf_fuse([["a", "b"], ["b", "c"]], k=5)
    assert fused == pytest.approx({"a": 1 / 6, "b": 1 / 7 + 1 / 6, "c": 1 / 7})
    assert rrf_fuse([["a"], ["b"]], k=5, weights=[2.0, 1.0]) == pytest.approx({"a": 2 / 6, "b": 1 / 6})


def test_results_are_per_note_sorted_and_carry_evidence(retriever) -> None:
    hits = retriever.search("dropout дропаут маска", k=10)
    slugs = [h.slug for h in hits]
    assert len(slugs) == len(set(slugs)) == 10
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top = hits[0]
    assert top.slug == "dropout" and top.named and top.relevant
    assert 0 < top.dense <= 1 and 0 < top.e5 <= 1 and top.bm25 > 0
    assert top.dense_rank >= 1 and top.e5_rank >= 1 and top.bm25_rank >= 1 and top.agree >= 1


def test_all_zero_bm25_list_does_not_enter_the_fusion(retriever) -> None:
    """No query term occurs in the notes: BM25 says nothing, so plain fusion ranks exactly like dense."""
    query = "хрюкотали зелюки"
    assert retriever.bm25_scores(query) == {}
    fused = [h.slug for h in retriever.search(query, k=5, mode="rrf")]
    dense = [h.slug for h in retriever.search(query, k=5, mode="dense")]
    assert fused == dense


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("что такое дропаут", "dropout"),
        ("what is dropout", "dropout"),
        ("в чём прикол кота который пьёт из крана", "meme-finetune-cat"),
        ("why does the pytorch log example print nan", "meme-torch-log-negative"),
        ("сколько картинок в имаджнете", "imagenet"),
        ("obyasni mem pro prodavtsa tachek", "meme-car-salesman"),
        ("chto takoe batchnorm", "batch-normalization"),
        ("что такое дропаутт", "dropout"),
        ("kak rabotaet gradientnyy spusk", "gradient-descent"),
    ],
)
def test_typical_questions_find_their_note(retriever, query: str, slug: str) -> None:
    assert retriever.search(query, k=1)[0].slug == slug


@pytest.mark.parametrize(
    ("query", "normalised"),
    [
        ("chto takoe batchnorm", "что такое batchnorm"),
        ("kak rabotaet gradientnyy spusk", "как работает градиентный спуск"),
        ("что такое дропаутт", "что такое дропаут"),
        ("chto takoe kross validaciya", "что такое кросс валидация"),
        # a letter joined by a hyphen is part of a name, not the preposition «к»
        ("skolko klasterov v k-means", "сколько кластеров в k-means"),
        # a letter missing: two edits from the stem («precis», «attent»/«agent»), one from the word
        ("precison vs recall", "precision vs recall"),
        ("atention mechanism", "attention mechanism"),
        # a different letter, one edit from a stem: the English ending stays as typed, not the stem
        ("backpropogation explained", "backpropagation explained"),
        # a different letter in a whole word is more often another word than a typo
        ("dynamic time warping", "dynamic time warping"),
        # in a message of transliterated Russian a typo is a Russian word's: «delat», not "delta"
        ("loss v nan chto delat", "loss в nan что дела"),
        # most words are Russian ones in Latin letters: «a», «on» are Russian words too
        ("a pochemu on na tablichkah luchshe", "а почему он на табличках лучше"),
        ("what is the delat in this formula", "what is the delta in this formula"),
        ("what is dropout", "what is dropout"),
        ("price of a used toyota", "price of a used toyota"),
        # in an English message an unknown name stays a name: "DoRA" is not «дора»
        (
            "what's DoRA and how is it different from plain LoRA?",
            "what's DoRA and how is it different from plain LoRA?",
        ),
    ],
)
def test_queries_are_normalised_against_the_index_vocabulary(retriever, query: str, normalised: str) -> None:
    assert retriever.normalise(query) == normalised


def test_words_no_note_uses_are_found_in_any_script(retriever) -> None:
    assert retriever.unknown_terms("а федеративное обучение как устроено?") == ["федеративн"]
    assert retriever.unknown_terms("а что такое конформное предсказание?") == ["конформн"]
    # question-frame slang and short stems are no topic; known words are not unknown
    assert retriever.unknown_terms("а тогда нафига все делают глубокие сети?") == []
    assert retriever.unknown_terms("а в керасе как?") == []


def test_transliteration_and_edit_distance() -> None:
    assert translit_to_cyrillic("prodavtsa") == "продавца"
    assert translit_to_cyrillic("takoy") == "такой"
    assert translit_to_cyrillic("shchuka") == "щука"
    assert translit_to_cyrillic("дропаут") == "дропаут"
    assert translit_to_cyrillic("validaciya") == translit_to_cyrillic("validatsiya") == "валидация"
    assert translit_to_cyrillic("sravnivaetsya") == "сравнивается"
    assert within_one_edit("дропаут", "дропаутт") and within_one_edit("batchnrom", "batchnorm")
    assert not within_one_edit("dropout", "drop")
    assert within_one_edit("warping", "warning")
    assert not within_one_edit("warping", "warning", substitution=False)
    assert within_one_edit("batchnrom", "batchnorm", substitution=False)  # a swap is still one edit


def test_mapped_bm25_scores_equal_bm25s(retriever) -> None:
    import bm25s

    from indexer.text import tokenize

    model = bm25s.BM25.load(str(retriever.version_dir / "bm25"), mmap=True)
    tokens = [t for t in tokenize("переобучение модели на обучающей выборке") if t in model.vocab_dict]
    assert tokens
    assert np.allclose(retriever._bm25.scores(tokens), model.get_scores(tokens), atol=1e-4)


def test_names_are_matched_as_whole_words(retriever) -> None:
    assert "dropout" in retriever.names_in("расскажи про Dropout, пожалуйста")
    assert "dropout" not in retriever.names_in("a raindrop outside the window")  # "drop out" inside words


def test_a_two_letter_name_names_its_note(retriever) -> None:
    """«какой lr ставить» names the learning rate as «learning rate» does; "ln" is the logarithm too,
    and no note lists it."""
    assert "learning-rate" in retriever.names_in("какой lr ставить то?")
    assert "learning-rate" in retriever.names_in("лр слишком большой что будет")
    assert "learning-rate" not in retriever.names_in("clr и lrs внутри слов не считаются")
    assert "layer-normalization" not in retriever.names_in("почему ln(-1) даёт nan")


def test_coverage_counts_topic_words_and_a_look_alike_has_one_no_note_knows(retriever) -> None:
    """«how do I …» frames a question and counts for nothing; the guitar is in no note at all."""
    known, in_note, _ = retriever.coverage("how do I fine tune my guitar", "fine-tuning")
    assert known == in_note == pytest.approx(2 / 3)  # fine, tune (in the note); guitar (nowhere)
    assert retriever.coverage("how do I fine tune a pretrained model", "fine-tuning")[:2] == (1.0, 1.0)
    assert retriever.coverage("что такое дропаут", "dropout") == (1.0, 1.0, 0.0)
    assert retriever.coverage("???", "dropout") == (1.0, 1.0, 0.0)


def test_coverage_finds_a_rare_word_another_note_uses_and_the_top_note_does_not(retriever) -> None:
    """A sibling method's name («спектральная» → the k-means note) is a word few notes use, none of
    them k-means; a question about k-means itself leaves no such word outside its note."""
    sibling = retriever.coverage("спектральная кластеризация это что, лучше к-средних на кольцах?", "k-means")
    own = retriever.coverage("как выбрать число кластеров в k-means", "k-means")
    assert sibling.rare_outside > 0.8
    assert own.rare_outside < 0.3
    assert 0.0 <= own.rare_outside <= sibling.rare_outside <= 1.0


def test_words_that_frame_a_question_count_in_every_form() -> None:
    """The word "explain" is a stop word; "explained" is not, and stems to it: neither names a topic."""
    from indexer.text import question_frame_terms, tokenize

    frame = question_frame_terms()
    assert [t for t in tokenize("backpropagation explained simply") if t not in frame] == ["backpropag"]
    assert [t for t in tokenize("объясните дропаут на пальцах") if t not in frame] == tokenize("дропаут")


def test_unknown_names_are_latin_words_no_note_uses(retriever) -> None:
    assert retriever.unknown_names("how does adafactor save optimizer memory compared to adam") == 1
    assert retriever.unknown_names("what is dropout and why divide by 1-p") == 0
    assert retriever.unknown_names("что такое дропаут") == 0  # Cyrillic words are not names here
    assert retriever.unknown_names("precison vs recall") == 0  # a typo is read first


def test_a_missing_or_damaged_word_list_leaves_typos_to_the_stems(tmp_path) -> None:
    """An index built before the word list, or a version pruned while it is served: no error."""
    from indexer.lexical import Vocabulary

    words = tmp_path / "words.json"
    assert Vocabulary({"precis": 0}, words).near_written("precison") is None  # missing
    words.write_text("[not json", encoding="utf-8")
    assert Vocabulary({"precis": 0}, words).near_written("precison") is None  # damaged
    words.write_text('["precision", "recall"]', encoding="utf-8")
    assert Vocabulary({"precis": 0}, words).near_written("precison") == "precision"


def test_the_words_that_frame_a_question_do_not_rank_the_notes(retriever) -> None:
    """ "what" and "do" are no topic: BM25 ranked the dropout note 11th for "what does dropout do",
    behind short chunks of other notes that say "what" and "do"."""
    assert retriever.search("what does dropout do", k=1, mode="bm25")[0].slug == "dropout"
    assert retriever.search("what does dropout actually do", k=1)[0].slug == "dropout"
    assert retriever.bm25_scores("what do you do")  # only frame words: they are all it has


@pytest.mark.slow
def test_search_modes_equals_one_search_per_mode(retriever) -> None:
    modes = ("hybrid", "rrf", "use", "e5", "dense", "bm25")
    for query in ("что такое дропаут", "why is the torch.log example all nan", "стек мор лейерс"):
        together = retriever.search_modes(query, modes, k=10)
        assert list(together) == list(modes)
        for mode in modes:
            assert together[mode] == retriever.search(query, k=10, mode=mode), (query, mode)
