"""Container health check: in webhook mode GET /healthz must answer 200; in polling mode the
index must be loadable (there is no HTTP server to ask)."""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    if os.environ.get("MEMEBOT_WEBHOOK_URL"):
        port = os.environ.get("MEMEBOT_WEBHOOK_PORT", "8443")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as response:
                return 0 if response.status == 200 else 1
        except OSError:
            return 1
    from bot.config import load_settings
    from indexer.build import IndexMissingError, current_version_dir

    try:
        current_version_dir(load_settings().index_dir)
    except IndexMissingError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
