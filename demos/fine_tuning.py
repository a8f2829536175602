"""Demo ``fine-tuning``: pretrain a backbone, freeze it, replace the head, learn a new task from a few examples.

Default world (``task=factors``): every object has two hidden factors z = (z1, z2); we only see
96 noisy features (32 non-linear mixtures of z plus 64 pure-noise columns).  The upstream
task sorts objects into 12 angular sectors of the z-plane (plenty of labels); the downstream
task has 3 different sectors whose borders cut through the old ones, with only ``shots``
labelled examples per class.  The backbone learned to recover z, so a new head on frozen
features needs few examples, while a network trained from scratch must find z in the noise.

``task=digits`` is the textbook split (upstream: digits 0-4, downstream: digits 5-9).  At this
tiny scale it is an honest counter-example: features from five digit classes are narrower than
the raw pixels and the frozen backbone loses to training from scratch (negative transfer).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext
from demos.data import load_digits

HIDDEN = 128
N_SRC_CLASSES = 12
N_TGT_CLASSES = 3
MIX_DIM, NOISE_DIM, OBS_NOISE = 32, 64, 0.1
N_UPSTREAM, N_TEST = 4000, 1000
PRE_STEPS, PRE_BATCH, PRE_LR = 300, 256, 3e-3
FEW_STEPS, SCRATCH_LR, HEAD_LR = 200, 3e-3, 1e-2
UNFREEZE_STEPS, SMALL_LR, LARGE_LR = 100, 3e-4, 1e-2

CODE_FACTORS = """\
import copy, torch
from torch import nn

def fit(model, x, y, steps, lr, batch=None):
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    for _ in range(steps):
        i = torch.randint(len(x), (batch,)) if batch else slice(None)
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[i]), y[i]).backward()
        opt.step()

torch.manual_seed({seed})
# data: 2 hidden factors z -> 96 noisy features; labels = angular sectors of z
#   upstream: {n_src} sectors, {n_up} examples;  downstream: {n_tgt} new sectors, {shots} examples each
backbone = nn.Sequential(nn.Linear(96, {hidden}), nn.ReLU(), nn.Linear({hidden}, {hidden}), nn.ReLU())
old_head = nn.Linear({hidden}, {n_src})
fit(nn.Sequential(backbone, old_head), x_up, y_up, steps={pre_steps}, lr={pre_lr}, batch={pre_batch})   # pretrain

scratch = nn.Sequential(new_backbone(), nn.Linear({hidden}, {n_tgt}))
fit(scratch, x_few, y_few, steps={few_steps}, lr={scratch_lr})          # from scratch, few examples

frozen = copy.deepcopy(backbone).requires_grad_(False)             # freeze the backbone
model = nn.Sequential(frozen, nn.Linear({hidden}, {n_tgt}))             # replace the head
fit(model, x_few, y_few, steps={few_steps}, lr={head_lr})               # only the head learns

