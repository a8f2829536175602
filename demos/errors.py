"""Exceptions raised by the demos package.

Every error carries a Russian and an English message; callers pick one with
``err.message(lang)``.  ``str(err)`` is the English message (for logs).
The classes pickle cleanly, so the worker process can send them to the parent.
"""

from __future__ import annotations

from typing import Any


def _rebuild(cls: type[DemoError], state: dict[str, Any]) -> DemoError:
    obj = cls.__new__(cls)
    Exception.__init__(obj, state.get("message_en", ""))
    obj.__dict__.update(state)
    return obj


class DemoError(Exception):
    """Base class: a demo could not be listed, validated or run."""

    def __init__(self, message_ru: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ru = message_ru
        self.message_en = message_en

    def message(self, lang: str = "ru") -> str:
        """The message in the user's language (``ru`` or anything else → English)."""
        return self.message_ru if str(lang).lower().startswith("ru") else self.message_en

    def __reduce__(self):  # keep subclass fields when pickled across processes
        return (_rebuild, (self.__class__, dict(self.__dict__)))


class UnknownDemoError(DemoError):
    """No demo with that id."""

    def __init__(self, demo_id: str, known: list[str] | tuple[str, ...] = ()) -> None:
        self.demo_id = demo_id
        self.known = list(known)
        avail = ", ".join(self.known)
        super().__init__(
            f"Нет демо «{demo_id}». Доступные: {avail}" if avail else f"Нет демо «{demo_id}»",
            f"No demo '{demo_id}'. Available: {avail}" if avail else f"No demo '{demo_id}'",
        )


class DemoParamError(DemoError):
    """A parameter (or seed / language) is unknown, of the wrong type or out of range."""

    def __init__(self, param: str, message_ru: str, message_en: str) -> None:
        self.param = param
        super().__init__(message_ru, message_en)


class DemoTimeoutError(DemoError):
    """The demo ran longer than the runner's timeout; the worker was killed."""

    def __init__(self, demo_id: str, timeout_s: float) -> None:
        self.demo_id = demo_id
        self.timeout_s = timeout_s
        t = f"{timeout_s:g}"
        super().__init__(
            f"Демо {demo_id} не уложилось в {t.replace('.', ',')} с и было остановлено.",
            f"Demo {demo_id} did not finish within {t} s and was stopped.",
        )


class DemoCrashedError(DemoError):
    """The demo failed: it raised, the worker process died, or it hit the memory limit.

    ``reason`` is ``"memory"``, ``"died"``, ``"exception"`` or ``"startup"``.
    """

    def __init__(
        self, demo_id: str, reason: str, detail: str = "", memory_mb: int | None = None, traceback: str = ""
    ) -> None:
        self.demo_id = demo_id
        self.reason = reason
        self.detail = detail
        self.memory_mb = memory_mb
        self.traceback = traceback  # the worker-side traceback when reason == "exception"
        if reason == "memory":
            lim_ru = f" ({memory_mb} МБ)" if memory_mb else ""
            lim_en = f" ({memory_mb} MB)" if memory_mb else ""
            ru = f"Демо {demo_id} превысило лимит памяти{lim_ru} и было остановлено."
            en = f"Demo {demo_id} exceeded the memory limit{lim_en} and was stopped."
        elif reason == "died":
            ru = f"Процесс, выполнявший демо {demo_id}, неожиданно завершился ({detail})."
            en = f"The worker process running demo {demo_id} died unexpectedly ({detail})."
        elif reason == "startup":
            ru = f"Не удалось запустить процесс для демо ({detail})."
            en = f"Could not start the demo worker process ({detail})."
        else:
            ru = f"Демо {demo_id} завершилось с ошибкой: {detail}"
            en = f"Demo {demo_id} failed: {detail}"
        super().__init__(ru, en)


__all__ = [
    "DemoCrashedError",
    "DemoError",
    "DemoParamError",
    "DemoTimeoutError",
    "UnknownDemoError",
]
