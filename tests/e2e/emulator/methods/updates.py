"""Bot API methods about the bot itself and getting updates: getMe, getUpdates (long polling) and webhooks."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from ..errors import ApiError, bad
from ..models import Described
from ..request import int_param
from ..state import EmulatorState


def _is_loopback(host: str | None) -> bool:
    """Whether a webhook host names this machine."""
    return host in ("127.0.0.1", "localhost", "::1") or bool(host and host.startswith("127."))


class UpdateMethods(EmulatorState):
    """getMe, logOut, close, getUpdates, setWebhook, deleteWebhook, getWebhookInfo."""

    def _m_getMe(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, p: dict[str, Any], *_: Any) -> bool:
        return True

    def _m_close(self, p: dict[str, Any], *_: Any) -> bool:
        return True

    async def _m_getUpdates(self, p: dict[str, Any], *_: Any) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset = int_param(p, "offset", 0)
        limit = int_param(p, "limit", 100)
        if not 1 <= limit <= 100:
            limit = 100
        timeout = p.get("timeout", 0)
        try:
            timeout = float(timeout)
        except (TypeError, ValueError) as exc:
            raise bad("invalid timeout specified") from exc
        timeout = min(max(timeout, 0.0), self.max_poll_timeout)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad("can't parse allowed_updates JSON array")
            self._allowed_updates = list(allowed)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll is terminated by this one
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._wakeup
            batch = self._deliverable(limit)
            if batch or self._closing:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            if generation != self._poll_generation:
                raise ApiError(
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                    409,
                )
            if self._webhook is not None:
                raise ApiError("Conflict: terminated by setWebhook request", 409)

    def _m_setWebhook(self, p: dict[str, Any], *_: Any) -> Described:
        url = p.get("url", "")
        if not isinstance(url, str):
            raise bad("bad webhook: URL must be a string")
        if url == "":
            return self._m_deleteWebhook(p)
        parts = urlsplit(url)
        local = (
            self.allow_local_webhooks and parts.scheme in ("http", "https") and _is_loopback(parts.hostname)
        )
        if not local:
            if parts.scheme != "https":
                raise bad("bad webhook: An HTTPS URL must be provided for webhook")
            if not parts.hostname:
                raise bad("bad webhook: URL host is empty")
            if (parts.port or 443) not in (80, 88, 443, 8443):
                raise bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
            if _is_loopback(parts.hostname):
                raise bad(f"bad webhook: IP address {parts.hostname} is reserved")
        secret = p.get("secret_token")
        if secret is not None and secret != "":
            if not isinstance(secret, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise bad("secret token contains unallowed characters")
        max_connections = int_param(p, "max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = p.get("allowed_updates")
        if allowed is not None and (
            not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed)
        ):
            raise bad("can't parse allowed_updates JSON array")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret or None,
            "max_connections": max_connections,
            "ip_address": p.get("ip_address"),
            "allowed_updates": list(allowed) if allowed is not None else None,
            "has_custom_certificate": False,
        }
        self._notify()
        return Described(True, "Webhook was set")

    def _m_deleteWebhook(self, p: dict[str, Any], *_: Any) -> Described:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        was_set = self._webhook is not None
        self._webhook = None
        self._notify()
        return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _m_getWebhookInfo(self, p: dict[str, Any], *_: Any) -> dict[str, Any]:
        pending = len(self._updates)
        hook = self._webhook
        if hook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        info: dict[str, Any] = {
            "url": hook["url"],
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": hook["max_connections"],
        }
        if hook.get("ip_address"):
            info["ip_address"] = hook["ip_address"]
        if hook.get("allowed_updates") is not None:
            info["allowed_updates"] = hook["allowed_updates"]
        if hook.get("last_error_date"):
            info["last_error_date"] = hook["last_error_date"]
            info["last_error_message"] = hook["last_error_message"]
        return info
