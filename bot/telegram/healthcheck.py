"""Container health check: in webhook mode GET /healthz must answer 200; in polling mode the
index must be loadable (there is no HTTP server to ask)."""

from __future__ import annotations

import sys
import urllib.request

from bot.config import ConfigError, load_settings
from indexer.build import IndexMissingError, current_version_dir


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError:
        return 1
    if settings.webhook_url:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{settings.webhook_port}/healthz", timeout=4
            ) as response:
                return 0 if response.status == 200 else 1
        except OSError:
            return 1
    try:
        current_version_dir(settings.index_dir)
    except IndexMissingError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
