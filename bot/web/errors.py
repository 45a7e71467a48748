"""JSON errors that name the field at fault, and the one way a JSON body is read.

Bad input is always a clear 4xx: numbers no database column can hold, JSON nested too
deeply, text with characters that are not characters (lone surrogates). The middleware is
the safety net for whatever a handler did not check itself.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

LARGEST_ID = 2**63 - 1  # SQLite's INTEGER
MAX_JSON_DEPTH = 20  # no request Cradle takes is nested anywhere near this
JSON_PATHS = ("/api/", "/webhooks/")


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def response(self) -> web.Response:
        body = {"error": self.message}
        if self.field:
            body["field"] = self.field
        return web.json_response(body, status=self.status)


class _NumberTooLarge(ValueError):
    pass


def _bounded_int(text: str) -> int:
    value = int(text)
    if abs(value) > LARGEST_ID:
        raise _NumberTooLarge(text)
    return value


def _check(value: Any, depth: int = 0) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and strings holding lone surrogates."""
    stack = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if level > MAX_JSON_DEPTH:
            raise ApiError(400, f"the JSON is nested more than {MAX_JSON_DEPTH} deep", "body")
        if isinstance(item, dict):
            stack.extend((k, level + 1) for k in item)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
        elif isinstance(item, str) and any("\ud800" <= c <= "\udfff" for c in item):
            raise ApiError(400, "the JSON holds text that is not valid Unicode", "body")


def parse_json(raw: bytes | str) -> Any:
    """A JSON document, or ApiError 400 saying what is wrong with it."""
    try:
        data = json.loads(raw, parse_int=_bounded_int)
    except _NumberTooLarge:
        raise ApiError(
            400, f"a whole number in the body is larger than {LARGEST_ID}", "body"
        ) from None
    except RecursionError:
        raise ApiError(400, f"the JSON is nested more than {MAX_JSON_DEPTH} deep", "body") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise ApiError(400, "the request body is not valid JSON", "body") from None
    _check(data)
    return data


async def read_json(request: web.Request) -> dict:
    data = parse_json(await request.read())
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object", "body")
    return data


def id_in_path(request: web.Request, name: str = "id") -> int | None:
    """A whole number from the path that could be a row's id, else None."""
    raw = request.match_info.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if value <= LARGEST_ID else None


def _bad_input_message(exc: BaseException) -> str:
    if isinstance(exc, OverflowError):
        return "a number in the request is too large"
    if isinstance(exc, RecursionError):
        return "the request is nested too deeply"
    return "the request holds text that is not valid Unicode"


BAD_INPUT = (OverflowError, RecursionError, UnicodeEncodeError)


@web.middleware
async def api_errors(request: web.Request, handler):  # noqa: ANN001, ANN201
    """Under /api/ and /webhooks/, every error is JSON, including 404, 405 and 413 from aiohttp;
    elsewhere (the console) input no row could match is the plain 404."""
    if not request.path.startswith(JSON_PATHS):
        try:
            return await handler(request)
        except BAD_INPUT:
            from bot.web import auth  # the console's own 404 page

            try:
                auth.not_found(request)
            except KeyError:  # outside a console page: no session to draw the page with
                raise web.HTTPNotFound() from None
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        body = {
            "error": exc.text
            if exc.text and not exc.text.startswith(str(exc.status))
            else exc.reason
        }
        return web.json_response(body, status=exc.status, headers=_kept_headers(exc))
    except BAD_INPUT as exc:
        return web.json_response({"error": _bad_input_message(exc)}, status=400)


def _kept_headers(exc: web.HTTPException) -> dict[str, str]:
    return {k: v for k, v in exc.headers.items() if k in ("Allow", "WWW-Authenticate")}
