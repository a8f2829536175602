"""The one user-facing error type.

Library code raises a :class:`UserError` subclass naming a text of :mod:`common.texts` and its
parameters; only the surfaces (the CLI, the Telegram bot) turn it into a sentence with
``error.message(lang)``. ``str(error)`` is the English sentence, for logs.

Errors cross process boundaries (the demo worker) by pickling: subclasses keep their fields.
"""

from __future__ import annotations

from typing import Any

from common.i18n import Lang, as_lang, t


def _rebuild(cls: type[UserError], state: dict[str, Any]) -> UserError:
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    Exception.__init__(obj, obj.message("en"))
    return obj


class UserError(Exception):
    """Something the user asked for can't be done; :meth:`message` says what and how to fix it.

    Subclasses set :attr:`key` (a text key) and pass the text's parameters::

        class NoSuchDemo(UserError):
            key = "demo_unknown_id"

        raise NoSuchDemo(demo_id="foo", known="dropout, adversarial")
    """

    key: str = "error"
    #: process exit status when the CLI reports this error
    exit_code: int = 2

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        if key is not None:
            self.key = key
        self.params: dict[str, Any] = params
        super().__init__(self.message("en"))

    def message(self, lang: Lang | str) -> str:
        """The sentence for the user in ``lang``."""
        return t(self.key, as_lang(lang), **self.params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.__class__, dict(self.__dict__)))
