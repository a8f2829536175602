"""Demo ``spatial-dropout``: element-wise ``nn.Dropout`` vs channel-wise ``nn.Dropout2d``.

``p`` is the DROP probability, exactly as in PyTorch's layers (and in the ``dropout`` demo).
"""

from __future__ import annotations

from typing import Any

from demos import plotting
from demos.base import Demo, DemoOutput, Param, RunContext, shown_code

C, H, W = 8, 16, 16


def experiment(p: float, seed: int, c: int = 8, h: int = 16, w: int = 16) -> dict:
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    with torch.no_grad():
        # a smooth random feature map: neighbouring pixels are correlated, as in a CNN
        g = torch.exp(-(torch.arange(-4, 5).float() ** 2) / 8)  # Gaussian, sigma = 2
        blur = (g[:, None] * g[None, :] / g.sum() ** 2).expand(c, 1, 9, 9)
        x = F.conv2d(torch.randn(1, c, h + 8, w + 8), blur, groups=c)  # (1, c, h, w)
        x = x / x.std()
        y_elem = torch.nn.Dropout(p).train()(x)  # zeros single pixels
        y_chan = torch.nn.Dropout2d(p).train()(x)  # zeros whole channels
        kept_elem, kept_chan = y_elem != 0, y_chan != 0

        def fill_from_neighbours(kept):  # mean of the kept pixels in each 3x3 window
            k, m = torch.ones(c, 1, 3, 3), kept.float()
            support = F.conv2d(m, k, padding=1, groups=c)
            return F.conv2d(x * m, k, padding=1, groups=c) / support.clamp(min=1), support

        def rel_error(kept):  # how well the dropped pixels are recovered from their neighbours
            recon, support = fill_from_neighbours(kept)
            hole = ~kept
            if not bool(hole.any()):
                return 0.0, 0.0, recon
            err = float((recon - x)[hole].norm() / x[hole].norm())
            return err, float((support[hole] == 0).float().mean()), recon

        err_elem, no_neighbour, recon = rel_error(kept_elem)
        err_chan, _, _ = rel_error(kept_chan)
        ke, kc = kept_elem[0].reshape(c, -1), kept_chan[0].reshape(c, -1)
        return {
            "neighbour_corr": float(
                torch.corrcoef(torch.stack([x[..., :-1].flatten(), x[..., 1:].flatten()]))[0, 1]
            ),
            "drop_fraction_elementwise": 1 - float(ke.float().mean()),
            "drop_fraction_channelwise": 1 - float(kc.float().mean()),
            "channels_dropped_elementwise": int((~ke).all(dim=1).sum()),
            "channels_dropped_channelwise": int((~kc).all(dim=1).sum()),
            "channelwise_constant_per_channel": bool(((kc.all(dim=1)) | (~kc).all(dim=1)).all()),
            "kept_per_channel_elementwise": ke.float().mean(dim=1).tolist(),
            "scale": float((y_elem[kept_elem] / x[kept_elem]).mean()),  # 1 / (1 - p)
            "recon_err_elementwise": err_elem,
            "recon_err_channelwise": err_chan,
            "no_neighbour_fraction": no_neighbour,
            "x": x[0].tolist(),
            "kept_elem": kept_elem[0].int().tolist(),
            "kept_chan": kept_chan[0].int().tolist(),
            "recon": recon[0].tolist(),
        }


