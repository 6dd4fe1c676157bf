"""One error shape for the whole API: ``application/problem+json`` (RFC 9457).

Every error answers ``{"type", "title", "status", "detail", "instance"}`` plus, where they apply,
``errors`` (one entry per field: ``field``, ``reason``, ``value``), ``hint`` (the next step) and,
for an unexpected failure, ``request_id`` (the server logs the traceback under it).
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from comity.errors import AuthenticationError, ComityError, UnknownNationError, ValidationError

__all__ = ["comity_error_response", "install_error_handlers", "json_answer", "problem"]

logger = logging.getLogger("comity.api")
PROBLEM = "application/problem+json"


def json_answer(data: Any) -> JSONResponse:
    """Answer JSON-ready data as is: large answers skip FastAPI's generic (slow) encoder."""
    return JSONResponse(data)


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    if hint:
        body["hint"] = hint
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def comity_error_response(request: Request, error: Exception) -> JSONResponse:
    """The problem+json answer of a comity error (its status, message, hint and problems)."""
    assert isinstance(error, ComityError)
    errors = None
    if isinstance(error, ValidationError):
        errors = [{"field": p.field, "reason": p.reason, "value": p.value} for p in error.problems]
    elif isinstance(error, UnknownNationError):
        errors = [{"field": "nation", "reason": "unknown nation", "value": error.value}]
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, AuthenticationError) else None
    return problem(
        request, error.status, error.message, errors=errors, hint=error.hint, headers=headers
    )


def _request_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = []
    for item in error.errors():
        location = [str(p) for p in item.get("loc", ()) if p != "body"]
        value = item.get("input")
        shown = None if isinstance(value, dict | list) else (None if value is None else str(value))
        errors.append(
            {"field": ".".join(location) or "body", "reason": item.get("msg", ""), "value": shown}
        )
    return problem(request, 422, "The request is not valid.", errors=errors)


def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers) if error.headers else None
    return problem(request, error.status_code, str(error.detail), headers=headers)


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    request_id = uuid.uuid4().hex[:12]
    logger.exception("unexpected failure %s on %s %s", request_id, request.method, request.url.path)
    return problem(
        request,
        500,
        "Something went wrong on the server.",
        request_id=request_id,
        hint="Report the request id to the administrators.",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to problem+json."""
    app.add_exception_handler(ComityError, comity_error_response)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
