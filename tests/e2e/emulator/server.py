"""The HTTP side: the aiohttp server, dispatch to the Bot API methods, failure injection and the call record."""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import re
import time
from collections.abc import Callable
from typing import Any, Self

import aiohttp
from aiohttp import web

from .constants import MAX_UPLOAD_BYTES, TOKEN_RE
from .errors import ApiError
from .models import Call, Described, Download, Failure
from .request import normalize, read_request
from .state import EmulatorState

_METHOD_NAMES: dict[type, dict[str, str]] = {}


def _method_names(cls: type) -> dict[str, str]:
    """Every Bot API method a class implements (its ``_m_<method>`` handlers), by lower-case name."""
    names = _METHOD_NAMES.get(cls)
    if names is None:
        names = _METHOD_NAMES[cls] = {
            name[3:].lower(): name[3:] for name in dir(cls) if name.startswith("_m_")
        }
    return names


class Server(EmulatorState):
    """Serves the Bot API and file downloads over HTTP, records every call, fails calls on request."""

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        if self.control_api:
            from .control import Control

            Control(self).add_routes(app.router)  # type: ignore[arg-type]  (self is the composed emulator)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._closing = False
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="BotApiEmulator:webhook")
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except asyncio.CancelledError:
                pass
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- recording -------------------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, all or of one method (case-insensitive)."""
        if method is None:
            return list(self._calls)
        wanted = self._canonical(method)
        return [call for call in self._calls if call.method == wanted]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (matching ``predicate``) were answered; return them all."""
        wanted = self._canonical(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._call_event
            matched = [c for c in self._calls if c.method == wanted and (predicate is None or predicate(c))]
            if len(matched) >= count:
                return matched
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = ", ".join(f"{c.method}({'ok' if c.ok else c.description})" for c in self._calls[-20:])
                raise TimeoutError(
                    f"expected {count} {wanted} call(s) within {timeout}s, got {len(matched)}; last calls: {seen}"
                )
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def clear(self) -> None:
        """Forget recorded calls, webhook deliveries, downloads and retry violations (chats and files stay)."""
        self._calls.clear()
        self.webhook_deliveries.clear()
        self.downloads.clear()
        self.retry_violations.clear()

    # -- failure injection -----------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int | None = None,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail, e.g. ``fail_next("sendMessage", 429, retry_after=2)``.

        With ``retry_after`` (and ``enforce_retry_after``) calls of that method arriving before the delay has
        passed are refused again with 429 and recorded in :attr:`retry_violations`, as Telegram's flood control
        would.
        """
        code = error_code if error_code is not None else (429 if retry_after is not None else 400)
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = int(retry_after)
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            description = {
                400: "Bad Request: injected failure",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                429: f"Too Many Requests: retry after {retry_after if retry_after is not None else 1}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(code, "Injected failure")
        self._failures.append(Failure(self._canonical(method), code, description, parameters or None, times))

    # -- HTTP entry points -----------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._serve_file(request, path[len("/file/bot") :])
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", path)
        if match is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = match.groups()
        arrival = time.monotonic()
        method = self._canonical(method)
        raw: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        names: dict[str, str | None] = {}
        types: dict[str, str | None] = {}
        violation = False
        try:
            if token != self.token:
                raise ApiError("Unauthorized", 401) if TOKEN_RE.match(token) else ApiError("Not Found", 404)
            raw, files, names, types = await read_request(request)
            params = normalize(raw)
        except ApiError as exc:
            params = raw
            status, payload = exc.code, exc.payload()
        else:
            status, payload, violation = await self._answer(method, params, files, names, types, arrival)
        call = Call(method, params, files, arrival, payload, status, names, types)
        call.client_gone = request.transport is None or request.transport.is_closing()
        self._record(call, violation=violation)
        return self._json(status, payload)

    async def _answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, bytes],
        names: dict[str, str | None],
        types: dict[str, str | None],
        arrival: float,
    ) -> tuple[int, dict[str, Any], bool]:
        try:
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(f"Not Found: method {method} is not implemented by the emulator", 404)
            self._check_failures(method, arrival)
            result = handler(params, files, names, types)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.code, exc.payload(), exc.violation
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}, False
        return 200, {"ok": True, "result": result}, False

    def _check_failures(self, method: str, arrival: float) -> None:
        until = self._cooldowns.get(method)
        if self.enforce_retry_after and until is not None and arrival < until:
            wait = max(1, int(until - arrival + 0.999))
            error = ApiError(f"Too Many Requests: retry after {wait}", 429, {"retry_after": wait})
            error.violation = True
            raise error
        for failure in self._failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                if failure.times == 0:
                    self._failures.remove(failure)
                retry_after = (failure.parameters or {}).get("retry_after")
                if retry_after:
                    self._cooldowns[method] = arrival + retry_after
                raise ApiError(failure.description, failure.code, copy.deepcopy(failure.parameters))

    def _record(self, call: Call, *, violation: bool = False) -> None:
        self._calls.append(call)
        if violation:
            self.retry_violations.append(call)
        event, self._call_event = self._call_event, asyncio.Event()
        event.set()

    @staticmethod
    def _json(status: int, payload: dict[str, Any]) -> web.Response:
        return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def _canonical(self, method: str) -> str:
        """The Bot API spelling of a method name (the Bot API ignores case), or the name as given."""
        return _method_names(type(self)).get(method.lower(), method)

    async def _serve_file(self, request: web.Request, tail: str) -> web.StreamResponse:
        now = time.monotonic()
        token, _, file_path = tail.partition("/")
        if token != self.token:
            self.downloads.append(Download(file_path, 401, now))
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        file_id = self._paths.get(file_path)
        if file_id is None or request.method not in ("GET", "HEAD"):
            self.downloads.append(Download(file_path, 404, now))
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        stored = self._files[file_id]
        self.downloads.append(Download(file_path, 200, now))
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
