"""The experiment of the ``fine-tuning`` demo; its source is the code the demo shows.

Default world (``task="factors"``): every object has two hidden factors z = (z1, z2); we only
see 96 noisy features (32 non-linear mixtures of z plus 64 pure-noise columns). The upstream task
sorts objects into 12 angular sectors of the z-plane (plenty of labels); the downstream task has
3 different sectors whose borders cut through the old ones, with only ``shots`` labelled examples
per class. ``task="digits"``: upstream digits 0-4, downstream digits 5-9 (at this tiny scale an
honest counter-example: negative transfer).
"""

from __future__ import annotations

from typing import Any

# steps and learning rates of every stage; shown in the code as the call's arguments
SETTINGS: dict[str, Any] = {
    "hidden": 128,
    "pre_steps": 300,
    "few_steps": 200,
    "unfreeze_steps": 100,
    "small_lr": 3e-4,
    "large_lr": 1e-2,
}


def make_data(task, shots, seed, n_up=4000, n_test=1000):
    import math

    import numpy as np

    from demos.data import load_digits  # sklearn's 8x8 digits, pixels scaled to [0, 1]

    rng = np.random.default_rng(seed)
    if task == "digits":  # upstream: digits 0-4; downstream: digits 5-9, `shots` of each
        x, y = load_digits()
        old = rng.permutation(np.flatnonzero(y < 5))
        few = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:shots] for c in range(5, 10)])
        test = np.setdiff1d(np.flatnonzero(y >= 5), few)
        n = int(0.8 * len(old))
        return dict(
            x_up=x[old[:n]],
            y_up=y[old[:n]],
            x_up_test=x[old[n:]],
            y_up_test=y[old[n:]],
            x_few=x[few],
            y_few=y[few] - 5,
            x_test=x[test],
            y_test=y[test] - 5,
            n_src=5,
            n_tgt=5,
        )
    # two hidden factors z seen through a fixed random non-linear map, plus 64 pure-noise columns
    m1 = rng.standard_normal((2, 32)) * 1.5 / math.sqrt(2)
    m2 = rng.standard_normal((32, 32)) / math.sqrt(32)

    def observe(z):
        x = np.concatenate([np.tanh(z @ m1) @ m2, rng.standard_normal((len(z), 64))], axis=1)
        return (x + 0.1 * rng.standard_normal(x.shape)).astype(np.float32)

    def sectors(n, offset):  # label = which of n angular sectors of the z-plane
        angles = offset + 2 * math.pi * np.arange(n) / n
        return np.stack([np.cos(angles), np.sin(angles)])

    offset = rng.uniform(0, 2 * math.pi)
    w_src = sectors(12, offset)  # upstream: 12 sectors; downstream: 3, borders in the middle of old ones
    w_tgt = sectors(3, offset + math.pi / 12 + 2 * math.pi / 12)
    z_up = rng.standard_normal((n_up + n_test, 2))
    x_up, y_up = observe(z_up), np.argmax(z_up @ w_src, axis=1)
    z_dn = rng.standard_normal((2000 + n_test, 2))
    x_dn, y_dn = observe(z_dn), np.argmax(z_dn @ w_tgt, axis=1)
    few = np.concatenate([np.flatnonzero(y_dn[:2000] == c)[:shots] for c in range(3)])
    test = np.arange(2000, 2000 + n_test)
    return dict(
        x_up=x_up[:n_up],
        y_up=y_up[:n_up],
        x_up_test=x_up[n_up:],
        y_up_test=y_up[n_up:],
        x_few=x_dn[few],
        y_few=y_dn[few],
        x_test=x_dn[test],
        y_test=y_dn[test],
        n_src=12,
        n_tgt=3,
        z_few=z_dn[few],
        z_test=z_dn[test],
    )


def fit(model, x, y, steps, lr, batch=None):
    import torch
    from torch import nn

    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    for _ in range(steps):
        i = torch.randint(len(x), (batch,)) if batch and batch < len(x) else slice(None)
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[i]), y[i]).backward()
        opt.step()


def accuracy(model, x, y):
    import torch

    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def experiment(task, shots, seed, hidden, pre_steps, few_steps, unfreeze_steps, small_lr, large_lr):
    import copy

    import numpy as np
    import torch
    from torch import nn

    d = make_data(task, shots, seed)
    torch.manual_seed(seed)
    t = {k: torch.as_tensor(np.ascontiguousarray(v)) for k, v in d.items() if k.startswith(("x_", "y_"))}
    n_in = t["x_up"].shape[1]

    def new_backbone():
        return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())

    backbone, old_head = new_backbone(), nn.Linear(hidden, d["n_src"])  # pretrain on the big old task
    fit(nn.Sequential(backbone, old_head), t["x_up"], t["y_up"], pre_steps, 3e-3, batch=256)

    scratch = nn.Sequential(new_backbone(), nn.Linear(hidden, d["n_tgt"]))  # from scratch, few examples
    fit(scratch, t["x_few"], t["y_few"], few_steps, 3e-3)

    frozen = copy.deepcopy(backbone).requires_grad_(False)  # freeze the backbone, replace the head
    model = nn.Sequential(frozen, nn.Linear(hidden, d["n_tgt"]))
    fit(model, t["x_few"], t["y_few"], few_steps, 1e-2)  # only the head learns

    tuned = {}
    for name, lr in (("unfreeze_small_lr", small_lr), ("unfreeze_large_lr", large_lr)):
        tuned[name] = copy.deepcopy(model).requires_grad_(True)  # unfreeze everything
        fit(tuned[name], t["x_few"], t["y_few"], unfreeze_steps, lr)

    models = {"scratch": scratch, "frozen": model, **tuned}
    with torch.no_grad():
        return {
            "acc_upstream": accuracy(nn.Sequential(backbone, old_head), t["x_up_test"], t["y_up_test"]),
            "acc": {k: accuracy(m, t["x_test"], t["y_test"]) for k, m in models.items()},
            # the old task, read through the old head on top of each backbone: what was forgotten?
            "old_task_acc": {
                k: accuracy(nn.Sequential(m[0], old_head), t["x_up_test"], t["y_up_test"])
                for k, m in models.items()
                if k != "scratch"
            },
            "train_acc_scratch": accuracy(scratch, t["x_few"], t["y_few"]),
            "n_in": n_in,
            "n_src": d["n_src"],
            "n_tgt": d["n_tgt"],
            "n_up": len(d["y_up"]),
            "n_few": len(d["y_few"]),
            "n_test": len(d["y_test"]),
            "plane": None
            if task != "factors"
            else {  # for the picture of the z-plane
                "z_test": d["z_test"].tolist(),
                "z_few": d["z_few"].tolist(),
                "y_few": d["y_few"].tolist(),
                "pred_scratch": scratch(t["x_test"]).argmax(1).tolist(),
                "pred_frozen": model(t["x_test"]).argmax(1).tolist(),
            },
        }
