"""The house's rules, checked on the code itself: one-way layers, no import cycles, no import-time side effects."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "indexer", "router", "demos", "bot")
# Which project packages each layer may import (data flows one way: notes → indexer → router/search → bot).
ALLOWED = {
    "common": {"common"},
    "indexer": {"common", "indexer"},
    "demos": {"common", "demos"},
    "router": {"common", "indexer", "router"},
    "bot": {"common", "indexer", "router", "demos", "bot"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Every project module → the project modules it imports (at the top or inside functions)."""
    modules = {
        _module_name(p): p
        for pkg in PACKAGES
        for p in (REPO / pkg).rglob("*.py")
        if "migrations" not in p.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            targets.update(f for f in found if f in modules)
        graph[name] = targets - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    graph = {
        m: {t for t in targets if not m.startswith(t + ".")} for m, targets in _imports().items()
    }  # a package's own face
    assert _cycles(graph) == []


def test_layers_import_only_downwards() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    ]
    assert wrong == []


def test_serving_code_never_imports_training_code() -> None:
    graph = _imports()
    training = [m for m in graph if m.startswith("router.training")]
    wrong = [
        f"{m} imports {t}"
        for m, targets in graph.items()
        if not m.startswith(("router.training", "bot.cli.router"))
        for t in targets
        if t in training
    ]
    assert wrong == []


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_importing_any_module_changes_no_global_state() -> None:
    """Environment, logging configuration and warning filters are the same before and after importing our modules.

    Third-party libraries may configure themselves on import, so a first process lists every library our
    modules pull in, and the second imports those before taking the "before" picture.
    """
    modules = sorted(m for m in _imports() if not m.startswith("router.training"))
    ours = tuple(f"{p}" for p in PACKAGES) + ("tests",)
    libraries = json.loads(
        _run(
            f"import importlib, json, sys\nfor n in {modules!r}: importlib.import_module(n)\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] not in {ours!r})))"
        )
    )
    probe = f"""
import json, logging, os, sys, warnings, importlib
for name in {libraries!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
def state():
    root = logging.getLogger()
    levels = {{name: logging.getLogger(name).level for name in ("httpx", "bm25s", "transformers", "telegram")}}
    return {{"env": dict(os.environ), "root": [root.level, len(root.handlers)], "levels": levels, "warnings": len(warnings.filters)}}
before = state()
for name in {modules!r}:
    importlib.import_module(name)
after = state()
print(json.dumps({{k: [before[k], after[k]] for k in before if before[k] != after[k]}}))
"""
    changed = json.loads(_run(probe))
    if "env" in changed:
        before, after = changed["env"]
        changed["env"] = {
            k: (before.get(k), after.get(k))
            for k in set(before) | set(after)
            if before.get(k) != after.get(k)
        }
    assert changed == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_file_is_too_long(package: str) -> None:
    """About 400 lines of code at most per file (blank lines, comments and docstrings not counted)."""
    long = {}
    for path in (REPO / package).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        docstrings = {
            line
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
            for line in range(node.body[0].lineno, (node.body[0].end_lineno or node.body[0].lineno) + 1)
        }
        code = [
            i
            for i, line in enumerate(source.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#") and i not in docstrings
        ]
        if len(code) > 420:
            long[str(path.relative_to(REPO))] = len(code)
    assert long == {}


def test_collecting_the_tests_imports_no_training_library() -> None:
    """Every pytest-xdist worker of every phase of `make test` imports every test module to collect it
    (eight workers): torch and scikit-learn at a test module's top cost each of them ~6 s of CPU.
    Tests that train import them inside (bench/RESULTS.md, round 3, ninth session)."""
    modules = sorted(_module_name(p) for p in (REPO / "tests").rglob("test_*.py"))
    loaded = json.loads(
        _run(
            f"import importlib, json, sys\nfor n in {modules!r}: importlib.import_module(n)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'sklearn'})))"
        )
    )
    assert loaded == []
