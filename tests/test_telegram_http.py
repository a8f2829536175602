"""The Bot API request body: the form Telegram reads, encoded without aiohttp's multipart detour."""

from __future__ import annotations

from urllib.parse import parse_qs

import aiohttp
from telegram import InputFile
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.http import AiohttpRequest


def _request(**values: object) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in values.items()])


def test_parameters_without_files_are_the_urlencoded_form_aiohttp_would_send() -> None:
    data = _request(chat_id=42, text="Дропаут & co: p = 0.3?", reply_markup={"inline_keyboard": []})
    body = AiohttpRequest._body(data)
    assert isinstance(body, bytes)
    assert body == bytes(aiohttp.FormData(data.json_parameters)()._value)
    assert parse_qs(body.decode()) == {
        "chat_id": ["42"],
        "text": ["Дропаут & co: p = 0.3?"],
        "reply_markup": ['{"inline_keyboard": []}'],
    }


def test_a_file_makes_the_body_multipart() -> None:
    data = _request(chat_id=42, photo=InputFile(b"\x89PNG...", filename="plot.png"))
    body = AiohttpRequest._body(data)
    assert isinstance(body, aiohttp.FormData)
    assert body.is_multipart
    assert AiohttpRequest._body(None) is None
