"""The answer path never imports torch, transformers, sentence-transformers or scikit-learn:
checked in a fresh process, both for the retrieve + route path and for `memebot ask`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN = ("torch", "transformers", "sentence_transformers", "sklearn")

RETRIEVE_AND_ROUTE = """
import json, sys
from pathlib import Path
from indexer.threads import configure_threads
configure_threads()
from indexer.search import Retriever
from router.infer import load_router
home = Path(sys.argv[1])
retriever = Retriever.load(home / "index")
router = load_router(home / "router", retriever.encoder)
vector = retriever.encoder.encode(["что такое дропаут"])[0]
hits = retriever.search("что такое дропаут", k=3, vector=vector)
route = router.route("что такое дропаут", vector=vector)
print(json.dumps({"slug": hits[0].slug, "intent": route.intent, "modules": sorted(sys.modules)}))
"""

CLI_ASK = """
import json, sys
sys.argv = ["memebot", "ask", "--json", "что такое дропаут"]
from bot.cli.main import main
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps({"modules": sorted(sys.modules)}))
"""


def _run(code: str, home: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEMEBOT_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _forbidden(modules: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & {*FORBIDDEN, *extra})


def test_retrieve_and_route_import_no_training_library(home_with_index: Path) -> None:
    result = _run(RETRIEVE_AND_ROUTE, home_with_index, str(home_with_index))
    assert result["slug"] == "dropout" and result["intent"] == "explain_concept"
    # Nor scipy (bm25s's import; the search maps bm25s's saved arrays itself) or faiss (flat search is numpy).
    assert _forbidden(result["modules"], extra=("scipy", "bm25s", "faiss")) == []
    assert "onnxruntime" in {m.split(".")[0] for m in result["modules"]}


def test_memebot_ask_imports_no_training_library(home_with_index: Path) -> None:
    assert _forbidden(_run(CLI_ASK, home_with_index)["modules"]) == []
