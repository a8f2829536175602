"""Tests for the demos package: every demo's claim checked on its returned numbers, the
parameter validation, and the worker's timeout / crash / memory-limit handling."""

from __future__ import annotations

import asyncio
import io
import pickle
import re
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so that the worker can import tests.demo_fixtures too
    sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from demos import (  # noqa: E402
    DemoCrashedError,
    DemoError,
    DemoParamError,
    DemoResult,
    DemoRunner,
    DemoTimeoutError,
    UnknownDemoError,
    demo_for_note,
    get_demo,
    list_demos,
    validate_params,
)

REQUIRED = {
    "log-negative": "meme-torch-log-negative",
    "dropout": "dropout",
    "spatial-dropout": "spatial-dropout",
    "fine-tuning": "fine-tuning",
    "transfer-logreg": "transfer-learning",
    "universal-approximation": "universal-approximation",
    "adversarial": "adversarial-examples",
}
CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
LATIN = re.compile(r"[a-zA-Z]")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def runner():
    """The warm runner used by the demo tests (torch preloaded, 1500 MB limit)."""
    r = DemoRunner(timeout_s=60, memory_mb=1500, extra_modules=["tests.demo_fixtures"])
    yield r
    r.close()


@pytest.fixture(scope="session")
def light_runner():
    """A runner without torch preloading: restarts are cheap, for the crash tests."""
    r = DemoRunner(timeout_s=30, memory_mb=700, extra_modules=["tests.demo_fixtures"], preload=False)
    yield r
    r.close()


_CACHE: dict[tuple, DemoResult] = {}


@pytest.fixture(scope="session")
def get(runner):
    """``get(demo_id, lang="ru", seed=0, **params)`` — cached results of real runs."""

    def _get(demo_id: str, lang: str = "ru", seed: int = 0, **params) -> DemoResult:
        key = (demo_id, lang, seed, tuple(sorted(params.items())))
        if key not in _CACHE:
            _CACHE[key] = runner.run(demo_id, params, seed=seed, lang=lang)
        return _CACHE[key]

    return _get


# --------------------------------------------------------------------------- registry & params


def test_registry_has_required_demos_with_note_slugs():
    demos = {d.id: d for d in list_demos()}
    assert set(REQUIRED) <= set(demos)
    for demo_id, slug in REQUIRED.items():
        assert demos[demo_id].note_slug == slug
        assert demos[demo_id].title("ru") != demos[demo_id].title("en")
        assert demo_for_note(slug).id == demo_id
    assert get_demo(" Spatial_Dropout ").id == "spatial-dropout"
    assert get_demo("transfer-learning").id == "transfer-logreg"  # by note slug


def test_unknown_demo_error_is_bilingual_and_lists_ids():
    with pytest.raises(UnknownDemoError) as info:
        get_demo("no-such-demo")
    assert "Нет демо «no-such-demo»" in info.value.message("ru")
    assert "No demo 'no-such-demo'" in info.value.message("en")
    assert "dropout" in info.value.message("en")


def test_validate_params_aliases_comma_decimal_and_defaults():
    dropout = get_demo("dropout")
    assert validate_params(dropout, {}) == {"p": 0.5}
    assert validate_params(dropout, {"keep": "0,3"}) == {"p": pytest.approx(0.3)}
    assert validate_params(dropout, {"Вероятность": " 0.7 "}) == {"p": pytest.approx(0.7)}
    assert validate_params(dropout, {"p": "30%"}) == {"p": pytest.approx(0.3)}
    assert validate_params(dropout, {"p": 1}) == {"p": 1.0}
    ft = get_demo("fine-tuning")
    assert validate_params(ft, {"shots": "7", "data": "DIGITS"}) == {"shots": 7, "task": "digits"}
    assert validate_params(ft, {"shots": 7.0}) == {"shots": 7, "task": "factors"}


def test_validate_params_out_of_range_message_in_both_languages():
    with pytest.raises(DemoParamError) as info:
        validate_params(get_demo("dropout"), {"p": "1.5"})
    err = info.value
    assert err.param == "p"
    assert err.message("ru") == "Параметр p должен быть числом от 0.05 до 1.0, получено 1.5"
    assert err.message("en") == "Parameter p must be a number from 0.05 to 1.0, got 1.5"


