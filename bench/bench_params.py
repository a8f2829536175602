"""Demo requests in free text: is the demo AND every parameter read right? Scored on
router/data/demo_requests.jsonl against stand-ins of the 15 demos (tests/param_specs.py), with the
knowledge notes' titles and aliases as extra demo names (as the answer pipeline passes them).

    python bench/bench_params.py                       # the current parser
    python bench/bench_params.py --baseline c21a8bb    # also the parser of that commit, side by side
    python bench/bench_params.py --retrieval             # as if retrieval found the right demo
    python bench/bench_params.py --registry              # the real registry's specs (its demos' requests only)
    python bench/bench_params.py --data router/data/demo_requests_heldout.jsonl --show-errors

An item is right when the demo is right and either every expected parameter is read (numbers within
1e-9, text compared word by word, nothing extra) or, for ``"error": "<param>"`` items, the value
is refused for that parameter — by the parser (a problem) or by range validation.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO / "router" / "data" / "demo_requests.jsonl"


def load_parser(rev: str | None) -> Any:
    """``router.params`` now, or the file as it was at git revision ``rev`` (a single-module parser)."""
    if rev is None:
        import router.params

        return router.params
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:router/params.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "params_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("params_baseline", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def coerce(param: Any, raw: Any) -> Any:
    """Range-check one value like the demo registry (``"0,3"``, ``"30%"`` accepted); raise ValueError."""
    if param.kind == "text":
        words = re.findall(r"[^\W_]+(?:['’][^\W_]+)*", str(raw).lower().replace("ё", "е"))
        if not param.min <= len(words) <= param.max:
            raise ValueError(param.name)
        return " ".join(words)
    if param.kind == "choice":
        if str(raw).strip().lower() not in param.choices:
            raise ValueError(param.name)
        return str(raw).strip().lower()
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".") if raw.count(",") == 1 else raw.strip()
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    else:
        value = float(raw)
    if not math.isfinite(value) or not param.min <= value <= param.max:
        raise ValueError(param.name)
    if param.kind == "int" and not value.is_integer():
        raise ValueError(param.name)
    return value


def judge(
    item: dict[str, Any], demos: list[Any], demo_id: str | None, params: dict[str, Any], problems: list[Any]
) -> bool:
    if demo_id is None or demo_id != item["demo"]:
        return False
    spec = {p.name: p for p in next(d for d in demos if d.id == demo_id).params}
    refused: set[str] = {str(getattr(p, "param", "?")) for p in problems}
    values: dict[str, Any] = {}
    for name, raw in params.items():
        if name not in spec:
            return False
        try:
            values[name] = coerce(spec[name], raw)
        except (ValueError, TypeError):
            refused.add(name)
    if "error" in item:
        return item["error"] in refused
    if refused or set(values) != set(item["params"]):
        return False
    for name, want in item["params"].items():
        got = values[name]
        if spec[name].kind == "text":
            want = coerce(spec[name], want)
        if isinstance(got, float) and not math.isclose(got, float(want), rel_tol=1e-9, abs_tol=1e-12):
            return False
        if not isinstance(got, float) and got != want:
            return False
    return True


def score(
    parser: Any,
    items: list[dict[str, Any]],
    names: dict[str, list[str]],
    show: bool,
    retrieval: bool,
    demos: list[Any] | None = None,
) -> dict[str, Any]:
    """Per language: [right, demo right, total]. ``demos``: the specs (default: the stand-ins of the 15)."""
    from tests.param_specs import DEMOS

    demos = list(DEMOS) if demos is None else demos
    stats: dict[str, list[int]] = {"ru": [0, 0, 0], "en": [0, 0, 0]}  # right, demo right, total
    for item in items:
        lang = "ru" if re.search("[а-яё]", item["q"], re.IGNORECASE) else "en"
        kwargs: dict[str, Any] = {
            "fallback_demo_id": item.get("fallback") or (item["demo"] if retrieval else None)
        }
        if "names" in parser.extract_demo_request.__code__.co_varnames:
            kwargs["names"] = names
        req = parser.extract_demo_request(item["q"], demos, **kwargs)
        ok = judge(item, demos, req.demo_id, dict(req.params), list(getattr(req, "problems", [])))
        stats[lang][0] += ok
        stats[lang][1] += req.demo_id == item["demo"]
        stats[lang][2] += 1
        if show and not ok:
            problems = [p.message("en") for p in getattr(req, "problems", [])]
            want = item.get("params", {"error": item.get("error")})
            print(f"  ✗ {item['q']!r}: want {item['demo']} {want}, got {req.demo_id} {req.params} {problems}")
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--baseline", help="git revision whose router/params.py to score too")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument(
        "--retrieval",
        action="store_true",
        help="pass the right demo as the fallback (as if retrieval found it): scores reading the parameters",
    )
    parser.add_argument(
        "--registry", action="store_true", help="the real demo registry's specs instead of the stand-ins"
    )
    args = parser.parse_args()

    from indexer.notes import load_notes
    from router.params import note_names

    names = note_names(load_notes(REPO / "knowledge"))
    items = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    demos: list[Any] | None = None
    if args.registry:
        from demos.registry import list_demos

        demos = list_demos()
        known = {d.id for d in demos}
        items = [i for i in items if i["demo"] in known and i.get("fallback", i["demo"]) in known]
    runs = [("now", None)] + ([(f"at {args.baseline}", args.baseline)] if args.baseline else [])
    errors = sum("error" in i for i in items)
    mode = "the right demo passed as fallback" if args.retrieval else "no retrieval fallback"
    mode += ", the registry's specs" if args.registry else ", stand-in specs"
    print(f"{args.data}: {len(items)} requests, {errors} with impossible values; {mode}")
    print(f"{'parser':<16}{'lang':<6}{'n':>5}{'demo right':>12}{'demo+params right':>20}")
    for label, rev in runs:
        stats = score(load_parser(rev), items, names, args.show_errors, args.retrieval, demos)
        right, demo, total = (sum(s[k] for s in stats.values()) for k in range(3))
        for lang, (r, d, n) in [*stats.items(), ("all", (right, demo, total))]:
            print(f"{label:<16}{lang:<6}{n:>5}{d / n:>12.1%}{r / n:>20.1%}")


if __name__ == "__main__":
    main()