def _text(r: dict, p: float, ctx: RunContext) -> str:
    per = r["kept_per_channel_elementwise"]
    n_chan = r["channels_dropped_channelwise"]
    channels = ctx.t(f"{C} каналов", f"{C} channels")
    lines = [
        ctx.t(
            f"Карта признаков: {channels} по {H}×{W} пикселей, p = {ctx.g(p)} — вероятность ОБНУЛИТЬ, как в "
            f"nn.Dropout(p) и nn.Dropout2d(p). Соседние пиксели похожи: корреляция соседей {ctx.num(r['neighbour_corr'], 2)}.",
            f"A feature map: {channels} of {H}×{W} pixels, p = {ctx.g(p)} is the probability to ZERO, as in "
            f"nn.Dropout(p) and nn.Dropout2d(p). Neighbouring pixels are alike: neighbour correlation "
            f"{ctx.num(r['neighbour_corr'], 2)}.",
        ),
        "",
        ctx.t(
            f"• nn.Dropout (поэлементный): обнулено {ctx.pct(r['drop_fraction_elementwise'], 1)} пикселей, россыпью; "
            f"целиком пустых каналов: {r['channels_dropped_elementwise']} из {C}; в каждом канале осталось от "
            f"{ctx.pct(min(per))} до {ctx.pct(max(per))} пикселей.",
            f"• nn.Dropout (element-wise): {ctx.pct(r['drop_fraction_elementwise'], 1)} of pixels zeroed, scattered; "
            f"fully empty channels: {r['channels_dropped_elementwise']} of {C}; each channel kept between "
            f"{ctx.pct(min(per))} and {ctx.pct(max(per))} of its pixels.",
        ),
        ctx.t(
            f"• nn.Dropout2d (поканальный, spatial dropout): обнулено {ctx.pct(r['drop_fraction_channelwise'], 1)} "
            f"пикселей — это {n_chan} из {ctx.count(C, 'канала|каналов|каналов', '')} целиком (в среднем ожидаем "
            f"p·{C} = {ctx.num(p * C, 1)}), остальные нетронуты.",
            f"• nn.Dropout2d (channel-wise, spatial dropout): {ctx.pct(r['drop_fraction_channelwise'], 1)} of pixels "
            f"zeroed — {n_chan} of {C} whole channels (p·{C} = {ctx.num(p * C, 1)} expected on average), the rest "
            "untouched.",
        ),
        ctx.t(
            f"Оба слоя умножают сохранённое на 1/(1 − p) = {ctx.num(r['scale'], 3)}.",
            f"Both layers multiply what they keep by 1/(1 − p) = {ctx.num(r['scale'], 3)}.",
        ),
        "",
    ]
    err, err_c, lonely = r["recon_err_elementwise"], r["recon_err_channelwise"], r["no_neighbour_fraction"]
    easy = err < 0.5
    lines.append(
        ctx.t(
            (
                "Почему поэлементный dropout в свёрточных сетях регуляризует слабо: выкинутый пиксель в основном "
                "восстанавливается по соседям. "
                if easy
                else "При таком большом p соседей почти не остаётся, и даже поэлементный dropout уничтожает информацию. "
            )
            + f"Среднее по сохранённым соседям 3×3 даёт ошибку {ctx.pct(err)} на выкинутых пикселях (просто ноль "
            f"дал бы 100%; без единого сохранённого соседа — {ctx.pct(lonely, 1)} дыр).",
            (
                "Why element-wise dropout regularises conv nets weakly: a dropped pixel is largely recovered from "
                "its neighbours. "
                if easy
                else "With p this large few neighbours survive, so even element-wise dropout destroys information. "
            )
            + f"Averaging the kept 3×3 neighbours gives a {ctx.pct(err)} error on the dropped pixels (plain zero "
            f"would be 100%; {ctx.pct(lonely, 1)} of the holes had no kept neighbour).",
        )
    )
    if n_chan:
        lines.append(
            ctx.t(
                f"У Dropout2d тот же трюк даёт ошибку {ctx.pct(err_c)}: канал исчез целиком, и сеть вынуждена опираться "
                "на другие каналы и на картину в целом (классификатор эмоций перестаёт держаться только за "
                "«белые зубы = улыбка»).",
                f"With Dropout2d the same trick gives {ctx.pct(err_c)} error: the whole channel is gone, so the "
                "network must rely on other channels and on the whole picture (an emotion classifier can no longer "
                'lean only on "white teeth = smile").',
            )
        )
    else:
        lines.append(
            ctx.t(
                f"В этот раз Dropout2d не выключил ни одного канала (вероятность этого (1 − p)^{C} = "
                f"{ctx.pct((1 - p) ** C, 1)}). Выключенный канал по соседям не восстановить: внутри него ничего не остаётся.",
                f"This time Dropout2d switched off no channel (probability (1 − p)^{C} = {ctx.pct((1 - p) ** C, 1)}). "
                "A switched-off channel cannot be rebuilt from neighbours: nothing is left inside it.",
            )
        )
    return "\n".join(lines)


