"""What every page shares: templates, the signed-in user, CSRF checks, and errors as pages.

Pages are routes of a :class:`WebRouter`. Its route class turns expected failures into an
error page (or, for an HTMX request, a short message fragment), sends anonymous visitors to the
sign-in page, and checks the CSRF token of every form that changes something.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Coroutine
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from comity.access.viewer import Viewer
from comity.errors import (
    AuthenticationError,
    ComityError,
    FieldProblem,
    ValidationError,
)
from comity.model.links import is_linkable
from comity.services import accounts, sessions
from comity.store import Store

__all__ = [
    "SAFE_METHODS",
    "WEB_DIR",
    "SignInRequired",
    "WebRouter",
    "csrf_token",
    "page_not_found",
    "render",
    "safe_url",
    "store_of",
    "templates",
    "viewer_of_request",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WEB_DIR = Path(str(resources.files("comity.web")))
"""The web package's folder: ``templates`` and ``static``."""
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.globals["static_version"] = str(int(time.time()))


def safe_url(value: object) -> str:
    """A stored address fit for a link's ``href`` (http, https or mailto), else ''.

    Records stored before the model checked their addresses may hold ``javascript:`` and the
    like; a template shows those as text: ``{% if x|safe_url %}<a href="{{ x|safe_url }}">``.
    """
    return value.strip() if isinstance(value, str) and is_linkable(value) else ""


templates.env.filters["safe_url"] = safe_url


def words(value: object) -> str:
    """A stored code in words, capitalised: ``cultural_event`` -> Cultural event."""
    text = str(getattr(value, "value", value) or "")
    return text.replace("_", " ").capitalize()


templates.env.filters["words"] = words


class SignInRequired(Exception):  # noqa: N818 - a signal, not an error
    """Raised by pages that need a signed-in user; answered with the sign-in page."""


def store_of(request: Request) -> Store:
    """The store the app serves."""
    store: Store = request.app.state.store
    return store


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def viewer_of_request(request: Request) -> Viewer:
    """The signed-in user of a page: the cookie names a session the store holds as live.

    Checked once per request, against the store: a session ended (signed out, a new password,
    a disabled account) or expired signs the cookie out, wherever it was copied to.

    Raises:
        SignInRequired: When nobody is signed in, or the session is no longer live.
    """
    secret = request.session.get("sid")
    if not isinstance(secret, str):
        raise SignInRequired
    checked = getattr(request.state, "comity_viewer", None)
    if checked is not None and checked[0] == secret:
        known: Viewer = checked[1]
        return known
    try:
        user = sessions.session_user(store_of(request), secret)
    except AuthenticationError:
        request.session.clear()
        raise SignInRequired from None
    viewer = accounts.viewer_of(user)
    request.state.comity_viewer = (secret, viewer)
    return viewer


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page (or fragment) from a template, with the user, CSRF token and path at hand."""
    values: dict[str, Any] = {"csrf": csrf_token(request), "path": request.url.path}
    try:
        values["viewer"] = viewer_of_request(request)
    except SignInRequired:
        values["viewer"] = None
    values.update(context or {})
    return templates.TemplateResponse(request, template, values, status_code=status)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _error_page(request: Request, error: ComityError) -> Response:
    problems = error.problems if isinstance(error, ValidationError) else []
    context = {"error": error, "problems": problems, "title": "Something is not right"}
    if _is_htmx(request):
        return render(request, "fragments/error.html", context, status=200)
    return render(request, "error.html", context, status=error.status)


async def page_not_found(request: Request, status: int, detail: str) -> Response:
    """An HTTP error (404, 405...) of a page, as a page."""
    error = ComityError(detail if status != 404 else f"There is no page {request.url.path}.")
    error.status = status
    return _error_page(request, error)


class _WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await _answer(request)
            finally:
                await request.close()  # closes the files of a form read for its CSRF token

        async def _answer(request: Request) -> Response:
            try:
                if request.method not in SAFE_METHODS:
                    await _check_csrf(request)
                return await handler(request)
            except SignInRequired:
                if _is_htmx(request):
                    return Response(status_code=204, headers={"HX-Redirect": "/login"})
                query = f"?{request.url.query}" if request.url.query else ""
                target = quote(request.url.path + query)
                return RedirectResponse(f"/login?next={target}", status_code=303)
            except ComityError as error:
                return _error_page(request, error)
            except RequestValidationError as error:
                problems = [
                    FieldProblem(
                        ".".join(str(p) for p in e.get("loc", ())[1:]) or "form",
                        str(e.get("msg", "")),
                    )
                    for e in error.errors()
                ]
                return _error_page(request, ValidationError(problems, "request"))

        return page


async def _check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(str(expected), given):
        raise AuthenticationError(
            "This form has expired or did not come from comity.",
            hint="Reload the page and send the form again.",
        )


class WebRouter(APIRouter):
    """A router of pages: HTML answers, sign-in redirects, CSRF checks; kept out of OpenAPI."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("include_in_schema", False)
        kwargs.setdefault("default_response_class", HTMLResponse)
        super().__init__(route_class=_WebRoute, **kwargs)
