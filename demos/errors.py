"""Errors of the demos package: subclasses of :class:`common.errors.UserError`.

Each error names a text of :mod:`common.texts` (keys ``demo_*``) and its parameters; callers
render it with ``err.message(lang)``; ``str(err)`` is the English sentence (for logs).
Fields such as ``param``, ``reason`` or ``timeout_s`` are plain attributes, and
``UserError.__reduce__`` keeps them when an error crosses the worker process boundary.
"""

from __future__ import annotations

from typing import Any

from common.errors import UserError


def bilingual_number(value: float) -> dict[str, str]:
    """``1.5`` → ``{"ru": "1,5", "en": "1.5"}``: a number as a text field of both languages."""
    text = f"{float(value):g}"
    return {"ru": text.replace(".", ","), "en": text}


class DemoError(UserError):
    """Base class: a demo could not be listed, validated or run."""

    key = "demo_error"


class UnknownDemoError(DemoError):
    """No demo with that id."""

    key = "demo_no_such"

    def __init__(self, demo_id: str, known: list[str] | tuple[str, ...] = ()) -> None:
        self.demo_id = demo_id
        self.known = list(known)
        super().__init__(demo_id=demo_id, known=", ".join(self.known) or "—")


class DemoParamError(DemoError):
    """A parameter (or seed / language) is unknown, of the wrong type or out of range.

    ``DemoParamError(key, param=name, **fields)`` with a ``demo_param_*`` text key. The older form
    ``DemoParamError(name, message_ru, message_en)`` (ready sentences) is still accepted for callers
    outside this package that build their own message.
    """

    key = "demo_param"

    def __init__(self, key: str, *legacy: str, param: str = "", **params: Any) -> None:
        if legacy:  # DemoParamError(name, message_ru, message_en)
            if len(legacy) != 2:
                raise TypeError("DemoParamError(name, message_ru, message_en) takes two messages")
            self.param = key
            super().__init__("demo_message", text={"ru": legacy[0], "en": legacy[1]})
            return
        self.param = param
        super().__init__(key, param=param, **params)


class DemoLimitError(DemoError, ValueError):
    """A runner limit (timeout, pool size, memory) that would not limit anything: NaN, infinity, zero,
    a negative number or the wrong type. Also a ``ValueError``: it is a programming or configuration
    error, refused before any process starts."""

    def __init__(self, key: str, name: str, got: object, **params: Any) -> None:
        self.name = name
        super().__init__(key, name=name, got=repr(got), **params)


class DemoTimeoutError(DemoError):
    """The demo ran longer than the runner's timeout; the worker (and its children) were killed."""

    key = "demo_timeout"

    def __init__(self, demo_id: str, timeout_s: float) -> None:
        self.demo_id = demo_id
        self.timeout_s = timeout_s
        super().__init__(demo_id=demo_id, seconds=bilingual_number(timeout_s))


class DemoCrashedError(DemoError):
    """The demo failed: it raised, the worker process died, or it hit the memory limit.

    ``reason`` is ``"memory"``, ``"died"``, ``"exception"`` or ``"startup"``.
    """

    REASON_KEYS = {"memory": "demo_memory", "died": "demo_died", "startup": "demo_startup"}

    def __init__(
        self, demo_id: str, reason: str, detail: str = "", memory_mb: int | None = None, traceback: str = ""
    ) -> None:
        self.demo_id = demo_id
        self.reason = reason
        self.detail = detail
        self.memory_mb = memory_mb
        self.traceback = traceback  # the worker-side traceback when reason == "exception"
        key = self.REASON_KEYS.get(reason, "demo_failed")
        if reason == "memory" and not memory_mb:
            key = "demo_memory_unknown"
        super().__init__(key, demo_id=demo_id, detail=detail, mb=memory_mb or 0)


__all__ = [
    "DemoCrashedError",
    "DemoError",
    "DemoLimitError",
    "DemoParamError",
    "DemoTimeoutError",
    "UnknownDemoError",
    "bilingual_number",
]
