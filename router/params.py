"""Pull a demo id and its parameters out of a free-text request such as «покажи дропаут, p=0.3».

The router knows nothing of the demo implementations: callers pass the demo specs (anything with
``id``, ``title_ru``, ``title_en``, ``note_slug`` and ``params`` whose items have ``name`` and
``aliases``). Values are returned as raw strings; the demo registry validates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[-+]?\d+)?"
NUMBER_RE = re.compile(rf"(?<![\w.]){NUMBER}(?![\w])", re.IGNORECASE)


@dataclass
class DemoRequest:
    """What a ``run_demo`` message asks for. ``demo_id`` is None when no demo could be identified."""

    demo_id: str | None
    params: dict[str, str] = field(default_factory=dict)


def _names(spec: Any) -> list[str]:
    names = [spec.id, spec.id.replace("-", " "), getattr(spec, "title_ru", ""), getattr(spec, "title_en", "")]
    return [n.lower() for n in names if n]


def find_demo_id(text: str, demos: Sequence[Any]) -> str | None:
    """A demo whose id or title is written in ``text`` (longest match wins: "spatial-dropout" over "dropout")."""
    low = text.lower().replace("ё", "е")
    best: tuple[int, str] | None = None
    for spec in demos:
        for name in _names(spec):
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", low) and (
                best is None or len(name) > best[0]
            ):
                best = (len(name), spec.id)
    return best[1] if best else None


def extract_params(text: str, params: Iterable[Any]) -> dict[str, str]:
    """``name=value``, ``name value``, ``name: value`` for any alias of a declared parameter.

    If the demo declares exactly one parameter and the text holds exactly one number not attached to
    a name, that number is taken for it («дропаут 0.3»).
    """
    low = text.lower().replace("ё", "е")
    found: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    params = list(params)
    for param in params:
        aliases = sorted({param.name, *getattr(param, "aliases", ())}, key=len, reverse=True)
        alt = "|".join(re.escape(a.lower()) for a in aliases)
        m = re.search(rf"(?<![\w])(?:{alt})(?![\w])\s*(?:=|:|равн\w*|of|is)?\s*(\S+)", low)
        if m:
            value = m.group(1).rstrip(",;)")
            found[param.name] = value
            spans.append(m.span(1))
    if len(params) == 1 and not found:
        loose = [m for m in NUMBER_RE.finditer(low) if not any(a <= m.start() < b for a, b in spans)]
        if len(loose) == 1:
            found[params[0].name] = loose[0].group(0)
    return found


def extract_demo_request(text: str, demos: Sequence[Any], fallback_demo_id: str | None = None) -> DemoRequest:
    """Identify the demo (by name in the text, else ``fallback_demo_id``, e.g. from retrieval) and its params."""
    demo_id = find_demo_id(text, demos) or fallback_demo_id
    spec = next((s for s in demos if s.id == demo_id), None)
    if spec is None:  # nothing named, or a note names a demo this build does not have
        return DemoRequest(None)
    return DemoRequest(demo_id, extract_params(text, spec.params))