@pytest.mark.parametrize(
    ("demo_id", "raw", "param", "ru_part", "en_part"),
    [
        ("log-negative", {"n": "2.5"}, "n", "целым числом от 1 до 1000", "an integer from 1 to 1000"),
        ("log-negative", {"n": "abc"}, "n", "получено abc", "got abc"),
        ("log-negative", {"n": "0"}, "n", "от 1 до 1000", "from 1 to 1000"),
        ("adversarial", {"eps": "nan"}, "eps", "числом от 0.0 до 1.0", "a number from 0.0 to 1.0"),
        (
            "universal-approximation",
            {"func": "cos"},
            "func",
            "одним из: sin, wave, bump",
            "one of: sin, wave, bump",
        ),
        ("dropout", {"q": "0.3"}, "q", "нет параметра «q»", "has no parameter 'q'"),
        ("dropout", {"p": "0.3", "keep": "0.4"}, "p", "указан дважды", "given twice"),
    ],
)
def test_validate_params_rejects_bad_input(demo_id, raw, param, ru_part, en_part):
    with pytest.raises(DemoParamError) as info:
        validate_params(get_demo(demo_id), raw)
    assert info.value.param == param
    assert ru_part in info.value.message("ru")
    assert en_part in info.value.message("en")
    assert CYRILLIC.search(info.value.message("ru"))


def test_errors_survive_pickling_with_their_fields():
    err = DemoCrashedError("dropout", "memory", "RSS 1600 MB", memory_mb=1500)
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, DemoCrashedError) and isinstance(back, DemoError)
    assert (back.reason, back.memory_mb) == ("memory", 1500)
    assert back.message("ru") == err.message("ru") and "1500 МБ" in back.message("ru")
    t = pickle.loads(pickle.dumps(DemoTimeoutError("dropout", 2.5)))
    assert t.timeout_s == 2.5 and "2,5 с" in t.message("ru") and "2.5 s" in t.message("en")


# --------------------------------------------------------------------------- the demos' claims


def test_log_negative_nans_exactly_at_negatives(get):
    m = get("log-negative").metrics
    assert m["n"] == 5
    assert m["n_nan"] == m["n_negative"]
    assert m["nan_at_negatives"] is True
    assert m["finite_rand"] == m["finite_abs"] == 5
    assert m["log_zero"] == float("-inf")
    assert m["roundtrip_err"] < 1e-5
    big = get("log-negative", seed=3, n=1000).metrics
    assert big["n_nan"] == big["n_negative"] and 400 < big["n_negative"] < 600


def test_log_negative_code_is_what_ran(get):
    result = get("log-negative", seed=7, n=12)
    ns: dict = {}
    exec(result.code, ns)  # the snippet is self-contained and seeded
    assert ns["n_nan"] == result.metrics["n_nan"]
    assert [round(float(v), 5) for v in ns["a"][:10]] == [round(v, 5) for v in result.metrics["inputs"]]


def test_dropout_rescaling_keeps_the_mean_and_ensemble_converges(get):
    m = get("dropout").metrics
    p = m["p_keep"]
    assert p == 0.5 and m["torch_dropout_p"] == pytest.approx(0.5)
    assert abs(m["rel_diff_rescaled"]) < 0.03  # train with 1/p ≈ eval
    assert abs(m["mean_train_no_rescale"] / m["mean_eval"] - p) < 0.03  # without it: p times smaller
    assert abs(m["rel_diff_no_rescale"]) > 0.4
    assert m["torch_scale"] == pytest.approx(1 / p, rel=1e-5)
    err = m["ensemble_err"]
    assert all(b < a for a, b in zip(err, err[1:], strict=False))  # more masks, smaller error
    assert err[-1] < err[0] / 10
    # through a non-linear layer the average of sub-networks does NOT reach the eval output
    assert m["ensemble_err_nonlinear"][-1] > 2 * err[-1]


