"""JSON errors that name the field at fault."""

from __future__ import annotations

import json

from aiohttp import web


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


@web.middleware
async def api_errors(request: web.Request, handler):  # noqa: ANN001, ANN201
    """Under /api/, every error is JSON, including 404 and 405 from routing."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)


async def read_json(request: web.Request) -> dict:
    try:
        data = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "the request body is not valid JSON", "body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object", "body")
    return data