tuned = copy.deepcopy(model).requires_grad_(True)                  # unfreeze everything
fit(tuned, x_few, y_few, steps={unfreeze_steps}, lr={small_lr})          # ...with a SMALL learning rate
# (and the same with lr={large_lr} for contrast); accuracy on {n_test} unseen downstream examples
"""

CODE_DIGITS = CODE_FACTORS.replace(
    "# data: 2 hidden factors z -> 96 noisy features; labels = angular sectors of z\n"
    "#   upstream: {n_src} sectors, {n_up} examples;  downstream: {n_tgt} new sectors, {shots} examples each\n"
    "backbone = nn.Sequential(nn.Linear(96,",
    "# data: sklearn digits 8x8 = 64 pixels in [0, 1]\n"
    "#   upstream: digits 0-4, {n_up} examples;  downstream: digits 5-9, {shots} examples each\n"
    "backbone = nn.Sequential(nn.Linear(64,",
)


def _fit(model: Any, x: Any, y: Any, steps: int, lr: float, batch: int | None = None) -> None:
    import torch
    from torch import nn

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        i = torch.randint(len(x), (batch,)) if batch and batch < len(x) else slice(None)
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[i]), y[i]).backward()
        opt.step()


def _acc(model: Any, x: Any, y: Any) -> float:
    import torch

    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def _sector_dirs(n: int, offset: float) -> Any:
    import numpy as np

    ang = offset + 2 * math.pi * np.arange(n) / n
    return np.stack([np.cos(ang), np.sin(ang)])  # (2, n)


def _factor_data(ctx: RunContext, shots: int) -> dict[str, Any]:
    """Two hidden factors observed through a fixed random non-linear map plus noise columns."""
    import numpy as np

    rng = ctx.rng
    m1 = rng.standard_normal((2, MIX_DIM)) * 1.5 / math.sqrt(2)
    m2 = rng.standard_normal((MIX_DIM, MIX_DIM)) / math.sqrt(MIX_DIM)

    def observe(z: Any) -> Any:
        x = np.tanh(z @ m1) @ m2
        x = np.concatenate([x, rng.standard_normal((len(z), NOISE_DIM))], axis=1)
        return (x + OBS_NOISE * rng.standard_normal(x.shape)).astype(np.float32)

    offset = rng.uniform(0, 2 * math.pi)
    w_src = _sector_dirs(N_SRC_CLASSES, offset)
    # downstream sectors: 3 wide sectors whose borders fall in the middle of upstream sectors
    w_tgt = _sector_dirs(N_TGT_CLASSES, offset + math.pi / N_SRC_CLASSES + 2 * math.pi / N_SRC_CLASSES)
    z_up = rng.standard_normal((N_UPSTREAM + N_TEST, 2))
    y_up = np.argmax(z_up @ w_src, axis=1)
    x_up = observe(z_up)
    pool = 40 * 50
    z_dn = rng.standard_normal((pool + N_TEST, 2))
    y_dn = np.argmax(z_dn @ w_tgt, axis=1)
    x_dn = observe(z_dn)
    few = np.concatenate([np.flatnonzero(y_dn[:pool] == c)[:shots] for c in range(N_TGT_CLASSES)])
    test = np.arange(pool, pool + N_TEST)
    return {
        "x_up": x_up[:N_UPSTREAM],
        "y_up": y_up[:N_UPSTREAM],
        "x_up_test": x_up[N_UPSTREAM:],
        "y_up_test": y_up[N_UPSTREAM:],
        "x_few": x_dn[few],
        "y_few": y_dn[few],
        "z_few": z_dn[few],
        "x_test": x_dn[test],
        "y_test": y_dn[test],
        "z_test": z_dn[test],
        "n_src": N_SRC_CLASSES,
        "n_tgt": N_TGT_CLASSES,
    }


def _digit_data(ctx: RunContext, shots: int) -> dict[str, Any]:
    import numpy as np

    x, y = load_digits()
    rng = ctx.rng
    old = rng.permutation(np.flatnonzero(y < 5))
    n_tr = int(0.8 * len(old))
    few = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:shots] for c in range(5, 10)])
    test = np.setdiff1d(np.flatnonzero(y >= 5), few)
    return {
        "x_up": x[old[:n_tr]],
        "y_up": y[old[:n_tr]],
        "x_up_test": x[old[n_tr:]],
        "y_up_test": y[old[n_tr:]],
        "x_few": x[few],
        "y_few": y[few] - 5,
        "x_test": x[test],
        "y_test": y[test] - 5,
        "n_src": 5,
        "n_tgt": 5,
    }


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import numpy as np
    import torch
    from torch import nn

    shots, task = int(params["shots"]), str(params["task"])
    d = _factor_data(ctx, shots) if task == "factors" else _digit_data(ctx, shots)
    t = {k: torch.as_tensor(np.ascontiguousarray(v)) for k, v in d.items() if k.startswith(("x_", "y_"))}
    n_in, n_src, n_tgt = t["x_up"].shape[1], d["n_src"], d["n_tgt"]

    def new_backbone() -> Any:
        return nn.Sequential(nn.Linear(n_in, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU())

    backbone, old_head = new_backbone(), nn.Linear(HIDDEN, n_src)
    _fit(nn.Sequential(backbone, old_head), t["x_up"], t["y_up"], PRE_STEPS, PRE_LR, PRE_BATCH)
    acc_up = _acc(nn.Sequential(backbone, old_head), t["x_up_test"], t["y_up_test"])

    scratch = nn.Sequential(new_backbone(), nn.Linear(HIDDEN, n_tgt))
    _fit(scratch, t["x_few"], t["y_few"], FEW_STEPS, SCRATCH_LR)

    frozen = copy.deepcopy(backbone).requires_grad_(False)
    model = nn.Sequential(frozen, nn.Linear(HIDDEN, n_tgt))
    _fit(model, t["x_few"], t["y_few"], FEW_STEPS, HEAD_LR)

    tuned_small = copy.deepcopy(model).requires_grad_(True)
    _fit(tuned_small, t["x_few"], t["y_few"], UNFREEZE_STEPS, SMALL_LR)
    tuned_large = copy.deepcopy(model).requires_grad_(True)
    _fit(tuned_large, t["x_few"], t["y_few"], UNFREEZE_STEPS, LARGE_LR)

    acc = {
        "scratch": _acc(scratch, t["x_test"], t["y_test"]),
        "frozen": _acc(model, t["x_test"], t["y_test"]),
        "unfreeze_small_lr": _acc(tuned_small, t["x_test"], t["y_test"]),
        "unfreeze_large_lr": _acc(tuned_large, t["x_test"], t["y_test"]),
    }
    # the old task, read through the old head on top of each backbone: what was forgotten?
    old_acc = {
        "frozen": _acc(nn.Sequential(model[0], old_head), t["x_up_test"], t["y_up_test"]),
        "unfreeze_small_lr": _acc(nn.Sequential(tuned_small[0], old_head), t["x_up_test"], t["y_up_test"]),
        "unfreeze_large_lr": _acc(nn.Sequential(tuned_large[0], old_head), t["x_up_test"], t["y_up_test"]),
    }
    train_acc_scratch = _acc(scratch, t["x_few"], t["y_few"])
    gap = acc["frozen"] - acc["scratch"]
    n_few, n_test = len(d["y_few"]), len(d["y_test"])

    names = {
        "scratch": ctx.t("с нуля", "from scratch"),
        "frozen": ctx.t("заморозка + новая голова", "frozen + new head"),
        "unfreeze_small_lr": ctx.t(f"разморозка, lr={SMALL_LR:g}", f"unfrozen, lr={SMALL_LR:g}"),
        "unfreeze_large_lr": ctx.t(f"разморозка, lr={LARGE_LR:g}", f"unfrozen, lr={LARGE_LR:g}"),
    }
    if task == "factors":
        setup = ctx.t(
            f"Мир: у каждого объекта два скрытых фактора z = (z1, z2), а видим мы {MIX_DIM + NOISE_DIM} шумных "
            f"признаков ({MIX_DIM} нелинейные смеси z и {NOISE_DIM} столбца чистого шума). Исходная задача "
            f"(upstream): к какому из {n_src} секторов плоскости z относится объект, {len(d['y_up'])} примеров. "
            f"Новая задача (downstream): {n_tgt} других сектора, их границы режут старые пополам; "
            f"всего {shots} примеров на класс ({n_few} штук).",
            f"World: every object has two hidden factors z = (z1, z2), but we see {MIX_DIM + NOISE_DIM} noisy "
            f"features ({MIX_DIM} non-linear mixtures of z and {NOISE_DIM} pure-noise columns). Upstream task: which "
            f"of {n_src} sectors of the z-plane the object is in, {len(d['y_up'])} examples. Downstream task: {n_tgt} "
            f"different sectors whose borders cut the old ones in half; only {shots} examples per class ({n_few} in all).",
        )
    else:
        setup = ctx.t(
            f"Цифры sklearn 8×8. Исходная задача: цифры 0–4, {len(d['y_up'])} примеров. Новая задача: цифры 5–9, "
            f"{shots} примеров на класс ({n_few} штук).",
            f"sklearn 8×8 digits. Upstream task: digits 0–4, {len(d['y_up'])} examples. Downstream task: digits 5–9, "
            f"{shots} examples per class ({n_few} in all).",
        )
    lines = [
        setup,
        ctx.t(
            f"Предобученная сеть (backbone {n_in}→{HIDDEN}→{HIDDEN} + голова на {n_src} классов) решает исходную "
            f"задачу с точностью {ctx.pct(acc_up, 1)}.",
            f"The pretrained network (backbone {n_in}→{HIDDEN}→{HIDDEN} + a {n_src}-class head) solves the upstream "
            f"task with {ctx.pct(acc_up, 1)} accuracy.",
        ),
        "",
        ctx.t(
            f"Точность на {n_test} новых примерах новой задачи (и на старой задаче со старой головой):",
            f"Accuracy on {n_test} unseen downstream examples (and on the old task through the old head):",
        ),
    ]
    for key in ("scratch", "frozen", "unfreeze_small_lr", "unfreeze_large_lr"):
        old_part = ""
        if key in old_acc:
            old_part = ctx.t(
                f"; старая задача {ctx.pct(old_acc[key], 1)}", f"; old task {ctx.pct(old_acc[key], 1)}"
            )
        lines.append(f"• {names[key]}: {ctx.pct(acc[key], 1)}{old_part}")
    lines.append("")
    if gap > 0:
        lines.append(
            ctx.t(
                f"Заморозка выиграла у обучения с нуля {ctx.num(100 * gap, 1)} п.п. Сеть с нуля выучила свои {n_few} "
                f"примеров на {ctx.pct(train_acc_scratch)}, но на новых данных ошибается: по такой выборке не понять, какие "
                "признаки важны, а какие — шум. Замороженный backbone уже умеет извлекать нужные признаки, и голове "
                "остаётся провести границы.",
                f"Freezing beat training from scratch by {100 * gap:.1f} points. The scratch network fits its {n_few} "
                f"examples to {ctx.pct(train_acc_scratch)} but fails on new data: so few examples cannot tell useful "
                "features from noise. The frozen backbone already extracts the useful features; the head only has to "
                "draw the borders.",
            )
        )
    else:
        lines.append(
            ctx.t(
                f"Здесь заморозка проиграла обучению с нуля {ctx.num(-100 * gap, 1)} п.п. — отрицательный перенос: "
                "признаки, выученные на исходной задаче, оказались у́же, чем сами входы, и нужная новой задаче "
                "информация в них потерялась. Перенос помогает, когда исходная задача богаче новой.",
                f"Here freezing lost to training from scratch by {-100 * gap:.1f} points — negative transfer: the "
                "features learned upstream are narrower than the raw inputs and lost what the new task needs. Transfer "
                "helps when the upstream task is richer than the downstream one.",
            )
        )
    d_small = acc["unfreeze_small_lr"] - acc["frozen"]
    keep_small = old_acc["frozen"] - old_acc["unfreeze_small_lr"] < 0.03
    forget_large = old_acc["frozen"] - old_acc["unfreeze_large_lr"]
    sign = "+" if d_small >= 0 else "−"
    lines.append(
        ctx.t(
            f"Разморозка с маленьким lr ({SMALL_LR:g}) дала {sign}{ctx.num(abs(100 * d_small), 1)} п.п. к замороженной "
            f"модели и {'почти не трогает' if keep_small else 'заметно меняет'} старые знания (старая задача "
            f"{ctx.pct(old_acc['unfreeze_small_lr'], 1)} против {ctx.pct(old_acc['frozen'], 1)}). С большим lr "
            f"({LARGE_LR:g}) старая задача падает до {ctx.pct(old_acc['unfreeze_large_lr'], 1)}"
            + (
                " — катастрофическое забывание."
                if forget_large >= 0.15
                else f" (−{ctx.num(100 * forget_large, 1)} п.п.): сеть начинает забывать то, что знала."
            ),
            f"Unfreezing with a small lr ({SMALL_LR:g}) changed accuracy by {sign}{abs(100 * d_small):.1f} points and "
            f"{'barely touches' if keep_small else 'noticeably changes'} old knowledge (old task "
            f"{ctx.pct(old_acc['unfreeze_small_lr'], 1)} vs {ctx.pct(old_acc['frozen'], 1)}). With a large lr "
            f"({LARGE_LR:g}) the old task drops to {ctx.pct(old_acc['unfreeze_large_lr'], 1)}"
            + (
                " — catastrophic forgetting."
                if forget_large >= 0.15
                else f" (−{100 * forget_large:.1f} points): the network starts to forget what it knew."
            ),
        )
    )
    text = "\n".join(lines)

    code_tpl = CODE_FACTORS if task == "factors" else CODE_DIGITS
    code = code_tpl.format(
        seed=ctx.seed,
        n_src=n_src,
        n_tgt=n_tgt,
        n_up=len(d["y_up"]),
        shots=shots,
        hidden=HIDDEN,
        pre_steps=PRE_STEPS,
        pre_lr=PRE_LR,
        pre_batch=PRE_BATCH,
        few_steps=FEW_STEPS,
        scratch_lr=SCRATCH_LR,
        head_lr=HEAD_LR,
        unfreeze_steps=UNFREEZE_STEPS,
        small_lr=SMALL_LR,
        large_lr=LARGE_LR,
        n_test=n_test,
    )

    keys = ["scratch", "frozen", "unfreeze_small_lr", "unfreeze_large_lr"]

    def bars(fig: Any) -> None:
        ax = fig.subplots()
        pos = np.arange(len(keys))
        new_vals = [100 * acc[k] for k in keys]
        old_vals = [100 * old_acc.get(k, float("nan")) for k in keys]
        b1 = ax.bar(pos - 0.2, new_vals, 0.4, color=plotting.BLUE, label=ctx.t("новая задача", "new task"))
        ax.bar(
            pos + 0.2, old_vals, 0.4, color=plotting.GREY, alpha=0.7, label=ctx.t("старая задача", "old task")
        )
        for rect, v in zip(b1, new_vals, strict=True):
            ax.text(rect.get_x() + rect.get_width() / 2, v + 1, f"{v:.0f}", ha="center", fontsize=12)
        ax.axhline(
            100 / n_tgt,
            color="black",
            linestyle=":",
            linewidth=1.2,
            label=ctx.t("случайное угадывание", "random guess"),
        )
        ax.set_xticks(pos)
        ax.set_xticklabels(
            [
                ctx.t("с нуля", "scratch"),
                ctx.t("заморозка", "frozen"),
                ctx.t("разм.\nмал. lr", "unfrozen\nsmall lr"),
                ctx.t("разм.\nбольш. lr", "unfrozen\nlarge lr"),
            ]
        )
        ax.set_ylim(0, 112)
        ax.set_ylabel(ctx.t("точность, %", "accuracy, %"))
        ax.set_title(ctx.t(f"{shots} примеров на класс", f"{shots} examples per class"))
        fig.legend(loc="outside lower center", ncol=3, fontsize=10)

    images = [plotting.render(bars)]
    captions = [
        ctx.t(
            "Точность на новой задаче (синие) и на старой задаче через старую голову (серые).",
            "Accuracy on the new task (blue) and on the old task through the old head (grey).",
        )
    ]

    if task == "factors":
        with torch.no_grad():
            pred_s = scratch(t["x_test"]).argmax(1).numpy()
            pred_f = model(t["x_test"]).argmax(1).numpy()
        z_test, z_few, y_few = d["z_test"], d["z_few"], d["y_few"]
        colors = np.array([plotting.BLUE, plotting.ORANGE, plotting.GREEN, plotting.PURPLE, plotting.RED])

        def plane(fig: Any) -> None:
            axes = fig.subplots(1, 2, sharey=True)
            for ax, pred, key in ((axes[0], pred_s, "scratch"), (axes[1], pred_f, "frozen")):
                ax.scatter(z_test[:, 0], z_test[:, 1], c=colors[pred % len(colors)], s=9, alpha=0.6)
                ax.scatter(
                    z_few[:, 0],
                    z_few[:, 1],
                    c=colors[y_few % len(colors)],
                    s=90,
                    marker="*",
                    edgecolors="black",
                    linewidths=0.8,
                )
                ax.set_title(f"{names[key]}\n{ctx.pct(acc[key])}", fontsize=12)
                ax.set_xlabel("z1")
                ax.set_xlim(-3, 3)
                ax.set_ylim(-3, 3)
                ax.set_aspect("equal")
            axes[0].set_ylabel("z2")
            fig.suptitle(
                ctx.t("Предсказания в плоскости скрытых факторов", "Predictions in the hidden-factor plane"),
                fontsize=13,
            )

        images.append(plotting.render(plane, figsize=(7.0, 4.2)))
        captions.append(
            ctx.t(
                "Цвет — предсказанный класс; звёзды — обучающие примеры. Правильный ответ — три сектора.",
                "Colour = predicted class; stars = the training examples. The right answer is three sectors.",
            )
        )

    metrics = {
        "task": task,
        "shots": shots,
        "n_few": n_few,
        "n_test": n_test,
        "acc_upstream": acc_up,
        "acc": acc,
        "old_task_acc": old_acc,
        "acc_scratch": acc["scratch"],
        "acc_frozen": acc["frozen"],
        "acc_unfreeze_small_lr": acc["unfreeze_small_lr"],
        "acc_unfreeze_large_lr": acc["unfreeze_large_lr"],
        "frozen_minus_scratch": gap,
        "train_acc_scratch": train_acc_scratch,
        "old_task_drop_large_lr": forget_large,
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="fine-tuning",
    title_ru="Fine-tuning: заморозить backbone, заменить голову, дообучить на нескольких примерах",
    title_en="Fine-tuning: freeze the backbone, replace the head, train on a few examples",
    note_slug="fine-tuning",
    params=(
        Param(
            "shots",
            "int",
            5,
            1,
            50,
            aliases=("k", "shots_per_class", "шоты"),
            help_ru="сколько размеченных примеров каждого класса есть в новой задаче",
            help_en="labelled examples per class in the new task",
        ),
        Param(
            "task",
            "choice",
            "factors",
            choices=("factors", "digits"),
            aliases=("data", "dataset", "датасет"),
            help_ru="factors — мир со скрытыми факторами; digits — цифры 0–4 → 5–9 (пример отрицательного переноса)",
            help_en="factors — a world with hidden factors; digits — digits 0–4 → 5–9 (a negative-transfer example)",
        ),
    ),
    impl=run,
)
