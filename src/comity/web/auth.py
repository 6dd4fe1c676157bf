"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comity.access.ratelimit import RateLimiter
from comity.errors import AuthenticationError, TooManyRequestsError
from comity.services import accounts
from comity.web.routing import WebRouter, csrf_token, render, store_of

__all__ = ["router", "safe_next"]

router = WebRouter()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    """The sign-in form."""
    return render(request, "login.html", {"next": safe_next(next), "title": "Sign in"})


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
) -> Response:
    """Check the credentials; on success start a session and go where the user was headed."""
    limiter: RateLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    context = {"next": safe_next(next), "username": username, "title": "Sign in"}
    try:
        limiter.check(f"web-login:{client}:{username}")
        user = accounts.authenticate_password(store_of(request), username, password)
    except (AuthenticationError, TooManyRequestsError) as error:
        return render(request, "login.html", {**context, "message": error.message}, status=401)
    request.session.clear()
    request.session["uid"] = user.id
    csrf_token(request)  # a fresh token for the new session
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