def _plots(r: dict, p: float, ctx: RunContext) -> tuple[list[bytes], list[str]]:
    import numpy as np

    me, mc = np.array(r["kept_elem"], dtype=bool), np.array(r["kept_chan"], dtype=bool)
    xs, recon = np.array(r["x"]), np.array(r["recon"])

    def masks_plot(fig: Any) -> None:
        top, bottom = fig.subfigures(2, 1, hspace=0.04)
        for sub, mask, name in ((top, me, "nn.Dropout"), (bottom, mc, "nn.Dropout2d")):
            axes = sub.subplots(2, C // 2)
            for ch, ax in enumerate(axes.flat):
                ax.imshow(mask[ch], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
                plotting.no_ticks(ax)
                ax.set_title(ctx.t(f"канал {ch}", f"channel {ch}"), fontsize=12)
            sub.suptitle(name, fontsize=15)
        fig.suptitle(
            ctx.t(
                f"p = {ctx.g(p)}: белое — сохранено, чёрное — 0", f"p = {ctx.g(p)}: white kept, black zeroed"
            ),
            fontsize=15,
        )

    dropped = [c for c in range(C) if not mc[c].any()]
    ch = dropped[0] if dropped else 0
    vmax = float(np.abs(xs[ch]).max())

    def channel_plot(fig: Any) -> None:
        axes = fig.subplots(2, 2)
        panels = [
            (xs[ch], ctx.t(f"канал {ch}: исходный", f"channel {ch}: original")),
            (np.where(me[ch], xs[ch], np.nan), ctx.t("после nn.Dropout", "after nn.Dropout")),
            (
                np.where(me[ch], xs[ch], recon[ch]),
                ctx.t(
                    f"дыры по соседям\nошибка {ctx.pct(r['recon_err_elementwise'])}",
                    f"holes from neighbours\nerror {ctx.pct(r['recon_err_elementwise'])}",
                ),
            ),
            (np.where(mc[ch], xs[ch], np.nan), ctx.t("после nn.Dropout2d", "after nn.Dropout2d")),
        ]
        for ax, (img, title) in zip(axes.flat, panels, strict=True):
            ax.set_facecolor("black")
            ax.imshow(img, cmap="coolwarm", vmin=-vmax, vmax=vmax, interpolation="nearest")
            ax.set_title(title, fontsize=14)
            plotting.no_ticks(ax)

    images = [
        plotting.render(masks_plot, figsize=(5.6, 6.2)),
        plotting.render(channel_plot, figsize=(5.6, 5.8)),
    ]
    n_chan = r["channels_dropped_channelwise"]
    captions = [
        ctx.t(
            f"Сверху поэлементный dropout (дырки россыпью), снизу Dropout2d: выключено {n_chan} из "
            f"{ctx.count(C, 'канала|каналов|каналов', '')} целиком.",
            f"Top: element-wise dropout (scattered holes); bottom: Dropout2d, {n_chan} of {C} channels switched off entirely.",
        ),
        ctx.t(
            "Один канал: дыры от nn.Dropout легко заполняются соседями (чёрное — обнулено), Dropout2d убирает канал целиком.",
            "One channel: nn.Dropout holes are easily filled from neighbours (black = zeroed); Dropout2d removes the channel.",
        ),
    ]
    return images, captions


def run(params: dict[str, Any], ctx: RunContext) -> DemoOutput:
    p = float(params["p"])
    r = experiment(p=p, seed=ctx.seed)
    code = shown_code(experiment, p=p, seed=ctx.seed)
    images, captions = _plots(r, p, ctx)
    metrics = {"result": r, "p_drop": p}
    return DemoOutput(text=_text(r, p, ctx), code=code, images=images, captions=captions, metrics=metrics)


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
            aliases=("drop", "drop_p", "p_drop", "rate", "prob", "probability", "вероятность", "обнуление"),
            help_ru="вероятность ОБНУЛИТЬ (как p в nn.Dropout2d(p))",
            help_en="probability to ZERO (as p in nn.Dropout2d(p))",
        ),
    ),
    impl=run,
)
