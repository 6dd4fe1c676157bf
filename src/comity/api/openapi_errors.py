"""The OpenAPI document says what the API really answers: its errors and its file formats.

FastAPI lists only the success and a 422 in ``application/json``; every error comity answers is
``application/problem+json`` (:mod:`comity.api.errors`), and the exports answer files. This
adds, to each operation, the errors it may answer and, to the exports, their media types.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from comity.api.errors import PROBLEM

__all__ = ["document_errors"]

_PUBLIC = ("/health", "/openapi.json", "/auth/token")
_PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "An error (RFC 9457): what went wrong, and a hint where there is one.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "hint": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail"],
}
_WHY = {
    "400": "The body could not be read (not JSON, or not the form it should be).",
    "401": "No valid token (or session).",
    "403": "The caller's role, nation or ownership does not allow it.",
    "404": "No such record, nation or year that the caller may see.",
    "409": "It conflicts with what is stored (a duplicate, a state, a limit).",
    "412": "The If-Match version is stale or missing.",
    "413": "The body is larger than the limit.",
    "422": "A field is invalid; `errors` names each.",
    "429": "Too many requests: try again after Retry-After.",
    "503": "The store is unavailable or busy.",
}
_FILES = {
    "/exports/dyad-years": ("text/csv", "application/vnd.apache.parquet"),
    "/exports/network": (
        "application/graphml+xml",
        "application/gexf+xml",
        "text/csv",
        "application/vnd.apache.parquet",
    ),
}


def _errors(path: str, method: str) -> list[str]:
    codes = ["422", "503"]
    if not path.endswith(_PUBLIC):
        # 404: a record, a nation or a year the caller names may not exist (for them).
        codes += ["401", "403", "404", "429"]
    elif path.endswith("/auth/token"):
        codes += ["401", "409", "429"]
    if method in ("post", "put", "patch", "delete"):
        codes += ["400", "409", "413"]
        if "{" in path:
            codes.append("412")  # a change to a stored record checks its If-Match version
    return sorted(set(codes))


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list each operation's errors and the exports' files."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = _PROBLEM_SCHEMA
        problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, item in document["paths"].items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for code in _errors(path, method):
                    responses[code] = {"description": _WHY[code], "content": problem}
                for suffix, types in _FILES.items():
                    if path.endswith(suffix) and "200" in responses:
                        responses["200"]["content"] = {t: {} for t in types}
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
