"""onnxruntime sessions that skip graph optimisation at start.

Building a session optimises the graph first: 50 ms of CPU for the e5 encoder and 125 ms for the
router, at every start. The first load writes the optimised graph beside the model
(``<name>.opt.onnx``, stamped with the model's size, modification time and the onnxruntime
version); later loads read it with optimisation off (36 and 46 ms). The optimised copy is made
on this machine for this machine: if it ever fails to load, the model is optimised again.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def session_options(ort: Any, threads: int) -> Any:
    """One intra-op thread and no spinning: measured under load, spinning threads on 2 cores cost
    the most (bench/RESULTS.md)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return options


def _stamp(ort: Any, model: Path) -> dict[str, Any]:
    info = model.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "onnxruntime": ort.__version__}


def open_session(model: Path, threads: int = 1) -> Any:
    """An ``onnxruntime.InferenceSession`` for ``model`` on the CPU with :func:`session_options`."""
    import onnxruntime as ort

    optimised = model.with_name(f"{model.stem}.opt.onnx")
    stamp_file = model.with_name(f"{model.stem}.opt.json")
    stamp = _stamp(ort, model)
    try:
        current = json.loads(stamp_file.read_text()) == stamp and optimised.exists()
    except (OSError, ValueError):
        current = False
    if current:
        options = session_options(ort, threads)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(optimised), options, providers=["CPUExecutionProvider"])
        except Exception:  # a damaged or foreign copy: optimise the model again below
            logger.warning(
                "optimised copy %s does not load; optimising %s again", optimised, model, exc_info=True
            )
    options = session_options(ort, threads)
    tmp = optimised.with_name(f".{optimised.name}.{os.getpid()}.tmp")
    options.optimized_model_filepath = str(tmp)
    try:
        session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    try:
        os.replace(tmp, optimised)
        stamp_tmp = stamp_file.with_name(f".{stamp_file.name}.{os.getpid()}.tmp")
        stamp_tmp.write_text(json.dumps(stamp))
        os.replace(stamp_tmp, stamp_file)
    except OSError:  # a read-only model folder: every start optimises, nothing else changes
        tmp.unlink(missing_ok=True)
    return session
