"""Each demo's claim, checked on the numbers it returned (real runs through the shared worker).

The texts are checked too where a fix was about what they say: numbers in them are the computed ones.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

# Every test here runs real demo experiments (small trainings) in the worker: `make test-fast` skips them.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.demo_fixtures import cached_run as get  # noqa: E402

# --------------------------------------------------------------------------- log-negative


def test_log_negative_default_shows_the_memes_five_nans_of_five():
    res = get("log-negative")
    r, m = res.metrics["result"], res.metrics
    assert m["n"] == 5 and r["n_nan"] == 5 and all(v < 0 for v in r["a"])
    assert all(math.isnan(v) for v in r["log_a"])
    assert "NaN: 5 из 5" in res.text and "NaN: 5 of 5" in get("log-negative", "en").text
    # all-negative runs happen at the rate 1/2^5, and NaN sits exactly where the input is negative
    assert r["share_all_negative"] == pytest.approx(1 / 32, abs=0.003)
    assert r["nan_where_negative"] is True and r["nan_total"] == m["negative_total"]
    assert r["n_finite_fixed"] == 5 and all(0 <= v < 5 for v in r["fixed"])
    assert r["log_zero"] == float("-inf")


def test_log_negative_tells_what_happened_to_the_docs():
    for lang in ("ru", "en"):
        text = get("log-negative", lang).text
        assert "#78301" in text and "#78776" in text and "torch.rand(5) * 5" in text
        assert "auto-generated" not in text and "автоматически собранн" not in text
    assert "не пересчитывается" in get("log-negative").text
    assert "does not re-run it" in get("log-negative", "en").text


def test_log_negative_other_sizes_and_seeds():
    r = get("log-negative", seed=3, n=8).metrics["result"]
    assert r["n_nan"] == 8 and r["nan_where_negative"] is True
    assert r["share_all_negative"] == pytest.approx(1 / 256, abs=0.001)
    one = get("log-negative", n=1)
    assert one.metrics["result"]["share_all_negative"] == pytest.approx(0.5, abs=0.01)
    assert "Единственное число" in one.text


# --------------------------------------------------------------------------- dropout (p = drop probability)


def test_dropout_rescaling_keeps_the_mean_and_ensemble_converges():
    m = get("dropout").metrics
    r, p = m["result"], m["p_drop"]
    assert p == 0.5
    assert abs(r["dropped_fraction"] - p) < 0.02
    assert abs(m["rel_diff_rescaled"]) < 0.03  # train with 1/(1 - p) ≈ eval
    assert (
        abs(r["mean_train_no_rescale"] / r["mean_eval"] - (1 - p)) < 0.03
    )  # without it: (1 - p) times smaller
    assert r["torch_scale"] == pytest.approx(1 / (1 - p), rel=1e-5)
    assert r["torch_eval_is_identity"] is True
    err = r["ensemble_err"]
    assert all(b < a for a, b in zip(err, err[1:], strict=False))  # more masks, smaller error
    assert err[-1] < err[0] / 10
    assert r["ensemble_err_nonlinear"][-1] > 2 * err[-1]  # a non-linear layer after: not exact


def test_dropout_p_is_the_drop_probability_like_pytorch():
    res = get("dropout", p="0,2")
    r = res.metrics["result"]
    assert res.metrics["p_drop"] == pytest.approx(0.2)
    assert abs(r["dropped_fraction"] - 0.2) < 0.02  # p = 0.2 drops ~20%, not 80%
    assert r["torch_scale"] == pytest.approx(1 / 0.8, rel=1e-5)  # nn.Dropout(0.2) scales by 1/(1 - 0.2)
    assert abs(r["mean_train_no_rescale"] / r["mean_eval"] - 0.8) < 0.03
    assert "nn.Dropout(p)" in res.code and "keep = 1 - p" in res.code
    assert "p = 0,2 — это вероятность ОБНУЛИТЬ" in res.text


def test_dropout_p_zero_is_no_dropout():
    r = get("dropout", p=0).metrics["result"]
    assert r["dropped_fraction"] == 0 and r["ensemble_err"][-1] < 1e-5


# --------------------------------------------------------------------------- spatial dropout


def test_spatial_dropout_drops_whole_channels():
    m = get("spatial-dropout").metrics
    r, p = m["result"], m["p_drop"]
    assert r["channelwise_constant_per_channel"] is True
    assert r["channels_dropped_elementwise"] == 0
    assert abs(r["drop_fraction_elementwise"] - p) < 0.05
    assert r["scale"] == pytest.approx(1 / (1 - p), rel=1e-4)
    assert r["channels_dropped_channelwise"] >= 1  # seed 0 drops some channels
    assert r["recon_err_elementwise"] < 0.35 < r["recon_err_channelwise"]


def test_spatial_dropout_mask_picture_is_large_enough_for_a_phone():
    import io

    from PIL import Image

    png = get("spatial-dropout").images[0]
    w, h = Image.open(io.BytesIO(png)).size
    assert h >= 0.9 * w  # the masks are drawn as two 2×4 blocks, not one thin 2×8 strip


# --------------------------------------------------------------------------- fine-tuning, transfer


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_fine_tuning_frozen_backbone_beats_scratch(seed):
    m = get("fine-tuning", seed=seed).metrics
    assert m["shots"] == 5 and m["task"] == "factors"
    assert m["acc_frozen"] > m["acc_scratch"] + 0.03
    assert m["acc_unfreeze_small_lr"] > m["acc_scratch"]
    drop_small = m["old_task_acc"]["frozen"] - m["old_task_acc"]["unfreeze_small_lr"]
    assert m["old_task_drop_large_lr"] > drop_small + 0.1  # a large lr forgets much more


def test_fine_tuning_one_shot_text_agrees_in_number():
    text = get("fine-tuning", shots=1).text
    assert "1 пример на класс" in text and "1 примеров" not in text


def test_transfer_logreg_reproduces_the_lecture_pattern():
    m = get("transfer-logreg").metrics
    assert m["a_only_on_a"] > 0.88
    assert m["b_only_on_b"] > 0.85
    assert m["b_only_on_a"] < 0.7  # B's border is useless on A
    assert m["both_on_a"] > 0.88 and m["both_on_b"] > m["a_only_on_b"]
    assert m["a_then_b_on_b"] > m["a_only_on_b"] + 0.05  # one Newton step on B: better on B…
    assert m["a_then_b_on_a"] < m["a_only_on_a"] - 0.2  # …and catastrophic forgetting on A


# --------------------------------------------------------------------------- universal approximation


def test_universal_approximation_error_falls_with_width_and_grows_outside():
    res = get("universal-approximation")
    m = res.metrics
    mse, out = m["mse"], m["mse_outside"]
    assert m["widths"] == [1, 4, 16, 64]
    assert all(b < a for a, b in zip(mse, mse[1:], strict=False))
    assert mse[-1] < mse[0] / 100 and m["mse_falls_with_width"] is True
    assert out[-1] > 10 * mse[-1]  # outside the training interval the fit is much worse…
    assert "за краем ломаная просто продолжается прямой" in res.text  # …and the text says so


@pytest.mark.slow
def test_universal_approximation_advice_follows_the_state():
    at_max = get("universal-approximation", func="bump", steps=5000)
    assert at_max.metrics["mse_falls_with_width"] is False  # this run is a training failure at 16→64
    assert "больше шагов" not in at_max.text and "другой seed" in at_max.text
    assert "more training steps" not in get("universal-approximation", "en", func="bump", steps=5000).text
    fewer = get("universal-approximation", func="bump", steps=2000)
    if not fewer.metrics["mse_falls_with_width"]:
        assert "больше шагов" in fewer.text and "можно до 5000" in fewer.text


# --------------------------------------------------------------------------- adversarial


def test_adversarial_accuracy_falls_with_epsilon():
    m = get("adversarial").metrics
    acc = m["sweep_acc"]
    assert m["sweep_eps"] == sorted(m["sweep_eps"]) and m["eps"] in m["sweep_eps"]
    assert all(b <= a for a, b in zip(acc, acc[1:], strict=False))
    assert acc[0] == pytest.approx(m["clean_acc"]) and m["clean_acc"] > 0.9
    assert acc[-1] < 0.2 and acc[-1] < m["clean_acc"] - 0.5
    assert m["adv_acc"] < m["clean_acc"] - 0.1
    assert m["noise_acc"] > m["adv_acc"] + 0.1  # random noise of the same size hurts far less
    ex = m["example"]
    assert ex["pred_clean"] == ex["true"] != ex["pred_adv"]


def test_adversarial_text_says_what_the_confidence_numbers_say():
    res = get("adversarial")
    ex = res.metrics["example"]
    p = ex["p_adv"]
    assert f"«{ex['pred_adv']}» с {round(100 * p)}%" in res.text
    if p < 0.5:
        assert "неуверенно" in res.text and "уверенно)" not in res.text
    elif p >= 0.9:
        assert "(уверенно)" in res.text
    assert f"{res.metrics['n_flipped']} картин" in res.text
    assert "163 картинки" in res.text or res.metrics["n_flipped"] != 163


def test_adversarial_perturbation_panel_has_a_colour_legend():
    import io

    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(get("adversarial").images[1])).convert("RGB")).astype(int)
    h = img.shape[0]
    band = img[int(0.75 * h) :]  # the colorbar sits under the panels
    reds = ((band[..., 0] > 150) & (band[..., 1] < 90) & (band[..., 2] < 90)).sum()
    blues = ((band[..., 2] > 150) & (band[..., 0] < 110)).sum()
    assert reds > 50 and blues > 50


# --------------------------------------------------------------------------- learning-rate


def test_learning_rate_small_good_large():
    res = get("learning-rate")
    r, m = res.metrics["result"], res.metrics
    assert m["lrs"] == [0.001, 0.1, 0.6, 0.3]
    assert m["verdicts"][:3] == ["slow", "good", "diverged"]
    small, good, large, yours = r["losses"]
    assert small[-1] > 10 * r["loss_min"]  # too small: far from the minimum after 100 steps
    assert good[-1] <= 1.01 * r["loss_min"]  # good: at the minimum
    assert not math.isfinite(large[-1]) or large[-1] > large[0]  # too large: diverged
    assert 0.6 > r["threshold"] > 0.3 >= 0.1  # the references sit on the right sides of 2/λ_max
    assert "lr = 0,3 (ваш)" in res.text and "ниже порога" in res.text


def test_learning_rate_threshold_is_two_over_the_curvature():
    r = get("learning-rate").metrics["result"]
    start = r["losses"][0][0]
    below, above = r["edge_final_losses"]  # lr = 0.99 and 1.01 × 2/λ_max
    assert below < start and (not math.isfinite(above) or above > start)
    assert r["threshold"] == pytest.approx(2 / r["lam_max"])


def test_learning_rate_users_huge_lr_goes_to_inf_and_nan():
    res = get("learning-rate", lr=10)
    losses = res.metrics["result"]["losses"][-1]
    assert res.metrics["verdicts"][-1] == "diverged"
    assert any(math.isinf(v) for v in losses) and math.isnan(losses[-1])
    assert "inf" in res.text and "выше порога" in res.text


# --------------------------------------------------------------------------- optimizers


def test_optimizers_momentum_and_adam_beat_sgd_in_the_valley():
    m = get("optimizers").metrics
    s, r = m["summary"], m["result"]
    assert s["SGD + momentum"]["final_loss"] < s["SGD"]["final_loss"] / 100
    assert s["Adam"]["final_loss"] < s["SGD"]["final_loss"]
    assert s["SGD"]["steps_to_0.1"] is None and s["SGD + momentum"]["steps_to_0.1"] is not None
    assert r["adam_first_step"] == pytest.approx([m["lr"], m["lr"]], rel=1e-4)  # Adam's first step is lr
    assert r["adam_scaled_max_diff"] < 1e-4  # ×100 loss: Adam's path is the same…
    sgd_scaled = r["sgd_scaled_final_loss"]
    assert math.isnan(sgd_scaled) or sgd_scaled > r["losses"]["SGD"][0]  # …SGD's diverges


@pytest.mark.parametrize(("lr", "diverges"), [(0.15, False), (0.25, True)])
def test_optimizers_sgd_diverges_exactly_above_two_over_curvature(lr, diverges):
    m = get("optimizers", lr=lr).metrics
    assert m["result"]["sgd_threshold"] == pytest.approx(0.2)
    assert m["summary"]["SGD"]["diverged"] is diverges


# --------------------------------------------------------------------------- batch normalization


def test_batch_norm_keeps_the_signal_that_a_plain_deep_net_loses():
    res = get("batch-normalization")
    r = res.metrics["result"]
    plain, bn = r["spread"]["plain"], r["spread"]["batchnorm"]
    assert len(plain) == len(bn) == 20
    assert plain[-1] < 1e-4 * plain[0]  # without BN the examples become indistinguishable
    assert all(0.3 < s < 1.0 for s in bn)  # with BN every layer keeps a unit-scale spread


def test_batch_norm_train_and_eval_modes_differ():
    r = get("batch-normalization").metrics["result"]
    gaps = r["eval_vs_train_gap"]
    assert gaps[-1] < gaps[0] / 2  # running statistics settle with more batches
    assert r["same_example_diff_eval"] == 0.0  # eval: an example's output ignores its batch-mates
    assert r["same_example_diff_train"] > 0.1  # train: it depends on them
    assert "Expected more than 1 value per channel" in r["batch_of_one"]


def test_batch_norm_shallow_net_text_follows_the_numbers():
    res = get("batch-normalization", depth=3)
    assert res.metrics["result"]["spread"]["plain"][-1] > 0.01 * res.metrics["result"]["spread"]["plain"][0]
    assert "depth=20" in res.text and "3 слоёв" in res.text


# --------------------------------------------------------------------------- softmax temperature


def test_softmax_temperature_entropy_rises_and_ranking_stays():
    m = get("softmax-temperature").metrics
    r, temps = m["result"], m["temperatures"]
    order = sorted(range(len(temps)), key=lambda i: temps[i])
    ent = [r["entropy_bits"][i] for i in order]
    assert all(b > a for a, b in zip(ent, ent[1:], strict=False))
    assert r["same_ranking"] is True
    assert max(r["probs"][0]) > 0.95  # T = 0.2: nearly greedy
    assert r["entropy_bits"][2] > 0.9 * r["uniform_entropy_bits"]  # T = 5: nearly uniform
    assert all(abs(sum(p) - 1) < 1e-5 for p in r["probs"])
    assert max(r["max_freq_error"]) < 0.02  # samples follow the probabilities
    nucleus = [r["nucleus_0.9"][i] for i in order]
    assert nucleus == sorted(nucleus)


def test_softmax_temperature_matches_the_notes_worked_example():
    from demos.softmax_temperature import experiment

    r = experiment(logits=[2.0, 1.0, 0.0], temperatures=[0.5, 1.0, 2.0, 10.0], seed=0, many=100)
    expected = [[0.867, 0.117, 0.016], [0.665, 0.245, 0.090], [0.506, 0.307, 0.186], [0.367, 0.332, 0.301]]
    for got, want in zip(r["probs"], expected, strict=True):
        assert got == pytest.approx(want, abs=6e-4)


# --------------------------------------------------------------------------- overfitting


def test_overfitting_u_curve_and_early_stopping():
    m = get("overfitting").metrics
    r = m["result"]
    train, val, best = r["train_mse"], r["val_mse"], r["best_degree"]
    assert all(b <= a * (1 + 1e-6) + 1e-12 for a, b in zip(train, train[1:], strict=False))  # nested fits
    assert 2 <= best <= 8
    assert val[0] > val[best - 1] and val[-1] > 10 * val[best - 1]  # the U
    assert m["verdict"] == "overfit"  # default degree 12
    gd = r["gd_val_mse"]
    i = gd.index(min(gd))
    assert 0 < i < len(gd) - 1 and gd[-1] > 2 * gd[i]  # validation falls, then rises
    assert r["early_stop_step"] == [1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000][i]


def test_overfitting_too_simple_model_underfits():
    assert get("overfitting", degree=1).metrics["verdict"] == "underfit"
    assert "недообучение" in get("overfitting", degree=1).text


# --------------------------------------------------------------------------- attention


def test_attention_without_positions_ignores_order_with_positions_does_not():
    for lang in ("ru", "en"):
        r = get("attention", lang).metrics["result"]
        assert r["row_sums_max_error"] < 1e-5
        assert r["no_pos_permutation_error"] < 1e-5  # moving a word just permutes the weights…
        assert r["no_pos_output_change"] < 1e-5  # …and its output is unchanged
        assert r["pos_row_change"] > 0.05 and r["pos_output_change"] > 0.05
        assert r["mean_max_weight_unscaled"] > r["mean_max_weight"]  # no 1/√d: a sharper softmax


def test_attention_uses_the_users_sentence_and_language_default():
    assert get("attention").metrics["words"][0] == "кот"
    assert get("attention", "en").metrics["words"][:3] == ["the", "cat", "sat"]
    res = get("attention", "en", sentence="Attention is all you need!")
    assert res.metrics["words"] == ["attention", "is", "all", "you", "need"]
    assert len(res.metrics["result"]["weights"]) == 5
    assert "'attention is all you need'" in res.text


# --------------------------------------------------------------------------- nan-loss


def test_nan_loss_each_cause_and_each_fix():
    from demos.nan_loss import SCALES

    r = get("nan-loss").metrics["result"]
    for s, naive, stable in zip(SCALES, r["naive_top"], r["stable_top"], strict=True):
        assert math.isnan(naive) == (s > r["exp_limit"])  # the naive softmax breaks exactly past ln(max)
        assert math.isfinite(stable)
    assert r["exp_limit"] == pytest.approx(88.72, abs=0.01)
    assert r["log0_loss"] == math.inf and all(math.isnan(g) for g in r["log0_grad"])
    assert r["ce_loss"] == pytest.approx(200.0) and r["ce_grad"] == pytest.approx([1.0, -1.0])
    big = r["losses_big_lr"]
    assert any(math.isinf(v) for v in big) and math.isnan(big[-1])
    assert all(math.isfinite(v) for v in r["losses_clipped"])
    assert r["losses_small_lr"][-1] < 0.2
    assert all(math.isnan(g) for g in r["sqrt_grad"]) and r["norm_grad"] == [0.0, 0.0, 0.0]
    a = r["arithmetic"]
    assert (
        all(math.isnan(a[k]) for k in ("nan + 1", "nan * 0", "0 * inf", "inf - inf"))
        and a["nan == nan"] is False
    )


# --------------------------------------------------------------------------- k-means


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_k_means_finds_the_four_clouds(seed):
    r = get("k-means", seed=seed).metrics["result"]
    assert r["best_k"] == 4
    inertia = r["inertia_by_k"]
    assert all(b <= a + 1e-9 for a, b in zip(inertia, inertia[1:], strict=False))
    for steps in r["inertia_steps"].values():  # Lloyd's steps never increase the inertia
        assert all(b <= a + 1e-9 for a, b in zip(steps, steps[1:], strict=False))
    sil = r["silhouette_by_k"]
    assert sil[4 - 2] == max(sil) and sil[4 - 2] > sil[2 - 2] + 0.1


def test_k_means_silhouette_matches_the_notes_worked_example():
    import numpy as np

    from demos.kmeans import silhouette

    x = np.array([[1.0], [2.0], [3.0], [10.0], [11.0], [12.0]])
    assert silhouette(x, np.array([0, 0, 0, 1, 1, 1])) == pytest.approx(0.85, abs=0.005)


def test_k_means_bad_k_is_compared_with_the_good_one():
    res = get("k-means")
    assert res.metrics["k"] == 2 and set(res.metrics["result"]["inertia_steps"]) == {2, 4}
    assert "k = 2 (ваше)" in res.text and "k = 4 (лучшее по силуэту)" in res.text