def test_dropout_other_keep_probability(get):
    m = get("dropout", keep="0,3").metrics
    assert m["p_keep"] == pytest.approx(0.3)
    assert abs(m["mean_train_no_rescale"] / m["mean_eval"] - 0.3) < 0.03
    assert abs(m["rel_diff_rescaled"]) < 0.05


def test_spatial_dropout_drops_whole_channels(get):
    m = get("spatial-dropout").metrics
    assert m["channelwise_masks_constant_per_channel"] is True
    assert m["channels_dropped_elementwise"] == 0
    assert abs(m["drop_fraction_elementwise"] - m["p_drop"]) < 0.05
    assert m["scale"] == pytest.approx(1 / (1 - m["p_drop"]), rel=1e-4)
    assert m["channels_dropped_channelwise"] >= 1  # seed 0 drops some channels
    assert m["recon_err_elementwise"] < 0.35 < m["recon_err_channelwise"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_fine_tuning_frozen_backbone_beats_scratch(get, seed):
    m = get("fine-tuning", seed=seed).metrics
    assert m["shots"] == 5 and m["task"] == "factors"
    assert m["acc_frozen"] > m["acc_scratch"] + 0.03
    assert m["acc_unfreeze_small_lr"] > m["acc_scratch"]
    # a large learning rate destroys the old task much more than a small one
    drop_small = m["old_task_acc"]["frozen"] - m["old_task_acc"]["unfreeze_small_lr"]
    assert m["old_task_drop_large_lr"] > drop_small + 0.1


def test_transfer_logreg_reproduces_the_lecture_pattern(get):
    m = get("transfer-logreg").metrics
    assert m["a_only_on_a"] > 0.88
    assert m["b_only_on_b"] > 0.85
    assert m["b_only_on_a"] < 0.7  # B's border is useless on A
    assert m["both_on_a"] > 0.88 and m["both_on_b"] > m["a_only_on_b"]
    # one Newton step on B: better on B, catastrophic forgetting on A
    assert m["a_then_b_on_b"] > m["a_only_on_b"] + 0.05
    assert m["a_then_b_on_a"] < m["a_only_on_a"] - 0.2


def test_universal_approximation_error_falls_with_width(get):
    m = get("universal-approximation").metrics
    mse = m["mse"]
    assert m["widths"] == [1, 4, 16, 64]
    assert all(b < a for a, b in zip(mse, mse[1:], strict=False))
    assert mse[-1] < mse[0] / 100
    assert m["mse_falls_with_width"] is True


def test_adversarial_accuracy_falls_with_epsilon(get):
    m = get("adversarial").metrics
    acc = m["sweep_acc"]
    assert m["sweep_eps"] == sorted(m["sweep_eps"]) and m["eps"] in m["sweep_eps"]
    assert all(b <= a for a, b in zip(acc, acc[1:], strict=False))  # monotone non-increasing
    assert acc[0] == pytest.approx(m["clean_acc"]) and m["clean_acc"] > 0.9
    assert acc[-1] < 0.2 and acc[-1] < m["clean_acc"] - 0.5
    assert m["adv_acc"] < m["clean_acc"] - 0.1
    assert m["noise_acc"] > m["adv_acc"] + 0.1  # random noise of the same size hurts far less
    assert m["example"]["pred_clean"] == m["example"]["true"] != m["example"]["pred_adv"]


# --------------------------------------------------------------------------- format, language, determinism


@pytest.mark.parametrize("demo_id", sorted(REQUIRED))
def test_result_format_language_and_pngs(get, demo_id):
    from PIL import Image

    ru, en = get(demo_id, "ru"), get(demo_id, "en")
    for res, lang in ((ru, "ru"), (en, "en")):
        assert res.demo_id == demo_id and res.lang == lang and res.seed == 0
        assert res.params == validate_params(get_demo(demo_id), {})
        assert res.code.strip() and len(res.code) < 4000
        assert res.images and len(res.images) == len(res.image_captions)
        for png in res.images:
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            img = Image.open(io.BytesIO(png))
            img.verify()
            w, h = Image.open(io.BytesIO(png)).size
            assert 300 <= w <= 1200 and 250 <= h <= 1000
    letters_ru = len(CYRILLIC.findall(ru.text))
    assert letters_ru > len(LATIN.findall(ru.text))  # mostly Russian
    assert all(CYRILLIC.search(c) for c in ru.image_captions)
    assert not CYRILLIC.search(en.text) and not any(CYRILLIC.search(c) for c in en.image_captions)
    # the language changes the words, not the experiment
    assert ru.metrics == en.metrics
    assert ru.code == en.code


@pytest.mark.parametrize("demo_id", ["log-negative", "transfer-logreg", "spatial-dropout"])
def test_same_seed_same_text_and_plots(runner, get, demo_id):
    first = get(demo_id)
    again = runner.run(demo_id, {}, seed=0, lang="ru")
    assert again.text == first.text
    assert again.metrics == first.metrics
    assert again.images == first.images


def test_different_seed_changes_the_numbers(get):
    assert get("log-negative", seed=0).text != get("log-negative", seed=1).text
    assert get("log-negative", seed=0).metrics["inputs"] != get("log-negative", seed=1).metrics["inputs"]


def test_demos_meet_the_time_and_memory_budget(get):
    for demo_id in REQUIRED:
        stats = get(demo_id, "en").worker_stats
        assert stats["elapsed_s"] < 6.0  # budget is 3 s on an idle machine; CI boxes are noisy
        if stats["peak_extra_mb"] is not None:
            assert stats["peak_extra_mb"] < 300


# --------------------------------------------------------------------------- the worker


def test_validation_happens_before_the_worker_runs(runner):
    runner.wait_ready()
    pid = runner.worker_pids()[0]
    t0 = time.monotonic()
    with pytest.raises(DemoParamError):
        runner.run("dropout", {"p": 1.5})
    with pytest.raises(UnknownDemoError):
        runner.run("nope")
    with pytest.raises(DemoParamError) as info:
        runner.run("dropout", {}, lang="de")
    assert info.value.param == "lang"
    with pytest.raises(DemoParamError):
        runner.run("dropout", {}, seed=-1)
    assert time.monotonic() - t0 < 0.5
    assert runner.worker_pids()[0] == pid and runner.restarts == 0


def test_timeout_kills_the_worker_and_the_next_run_works(runner):
    runner.wait_ready()
    before = runner.worker_pids()[0]
    t0 = time.monotonic()
    with pytest.raises(DemoTimeoutError) as info:
        runner.run("test-slow", {"seconds": 120}, timeout_s=1.5)
    assert 1.4 < time.monotonic() - t0 < 5
    assert "1,5 с" in info.value.message("ru") and "1.5 s" in info.value.message("en")
    assert runner.worker_pids()[0] != before
    result = runner.run("log-negative", {"n": 8}, seed=1, lang="en")  # a real demo on the new worker
    assert result.metrics["n_nan"] == result.metrics["n_negative"]
    assert result.worker_stats["worker_pid"] != before


def test_torch_allocation_over_the_limit_is_reported_and_recycled(light_runner):
    """RLIMIT_DATA works together with torch: torch's allocator fails cleanly, the worker is replaced.

    (Every demo test above also runs under the 1500 MB RLIMIT_DATA of the torch-preloaded runner.)
    """
    pid = light_runner.run("test-echo").metrics["pid"]
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-memory", {"lib": "torch", "mb": 4000})
    assert info.value.reason == "memory"
    assert "allocate" in info.value.detail  # torch's DefaultCPUAllocator refused, nothing was killed
    assert "700" in info.value.message("en") and "памяти" in info.value.message("ru")
    assert light_runner.run("test-echo", {"x": 5}).metrics["pid"] != pid


def test_numpy_memory_hog_hits_rlimit_data(light_runner):
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-memory", {"mb": 5000})
    assert info.value.reason == "memory"
    assert "MemoryError" in info.value.detail  # stopped by RLIMIT_DATA inside the worker
    assert light_runner.run("test-echo", {"x": 2}).metrics["x"] == 2.0


def test_shared_memory_hog_is_killed_by_the_rss_watchdog(light_runner):
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-shm", {"mb": 5000})
    assert info.value.reason == "memory"
    assert "RSS" in info.value.detail  # RLIMIT_DATA does not see shared pages; the watchdog does
    assert light_runner.run("test-echo", {"x": 3}).metrics["x"] == 3.0


def test_raising_demo_reports_and_keeps_the_worker(light_runner):
    pid = light_runner.run("test-echo").metrics["pid"]
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-raise", {})
    assert info.value.reason == "exception"
    assert "boom from test-raise" in info.value.message("en")
    assert "ValueError" in info.value.traceback
    assert light_runner.run("test-echo").metrics["pid"] == pid  # same process, still serving


def test_dying_worker_is_replaced(light_runner):
    pid = light_runner.run("test-echo").metrics["pid"]
    with pytest.raises(DemoCrashedError) as info:
        light_runner.run("test-exit", {"code": 7})
    assert info.value.reason == "died" and "exit code 7" in info.value.detail
    assert light_runner.run("test-echo").metrics["pid"] != pid


def test_runner_is_thread_safe(light_runner):
    results: dict[int, float] = {}
    errors: list[BaseException] = []

    def call(i: int) -> None:
        try:
            results[i] = light_runner.run("test-echo", {"икс": f"{i},5"}).metrics["x"]
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert results == {i: i + 0.5 for i in range(6)}


async def test_runner_from_asyncio_to_thread(light_runner):
    a, b = await asyncio.gather(
        asyncio.to_thread(light_runner.run, "test-echo", {"x": 1}, 0, "ru"),
        asyncio.to_thread(light_runner.run, "test-echo", {"x": 4}, 0, "en"),
    )
    assert (a.text, b.text) == ("эхо x=1.0", "echo x=4.0")


def test_pool_of_two_workers_and_close():
    with DemoRunner(timeout_s=10, extra_modules=["tests.demo_fixtures"], workers=2, preload=False) as r:
        pids = {r.run("test-echo").metrics["pid"] for _ in range(4)}
        assert pids <= set(r.worker_pids()) and len(r.worker_pids()) == 2
        procs = [w.proc for w in r._workers]
    assert all(p.poll() is not None for p in procs)  # closed: processes are gone
    with pytest.raises(RuntimeError):
        r.run("test-echo")


# --------------------------------------------------------------------------- CLI


def test_cli_list_and_errors():
    from bot.cli.demo import demo

    cli = CliRunner()
    out = cli.invoke(demo, ["list", "--lang", "en"])
    assert out.exit_code == 0
    for demo_id in REQUIRED:
        assert demo_id in out.output
    assert "0.05…1.0, default 0.5" in out.output

    bad = cli.invoke(demo, ["run", "dropout", "--param", "p=1.5", "--lang", "ru"])
    assert bad.exit_code == 2
    assert bad.output.strip() == "Параметр p должен быть числом от 0.05 до 1.0, получено 1.5"
    unknown = cli.invoke(demo, ["run", "nope", "--lang", "en"])
    assert unknown.exit_code == 2 and unknown.output.startswith("No demo 'nope'")
    malformed = cli.invoke(demo, ["run", "dropout", "--param", "p0.3", "--lang", "en"])
    assert malformed.exit_code == 2 and "name=value" in malformed.output
    assert "Traceback" not in bad.output + unknown.output + malformed.output


def test_cli_run_writes_pngs(tmp_path):
    from bot.cli.demo import demo

    out = CliRunner().invoke(
        demo, ["run", "log-negative", "--param", "n=6", "--lang", "en", "--seed", "2", "--out", str(tmp_path)]
    )
    assert out.exit_code == 0, out.output
    assert "torch.log" in out.output and "## Code" in out.output
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 2
    assert all(str(p) in out.output for p in pngs)
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_demos_do_not_import_higher_layers():
    for path in (ROOT / "demos").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(bot|router|indexer)\b", text, re.M), path.name
