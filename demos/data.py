"""Small built-in data sets, loaded without importing scikit-learn (it costs ~2 s)."""

from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path


@functools.lru_cache(maxsize=1)
def load_digits():
    """The UCI 8×8 handwritten digits shipped with scikit-learn: (X float32 in [0, 1], y int64).

    1797 images, 64 pixels each (original values 0..16, divided by 16).
    Reads scikit-learn's bundled ``digits.csv.gz`` directly; falls back to
    ``sklearn.datasets.load_digits`` if the file is not where expected.
    """
    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    data = None
    if spec is not None and spec.submodule_search_locations:
        path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
        if path.exists():
            with gzip.open(path, "rt") as fh:
                data = np.loadtxt(fh, delimiter=",", dtype=np.float32)
    if data is None:  # pragma: no cover - depends on the sklearn layout
        from sklearn.datasets import load_digits as _load

        bunch = _load()
        data = np.column_stack([bunch.data, bunch.target]).astype(np.float32)
    x = (data[:, :-1] / 16.0).astype(np.float32)
    y = data[:, -1].astype(np.int64)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y
