"""The Bot API methods by area, as mixins over :class:`..state.EmulatorState`; a method ``x`` is ``_m_x``."""

from __future__ import annotations

from .commands import CommandMethods
from .files import FileMethods
from .interactive import InteractiveMethods
from .media import MediaMethods
from .messages import MessageMethods
from .updates import UpdateMethods

__all__ = [
    "CommandMethods",
    "FileMethods",
    "InteractiveMethods",
    "MediaMethods",
    "MessageMethods",
    "UpdateMethods",
]
