"""Each demo's claim, checked on the numbers it returned (real runs through the shared worker).

The texts are checked too where a fix was about what they say: numbers in them are the computed ones.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

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
