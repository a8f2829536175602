"""A Bot API request's parameters read the way Telegram reads them.

Query string, JSON body, ``application/x-www-form-urlencoded`` or ``multipart/form-data`` (uploaded parts kept
apart with their file names and content types); then JSON-encoded objects, integers and booleans decoded.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
from aiohttp import web

from .constants import BOOL_FIELDS, INT_FIELDS, JSON_FIELDS
from .errors import ApiError, bad


async def read_request(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str | None], dict[str, str | None]]:
    """(raw parameters, uploaded bytes, their file names, their content types) by multipart part name."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    names: dict[str, str | None] = {}
    types: dict[str, str | None] = {}
    if not request.can_read_body:
        return raw, files, names, types
    try:
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                try:
                    data = json.loads(body)
                except ValueError as exc:
                    raise bad("can't parse JSON encoded request body") from exc
                if not isinstance(data, dict):
                    raise bad("JSON object expected as the request body")
                raw.update(data)
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data_bytes = bytes(await part.read(decode=False))
                    files[part.name] = data_bytes
                    names[part.name] = part.filename
                    types[part.name] = part.headers.get("Content-Type")
                else:
                    raw[part.name] = await part.text()
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                    names[key] = value.filename
                    types[key] = value.content_type
                else:
                    raw[key] = value
    except web.HTTPRequestEntityTooLarge as exc:
        raise ApiError("Request Entity Too Large", 413) from exc
    return raw, files, names, types


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Form fields decoded: JSON-encoded objects and arrays parsed, integer and boolean fields converted."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise bad(JSON_FIELDS[key]) from exc
        elif key in INT_FIELDS and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value.strip())
        elif key in BOOL_FIELDS and isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            value = value.lower() in ("true", "1")
        params[key] = value
    return params


def int_param(p: dict[str, Any], key: str, default: int) -> int:
    """An integer parameter, ``default`` when absent; a non-integer is refused as Telegram refuses it."""
    value = p.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise bad(f"invalid {key} specified")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    raise bad(f"invalid {key} specified")
