"""Demo ``spatial-dropout``: element-wise ``nn.Dropout`` vs channel-wise ``nn.Dropout2d``.

Here ``p`` is the DROP probability, exactly as in PyTorch's layers (unlike the
``dropout`` demo, where ``p`` is the keep probability of the original paper).
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext

C, H, W = 8, 16, 16

CODE = """\
import torch
import torch.nn.functional as F

torch.manual_seed({seed})
p = {p}                                  # DROP probability, as in nn.Dropout / nn.Dropout2d
# a smooth random feature map: neighbouring pixels are correlated, as in a CNN
g = torch.exp(-torch.arange(-4, 5).float() ** 2 / 8)          # Gaussian, sigma = 2
blur = (g[:, None] * g[None, :] / g.sum() ** 2).expand({c}, 1, 9, 9)
x = F.conv2d(torch.randn(1, {c}, {h} + 8, {w} + 8), blur, groups={c})   # (1, {c}, {h}, {w})
x = x / x.std()

elem = torch.nn.Dropout(p).train()       # zeros single pixels
chan = torch.nn.Dropout2d(p).train()     # zeros whole channels
y_elem, y_chan = elem(x), chan(x)
mask_elem, mask_chan = y_elem != 0, y_chan != 0

# can a dropped pixel be recovered from its kept 3x3 neighbours?
k = torch.ones({c}, 1, 3, 3)
m = mask_elem.float()
recon = F.conv2d(x * m, k, padding=1, groups={c}) / F.conv2d(m, k, padding=1, groups={c}).clamp(min=1)
hole = ~mask_elem
rel_err_elem = ((recon - x)[hole].norm() / x[hole].norm()).item()
"""


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    import numpy as np
    import torch
    import torch.nn.functional as F

    p = float(params["p"])
    with torch.no_grad():
        g = torch.exp(-(torch.arange(-4, 5).float() ** 2) / 8)
        blur = (g[:, None] * g[None, :] / g.sum() ** 2).expand(C, 1, 9, 9)
        x = F.conv2d(torch.randn(1, C, H + 8, W + 8), blur, groups=C)
        x = x / x.std()

        elem = torch.nn.Dropout(p).train()
        chan = torch.nn.Dropout2d(p).train()
        y_elem, y_chan = elem(x), chan(x)
        mask_elem, mask_chan = y_elem != 0, y_chan != 0

        k = torch.ones(C, 1, 3, 3)
        m = mask_elem.float()
        support = F.conv2d(m, k, padding=1, groups=C)
        recon = F.conv2d(x * m, k, padding=1, groups=C) / support.clamp(min=1)
        hole = ~mask_elem
        if bool(hole.any()):
            rel_err_elem = float((recon - x)[hole].norm() / x[hole].norm())
            no_neighbour = float((support[hole] == 0).float().mean())
        else:
            rel_err_elem, no_neighbour = 0.0, 0.0
        # the same trick inside a channel zeroed by Dropout2d: nothing is left to average
        mc = mask_chan.float()
        recon_c = F.conv2d(x * mc, k, padding=1, groups=C) / F.conv2d(mc, k, padding=1, groups=C).clamp(min=1)
        hole_c = ~mask_chan
        rel_err_chan = float((recon_c - x)[hole_c].norm() / x[hole_c].norm()) if bool(hole_c.any()) else 0.0
        # neighbour correlation of the feature map (why element-wise holes are easy to fill)
        corr = float(np.corrcoef(x[..., :, :-1].flatten().numpy(), x[..., :, 1:].flatten().numpy())[0, 1])

    me = mask_elem[0].numpy()
    mcn = mask_chan[0].numpy()
    drop_elem = 1.0 - float(me.mean())
    drop_chan = 1.0 - float(mcn.mean())
    chan_dropped_elem = int((~me.reshape(C, -1)).all(axis=1).sum())
    chan_dropped_chan = int((~mcn.reshape(C, -1)).all(axis=1).sum())
    per_chan_keep_elem = me.reshape(C, -1).mean(axis=1)
    kept_vals = y_elem[mask_elem] / x[mask_elem]
    scale = float(kept_vals.mean()) if kept_vals.numel() else 0.0

    code = CODE.format(seed=ctx.seed, p=p, c=C, h=H, w=W)
    lines = [
        ctx.t(
            f"Карта признаков {C} каналов × {H}×{W}, p = {ctx.num(p, 2)} — вероятность ОБНУЛИТЬ "
            f"(как в nn.Dropout и nn.Dropout2d). Соседние пиксели похожи: корреляция соседей {ctx.num(corr, 2)}.",
            f"A feature map of {C} channels × {H}×{W}, p = {p:.2f} is the probability to ZERO "
            f"(as in nn.Dropout and nn.Dropout2d). Neighbouring pixels are alike: neighbour correlation {corr:.2f}.",
        ),
        "",
        ctx.t(
            f"• nn.Dropout (поэлементный): обнулено {ctx.pct(drop_elem, 1)} пикселей, россыпью; "
            f"целиком пустых каналов: {chan_dropped_elem} из {C}; в каждом канале осталось от "
            f"{ctx.pct(per_chan_keep_elem.min())} до {ctx.pct(per_chan_keep_elem.max())} пикселей.",
            f"• nn.Dropout (element-wise): {ctx.pct(drop_elem, 1)} of pixels zeroed, scattered; "
            f"fully empty channels: {chan_dropped_elem} of {C}; each channel kept between "
            f"{ctx.pct(per_chan_keep_elem.min())} and {ctx.pct(per_chan_keep_elem.max())} of its pixels.",
        ),
        ctx.t(
            f"• nn.Dropout2d (поканальный, spatial dropout): обнулено {ctx.pct(drop_chan, 1)} пикселей — "
            f"это {chan_dropped_chan} из {C} каналов целиком (в среднем ожидаем p·{C} = {ctx.num(p * C, 1)}), "
            "остальные нетронуты.",
            f"• nn.Dropout2d (channel-wise, spatial dropout): {ctx.pct(drop_chan, 1)} of pixels zeroed — "
            f"that is {chan_dropped_chan} of {C} whole channels (p·{C} = {p * C:.1f} expected on average), "
            "the rest untouched.",
        ),
        ctx.t(
            f"Оба слоя умножают сохранённое на 1/(1 − p) = {ctx.num(scale, 3)}.",
            f"Both layers multiply what they keep by 1/(1 − p) = {scale:.3f}.",
        ),
        "",
        ctx.t(
            (
                "Почему поэлементный dropout в свёрточных сетях слабо регуляризует: выкинутый пиксель "
                "в основном восстанавливается по соседям. "
                if rel_err_elem < 0.5
                else "При таком большом p соседей почти не остаётся, и даже поэлементный dropout уничтожает информацию. "
            )
            + "Среднее по сохранённым соседям 3×3 даёт относительную ошибку "
            f"{ctx.pct(rel_err_elem)} на выкинутых пикселях (просто ноль дал бы 100%; без единого "
            f"сохранённого соседа {ctx.pct(no_neighbour, 1)} дыр).",
            (
                "Why element-wise dropout regularises conv nets weakly: a dropped pixel is largely recovered "
                "from its neighbours. "
                if rel_err_elem < 0.5
                else "With p this large few neighbours survive, so even element-wise dropout destroys information. "
            )
            + "Averaging the kept 3×3 neighbours gives a relative error of "
            f"{ctx.pct(rel_err_elem)} on the dropped pixels (plain zero would be 100%; "
            f"{ctx.pct(no_neighbour, 1)} of holes had no kept neighbour).",
        ),
        ctx.t(
            f"У Dropout2d тот же трюк даёт ошибку {ctx.pct(rel_err_chan)}: канал исчез целиком, и сеть вынуждена "
            "опираться на другие каналы и на картину в целом (например, классификатор эмоций перестаёт "
            "держаться только за «белые зубы = улыбка»).",
            f"With Dropout2d the same trick gives {ctx.pct(rel_err_chan)} error: the whole channel is gone, so "
            "the network must rely on other channels and on the whole picture (e.g. an emotion classifier can "
            'no longer lean only on "white teeth = smile").',
        )
        if chan_dropped_chan
        else ctx.t(
            f"В этот раз Dropout2d не выключил ни одного канала (вероятность этого (1 − p)^{C} = "
            f"{ctx.pct((1 - p) ** C, 1)}). Выключенный канал восстановить по соседям нельзя: внутри канала "
            "не остаётся ничего, и сеть вынуждена опираться на другие каналы и на картину в целом.",
            f"This time Dropout2d switched off no channel (probability (1 − p)^{C} = {ctx.pct((1 - p) ** C, 1)}). "
            "A switched-off channel cannot be rebuilt from neighbours: nothing is left inside it, so the "
            "network must rely on other channels and on the whole picture.",
        ),
    ]
    text = "\n".join(lines)

    def masks_plot(fig: Any) -> None:
        axes = fig.subplots(2, C)
        for c in range(C):
            for row, (mask, name) in enumerate(((me, "nn.Dropout"), (mcn, "nn.Dropout2d"))):
                ax = axes[row, c]
                ax.imshow(mask[c], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                if c == 0:
                    ax.set_ylabel(name, fontsize=11)
                if row == 0:
                    ax.set_title(f"{ctx.t('к', 'ch')}{c}", fontsize=11)
        fig.suptitle(
            ctx.t(
                f"Маски, p = {ctx.num(p, 2)}: белое — сохранено, чёрное — 0",
                f"Masks, p = {p:.2f}: white kept, black zeroed",
            ),
            fontsize=13,
        )

    dropped = [c for c in range(C) if not mcn[c].any()]
    ch = dropped[0] if dropped else 0
    xs = x[0].numpy()
    vmax = float(np.abs(xs[ch]).max())

    def channel_plot(fig: Any) -> None:
        axes = fig.subplots(2, 2)
        panels = [
            (xs[ch], ctx.t(f"канал {ch}: исходный", f"channel {ch}: original")),
            (np.where(me[ch], xs[ch], np.nan), ctx.t("после nn.Dropout", "after nn.Dropout")),
            (
                recon[0, ch].numpy() * (~me[ch]) + xs[ch] * me[ch],
                ctx.t(
                    f"дыры по соседям: ош. {ctx.pct(rel_err_elem)}",
                    f"holes from neighbours: err {ctx.pct(rel_err_elem)}",
                ),
            ),
            (np.where(mcn[ch], xs[ch], np.nan), ctx.t("после nn.Dropout2d", "after nn.Dropout2d")),
        ]
        for ax, (img, title) in zip(axes.flat, panels, strict=True):
            ax.set_facecolor("black")
            ax.imshow(img, cmap="coolwarm", vmin=-vmax, vmax=vmax, interpolation="nearest")
            ax.set_title(title, fontsize=12)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)

    images = [
        plotting.render(masks_plot, figsize=(7.0, 3.4)),
        plotting.render(channel_plot, figsize=(6.0, 6.0)),
    ]
    captions = [
        ctx.t(
            f"Сверху поэлементный dropout (дырки россыпью), снизу Dropout2d ({chan_dropped_chan} из {C} каналов выключены целиком).",
            f"Top: element-wise dropout (scattered holes); bottom: Dropout2d ({chan_dropped_chan} of {C} channels switched off entirely).",
        ),
        ctx.t(
            "Один канал: дыры от nn.Dropout легко заполняются соседями (чёрное — обнулено), Dropout2d убирает канал целиком.",
            "One channel: nn.Dropout holes are easily filled from neighbours (black = zeroed); Dropout2d removes the channel.",
        ),
    ]
    metrics = {
        "p_drop": p,
        "drop_fraction_elementwise": drop_elem,
        "drop_fraction_channelwise": drop_chan,
        "channels_dropped_elementwise": chan_dropped_elem,
        "channels_dropped_channelwise": chan_dropped_chan,
        "channelwise_masks_constant_per_channel": bool(
            all(mcn[c].all() or not mcn[c].any() for c in range(C))
        ),
        "scale": scale,
        "neighbour_corr": corr,
        "recon_err_elementwise": rel_err_elem,
        "recon_err_channelwise": rel_err_chan,
        "no_neighbour_fraction": no_neighbour,
    }
    return DemoOutput(text=text, code=code, images=images, captions=captions, metrics=metrics)


DEMO = Demo(
    id="spatial-dropout",
    title_ru="Spatial dropout: выключаем каналы, а не пиксели",
    title_en="Spatial dropout: switch off channels, not pixels",
    note_slug="spatial-dropout",
    params=(
        Param(
            "p",
            "float",
            0.3,
            0.05,
            0.95,
            aliases=("drop", "drop_p", "p_drop", "prob", "probability", "вероятность"),
            help_ru="вероятность ОБНУЛИТЬ (как p в nn.Dropout2d)",
            help_en="probability to ZERO (same as p in nn.Dropout2d)",
        ),
    ),
    impl=run,
)
