"""Demo ``batch-normalization``: activations through a deep ReLU net with and without BatchNorm,
and how train mode (batch statistics) differs from eval mode (running statistics).

With PyTorch's default ``nn.Linear`` initialisation a ReLU layer shrinks the spread of its input
across examples about √6 times, so without normalisation a deep net soon gives nearly the same
output for every input; BatchNorm rescales every layer back to unit spread.
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

SEEN = (1, 2, 5, 10, 20, 50)  # train-mode batches the BatchNorm layers have seen before eval is checked


def experiment(depth: int, seed: int, seen: list[int], width: int = 64, batch: int = 256) -> dict:
    import torch
    from torch import nn

    torch.manual_seed(seed)
    linears = [nn.Linear(width, width) for _ in range(depth)]  # PyTorch's default initialisation
    norms = [nn.BatchNorm1d(width) for _ in range(depth)]

    def forward(x, use_bn, keep=False):
        layers = []
        for lin, bn in zip(linears, norms, strict=True):
            x = torch.relu(bn(lin(x)) if use_bn else lin(x))
            if keep:
                layers.append(x)
        return x, layers

    with torch.no_grad():
        x = torch.randn(batch, width)
        spread = {}
        bands = {}
        for use_bn, key in ((False, "plain"), (True, "batchnorm")):
            _, layers = forward(x, use_bn, keep=True)
            centred = [h - h.mean(dim=0) for h in layers]  # how examples differ from each other
            spread[key] = [float(h.std(dim=0).mean()) for h in layers]
            q = torch.tensor([0.05, 0.25, 0.5, 0.75, 0.95])
            bands[key] = [torch.quantile(c.flatten(), q).tolist() for c in centred]

        for bn in norms:
            bn.reset_running_stats()  # start the train/eval comparison from fresh running statistics
        out_train, train_layers = forward(x, True, keep=True)  # train mode: this batch's statistics (1 seen)
        gaps, gaps_last, count = [], [], 1
        for k in seen:  # running statistics need batches to settle (momentum = 0.1)
            for _ in range(k - count):
                forward(torch.randn(batch, width), True)
            count = k
            for bn in norms:
                bn.eval()
            out_eval, eval_layers = forward(x, True, keep=True)
            for bn in norms:
                bn.train()
            first_t, first_e = train_layers[0], eval_layers[0]
            gaps.append(float((first_e - first_t).norm() / first_t.norm()))  # after the first layer
            gaps_last.append(float((out_eval - out_train).norm() / out_train.norm()))  # after the last

        # the same example in two different batches
        other = torch.randn(batch, width)
        other[0] = x[0]
        in_batch_diff_train = float((forward(other, True)[0][0] - out_train[0]).abs().max())
        for bn in norms:
            bn.eval()
        in_batch_diff_eval = float((forward(other, True)[0][0] - forward(x, True)[0][0]).abs().max())
        for bn in norms:
            bn.train()
        try:
            nn.BatchNorm1d(width).train()(x[:1])  # a batch of one example in train mode
            single = "ok"
        except ValueError as err:
            single = str(err)
    return {
        "width": width,
        "batch": batch,
        "spread": spread,
        "bands": bands,
        "eval_vs_train_gap": gaps,
        "eval_vs_train_gap_last": gaps_last,
        "same_example_diff_train": in_batch_diff_train,
        "same_example_diff_eval": in_batch_diff_eval,
        "batch_of_one": single,
    }


def _text(r: dict, depth: int, ctx: RunContext) -> str:
    plain, bn = r["spread"]["plain"], r["spread"]["batchnorm"]
    per_layer = (plain[-1] / plain[0]) ** (1 / max(depth - 1, 1))
    gaps, last = r["eval_vs_train_gap"], r["eval_vs_train_gap_last"]
    layers = ctx.count(depth, "слой|слоя|слоёв", "layer|layers")
    w = r["width"]
    lines = [
        ctx.t(
            f"Сеть из {ctx.count(depth, 'слоя|слоёв|слоёв', '')} Linear({w}, {w}) + ReLU с инициализацией PyTorch по "
            f"умолчанию, без обучения; на вход — {ctx.count(r['batch'], 'случайный пример|случайных примера|случайных примеров', '')}. Меряем разброс активаций между примерами "
            "(стандартное отклонение по батчу) на каждом слое:",
            f"A net of {layers} Linear({w}, {w}) + ReLU with PyTorch's default initialisation, untrained; {r['batch']} random "
            "examples go in. We measure how much the activations differ between examples (std over the batch) at every layer:",
        ),
        ctx.t(
            f"• без BatchNorm: {ctx.sci(plain[0], 3)} на первом слое → {ctx.sci(plain[-1], 3)} на последнем; каждый слой "
            f"уменьшает разброс в среднем {ctx.times(1 / per_layer, 2)}.",
            f"• without BatchNorm: {ctx.sci(plain[0], 3)} at the first layer → {ctx.sci(plain[-1], 3)} at the last; each "
            f"layer shrinks the spread {ctx.times(1 / per_layer, 2)} on average.",
        ),
        ctx.t(
            f"• с BatchNorm после каждого Linear: {ctx.sci(bn[0], 3)} → {ctx.sci(bn[-1], 3)}.",
            f"• with BatchNorm after every Linear: {ctx.sci(bn[0], 3)} → {ctx.sci(bn[-1], 3)}.",
        ),
    ]
    if plain[-1] < 0.01 * plain[0]:
        lines.append(
            ctx.t(
                "Без нормализации глубокая сеть почти забывает вход: разные примеры дают почти одинаковый выход, и "
                "градиенту не за что зацепиться. BatchNorm на каждом слое заново приводит признаки к среднему 0 и "
                "дисперсии 1 (по батчу), поэтому сигнал доходит до конца при любой глубине и почти любой инициализации.",
                "Without normalisation the deep net nearly forgets its input: different examples give almost the same "
                "output, and the gradient has nothing to hold on to. BatchNorm brings every feature back to mean 0 and "
                "variance 1 (over the batch) at each layer, so the signal reaches the end at any depth and almost any "
                "initialisation.",
            )
        )
    else:
        lines.append(
            ctx.t(
                f"При глубине {depth} разброс ещё не исчез, но тает с каждым слоем; возьмите depth=20, чтобы увидеть, как "
                "сеть без нормализации забывает вход. BatchNorm держит его постоянным на любой глубине.",
                f"At depth {depth} the spread has not vanished yet, but it melts with every layer; try depth=20 to see the "
                "net without normalisation forget its input. BatchNorm keeps it constant at any depth.",
            )
        )
    lines += [
        "",
        ctx.t(
            "Train и eval. В режиме обучения BatchNorm берёт среднее и дисперсию текущего батча и заодно обновляет "
            "бегущие статистики (momentum = 0,1); в model.eval() — только бегущие. Отличие eval-выхода от train-выхода "
            "первого слоя на одном и том же батче после n батчей обучения:",
            "Train vs eval. In training mode BatchNorm uses the mean and variance of the current batch and updates its "
            "running statistics (momentum = 0.1); in model.eval() it uses only the running ones. The gap between the "
            "first layer's eval and train outputs on the same batch after n training batches:",
        ),
        "  " + ", ".join(f"n={k}: {ctx.pct(g, 1)}" for k, g in zip(SEEN, gaps, strict=True)),
        ctx.t(
            f"Бегущим статистикам нужны десятки батчей, чтобы устояться: после первого отличие {ctx.pct(gaps[0])}, после "
            f"{SEEN[-1]} — {ctx.pct(gaps[-1], 1)}. Забыли model.eval() или проверили модель слишком рано — получите "
            "другие ответы.",
            f"The running statistics need dozens of batches to settle: after the first the gap is {ctx.pct(gaps[0])}, after "
            f"{SEEN[-1]} it is {ctx.pct(gaps[-1], 1)}. Forget model.eval() or evaluate too early and the answers change.",
        ),
        ctx.t(
            f"На выходе всей сети после {SEEN[-1]} батчей отличие {ctx.pct(last[-1])}: статистики одного батча чуть "
            "отличаются от средних, и каждый следующий слой усиливает эту разницу"
            + (" — в глубокой сети до неузнаваемости." if last[-1] > 0.3 else "."),
            f"At the output of the whole net after {SEEN[-1]} batches the gap is {ctx.pct(last[-1])}: one batch's "
            "statistics differ slightly from the averages, and every further layer amplifies the difference"
            + (" — beyond recognition in a deep net." if last[-1] > 0.3 else "."),
        ),
        ctx.t(
            "Один и тот же пример в двух разных батчах: в train-режиме выходы расходятся на "
            f"{ctx.sci(r['same_example_diff_train'], 3)} — ответ зависит от соседей по батчу; в eval-режиме — на "
            f"{ctx.sci(r['same_example_diff_eval'], 3)}.",
            "The same example in two different batches: in train mode the outputs differ by "
            f"{ctx.sci(r['same_example_diff_train'], 3)} — the answer depends on the batch-mates; in eval mode by "
            f"{ctx.sci(r['same_example_diff_eval'], 3)}.",
        ),
        ctx.t(
            f"А батч из одного примера в train-режиме BatchNorm1d не принимает вовсе: «{r['batch_of_one']}».",
            f'And BatchNorm1d refuses a batch of one example in train mode: "{r["batch_of_one"]}".',
        ),
    ]
    return "\n".join(lines)


def _plots(r: dict, depth: int, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    layers = np.arange(1, depth + 1)

    def bands(fig: Any) -> None:
        axes = fig.subplots(2, 1, sharex=True, sharey=True)
        for ax, key, color, title in (
            (axes[0], "plain", plotting.RED, ctx.t("без BatchNorm", "without BatchNorm")),
            (axes[1], "batchnorm", plotting.BLUE, ctx.t("с BatchNorm", "with BatchNorm")),
        ):
            q = np.array(r["bands"][key])
            ax.fill_between(layers, q[:, 0], q[:, 4], color=color, alpha=0.2, linewidth=0, label="5–95%")
            ax.fill_between(layers, q[:, 1], q[:, 3], color=color, alpha=0.45, linewidth=0, label="25–75%")
            ax.plot(layers, q[:, 2], color=color, linewidth=1.5)
            ax.set_title(title)
            ax.set_ylabel(ctx.t("активация\n− среднее", "activation\n− mean"))
        axes[0].legend(loc="upper right", fontsize=12, ncol=2)
        axes[1].set_xlabel(ctx.t("номер слоя", "layer"))

    gaps, last = np.array(r["eval_vs_train_gap"]), np.array(r["eval_vs_train_gap_last"])

    def train_eval(fig: Any) -> None:
        ax = fig.subplots()
        ax.semilogx(
            SEEN, 100 * gaps, "o-", color=plotting.PURPLE, label=ctx.t("после 1-го слоя", "after layer 1")
        )
        ax.semilogx(
            SEEN,
            100 * last,
            "s--",
            color=plotting.ORANGE,
            label=ctx.t(f"после {depth}-го слоя", f"after layer {depth}"),
        )
        for k, g in zip(SEEN, gaps, strict=True):
            ax.annotate(ctx.pct(g), (k, 100 * g), textcoords="offset points", xytext=(5, 7), fontsize=12)
        ax.xaxis.set_major_formatter(plotting.number_formatter(ctx.ru))
        ax.set_ylim(0, 100 * max(gaps.max(), last.max()) * 1.2)
        ax.legend(loc="lower left", fontsize=12)
        ax.set_xlabel(ctx.t("батчей в train-режиме", "batches seen in train mode"))
        ax.set_ylabel(ctx.t("отличие eval от train, %", "eval vs train gap, %"))
        ax.set_title(ctx.t("Бегущие статистики устаканиваются", "Running statistics settle"))

    images = [plotting.render(bands, figsize=(5.6, 5.2)), plotting.render(train_eval)]
    captions = [
        ctx.t(
            f"Разброс активаций между примерами на каждом из {ctx.count(depth, 'слоя|слоёв|слоёв', '')}: без нормализации он "
            "схлопывается, с BatchNorm — держится.",
            f"How activations differ between examples at each of {depth} layers: without normalisation the spread "
            "collapses, with BatchNorm it holds.",
        ),
        ctx.t(
            "Насколько выход в eval-режиме отличается от train-режима на том же батче, в зависимости от числа "
            "батчей, которые BatchNorm видел в обучении.",
            "How much the eval-mode output differs from the train-mode output on the same batch, against the number "
            "of batches BatchNorm saw in training.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    depth = int(params["depth"])
    r = experiment(depth=depth, seed=ctx.seed, seen=list(SEEN))
    code = shown_code(experiment, depth=depth, seed=ctx.seed, seen=list(SEEN))
    images, captions = _plots(r, depth, ctx)
    metrics = {"result": {k: v for k, v in r.items() if k != "bands"}, "depth": depth, "seen": list(SEEN)}
    return DemoOutput(text=_text(r, depth, ctx), code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="batch-normalization",
    title_ru="Батч-нормализация: активации глубокой сети и режимы train/eval",
    title_en="Batch normalization: activations of a deep net and train vs eval mode",
    note_slug="batch-normalization",
    params=(
        Param(
            "depth",
            "int",
            20,
            2,
            50,
            aliases=("layers", "n_layers", "глубина", "слои"),
            help_ru="сколько слоёв Linear + ReLU в сети",
            help_en="how many Linear + ReLU layers the net has",
        ),
    ),
    impl=run,
)
