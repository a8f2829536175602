"""Logging for every entry point: one format, library chatter quieted, secrets never written.

:class:`SecretFilter` masks the bot token wherever it appears (PTB's ``InvalidToken`` message,
httpx's request URLs at debug level), so a log file never holds a credential.
"""

from __future__ import annotations

import logging
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Bot API tokens: digits, a colon, 30+ token characters (also inside /bot<token>/ URLs).
TOKEN_RE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,}")
MASK = "<token>"
# Libraries that log every request or build at INFO/DEBUG.
QUIET = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "bm25s": logging.WARNING,
    "apscheduler": logging.WARNING,
}


def mask_secrets(text: str) -> str:
    return TOKEN_RE.sub(MASK, text)


class SecretFilter(logging.Filter):
    """Rewrites a record's message (with its arguments and traceback) so no bot token remains."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if TOKEN_RE.search(text):
                record.exc_text = mask_secrets(text)
        elif record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        return True


class _MaskingFormatter(logging.Formatter):
    """Masks what a filter can't reach: tracebacks formatted after filtering, stack info."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def configure_logging(level: int = logging.WARNING) -> None:
    """Log to stderr at ``level`` with secrets masked; called once by each entry point."""
    handler = logging.StreamHandler()
    handler.setFormatter(_MaskingFormatter(FORMAT))
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_memebot", False)]:
        root.removeHandler(old)
    handler._memebot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet_level in QUIET.items():
        logging.getLogger(name).setLevel(max(level, quiet_level))
