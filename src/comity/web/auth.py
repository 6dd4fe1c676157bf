"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comity.access.ratelimit import RateLimiter
from comity.errors import AuthenticationError, TooManyRequestsError
from comity.services import accounts, sessions
from comity.web.routing import WebRouter, csrf_token, render, store_of

__all__ = ["router", "safe_next"]

router = WebRouter()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002 - the query parameter is named next
    """The sign-in form."""
    return render(request, "login.html", {"next": safe_next(next), "title": "Sign in"})


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002 - the form field is named next
) -> Response:
    """Check the credentials; on success start a session and go where the user was headed.

    Attempts count against the account and the address, with the API's sign-ins (429 when
    either tried too often).
    """
    limiter: RateLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    context = {"next": safe_next(next), "username": username, "title": "Sign in"}
    store = store_of(request)
    try:
        user = accounts.sign_in(store, limiter, username, password, address=address)
    except TooManyRequestsError as error:
        message = f"{error.message} {error.hint}" if error.hint else error.message
        return render(request, "login.html", {**context, "message": message}, status=429)
    except AuthenticationError as error:
        return render(request, "login.html", {**context, "message": error.message}, status=401)
    _end_current(request)
    request.session.clear()
    request.session["sid"] = sessions.start_session(store, user)
    csrf_token(request)  # a fresh token for the new session
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session: in the store, so that a copy of the cookie is signed out too."""
    _end_current(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _end_current(request: Request) -> None:
    secret = request.session.get("sid")
    if isinstance(secret, str):
        sessions.end_session(store_of(request), secret)
