"""Bot API requests over aiohttp instead of PTB's default httpx.

Measured under load (bench/RESULTS.md, "The bot under load"), httpx's request path was the largest
cost of the event loop per answer: httpcore checks every pooled connection on each request (a
``getpeername`` system call per connection, through anyio's attribute lookup), and its pure-Python
HTTP/1.1 machinery came on top. aiohttp (already a dependency: the webhook server) keeps idle
connections without scanning them and parses HTTP in C. The behaviour PTB relies on is the same:
form-encoded parameters, multipart when files are sent, :class:`~telegram.error.TimedOut` and
:class:`~telegram.error.NetworkError` for the two kinds of failure.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` on one ``aiohttp.ClientSession`` (timeouts as HTTPXRequest's)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_read_timeout: float | None = 20.0,
    ):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        # aiohttp has no write timeout; an upload's answer comes after the upload, so the read
        # timeout of a request with files covers the writing (HTTPXRequest's media_write_timeout).
        self._media_read_timeout = media_read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(
        self,
        read_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
        files: bool,
    ) -> aiohttp.ClientTimeout:
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        if files and isinstance(read_timeout, DefaultValue) and read is not None:
            read = max(read, self._media_read_timeout or 0.0)
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp's ``connect`` covers waiting for a pooled connection and opening a new one.
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=read)

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
        """Multipart when files are sent; otherwise the parameters form-encoded here: handed a dict,
        aiohttp builds a multipart writer (a uuid4 boundary) for every request before choosing
        urlencoding (~1.5% of the bot's own CPU per answer in a py-spy profile)."""
        if request_data is None:
            return None
        fields = request_data.json_parameters
        files = request_data.multipart_data
        if not files:
            return urlencode(fields).encode()
        form = aiohttp.FormData(quote_fields=False)
        for name, value in fields.items():
            form.add_field(name, value)
        for name, (filename, content, mime_type) in files.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        del write_timeout  # see __init__
        body = self._body(request_data)
        timeout = self._timeout(
            read_timeout, connect_timeout, pool_timeout, isinstance(body, aiohttp.FormData)
        )
        try:
            headers = FORM_HEADERS if isinstance(body, bytes) else None
            async with self._session.request(
                method, url, data=body, timeout=timeout, headers=headers
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp.ServerTimeoutError is one too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
