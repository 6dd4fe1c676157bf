"""Health, sign-in, the signed-in user, tokens, users and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from comity.access.viewer import Role, Viewer
from comity.api.schemas import MAX_ID, LoginIn, RecordId, TokenIn, UserIn, Username
from comity.api.security import current_viewer, requires
from comity.services import accounts
from comity.store import Store

router = APIRouter()


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get("/health", tags=["meta"], summary="Is the service up (no sign-in needed)")
def health(request: Request) -> dict[str, Any]:
    """Report whether the service and its store answer."""
    store = _store(request)
    store.check_ready()
    return {"ok": True, "store": "sqlite" if store.is_sqlite else "postgresql"}


@router.post("/auth/token", tags=["auth"], status_code=201, summary="Sign in: get an API token")
def sign_in(body: LoginIn, request: Request) -> dict[str, Any]:
    """Exchange a username and password for an API token (shown once).

    Attempts count against the account and the address, with the web's sign-ins (429 when
    either tried too often).
    """
    address = request.client.host if request.client else "unknown"
    store = _store(request)
    user = accounts.sign_in(
        store, request.app.state.login_limiter, body.username, body.password, address=address
    )
    issued = accounts.create_token(store, user, body.token_name, days=body.days)
    return {"token": issued.secret, **issued.record.public(), "user": user.public()}


@router.get("/auth/me", tags=["auth"], summary="The signed-in user")
def me(request: Request, viewer: Viewer = Depends(current_viewer)) -> dict[str, Any]:
    """Who the token belongs to."""
    return {"username": viewer.name, "nation": viewer.nation, "role": viewer.role.name.lower()}


@router.get("/tokens", tags=["auth"], summary="Your API tokens")
def tokens(request: Request, viewer: Viewer = Depends(current_viewer)) -> list[dict[str, Any]]:
    """Your tokens: their names and prefixes, never the secrets."""
    user = accounts.get_user(_store(request), user_id=viewer.user_id)
    return [t.public() for t in accounts.list_tokens(_store(request), user)]


@router.post("/tokens", tags=["auth"], status_code=201, summary="Create an API token")
def create_token(
    body: TokenIn,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """A new token for you, shown once."""
    user = accounts.get_user(_store(request), user_id=viewer.user_id)
    issued = accounts.create_token(_store(request), user, body.name, days=body.days)
    return {"token": issued.secret, **issued.record.public()}


@router.delete("/tokens/{token_id}", tags=["auth"], summary="Revoke an API token")
def revoke_token(
    token_id: RecordId,
    request: Request,
    viewer: Viewer = Depends(current_viewer),
) -> dict[str, Any]:
    """Revoke one of your tokens (an admin may revoke those of their nation's accounts)."""
    return accounts.revoke_token(_store(request), viewer, token_id).public()


@router.get("/users", tags=["admin"], summary="The accounts you manage")
def users(
    request: Request,
    viewer: Viewer = Depends(requires(Role.ADMIN)),
) -> list[dict[str, Any]]:
    """The accounts of your nation (admins); every account (the installation's operator)."""
    return [u.public() for u in accounts.list_users(_store(request), viewer)]


@router.post("/users", tags=["admin"], status_code=201, summary="Create an account")
def create_user(
    body: UserIn,
    request: Request,
    viewer: Viewer = Depends(requires(Role.ADMIN)),
) -> dict[str, Any]:
    """Create an account of your nation, up to your role (admins; any nation: the operator)."""
    user = accounts.create_user(
        _store(request),
        viewer,
        username=body.username,
        password=body.password,
        nation=body.nation,
        role=body.role,
        display_name=body.display_name,
        organisation=body.organisation,
    )
    return user.public()


@router.post("/users/{username}/disable", tags=["admin"], summary="Disable an account")
def disable_user(
    username: Username,
    request: Request,
    viewer: Viewer = Depends(requires(Role.ADMIN)),
) -> dict[str, Any]:
    """Disable an account: its sessions end, its tokens stop working (admins of its nation)."""
    return accounts.set_user_disabled(_store(request), viewer, username, True).public()


@router.post("/users/{username}/enable", tags=["admin"], summary="Enable an account")
def enable_user(
    username: Username,
    request: Request,
    viewer: Viewer = Depends(requires(Role.ADMIN)),
) -> dict[str, Any]:
    """Enable a disabled account (admins of its nation)."""
    return accounts.set_user_disabled(_store(request), viewer, username, False).public()


@router.get("/audit", tags=["admin"], summary="The audit log")
def audit(
    request: Request,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Entries after this id.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
    viewer: Viewer = Depends(requires(Role.ADMIN)),
) -> dict[str, Any]:
    """A page of the append-only audit log, oldest first (admins).

    Entries about records your nation may not see, and about other nations' accounts, are left
    out of the page and of ``total``.
    """
    items, total = accounts.audit_page(
        _store(request), viewer, after_id=after, limit=limit, entity=entity, entity_id=entity_id
    )
    next_after = items[-1]["id"] if len(items) == limit else None
    return {"items": items, "total": total, "next_after": next_after}


@router.get("/audit/verify", tags=["admin"], summary="Check the audit log's hash chain")
def verify(
    request: Request,
    viewer: Viewer = Depends(requires(Role.ADMIN)),
) -> dict[str, Any]:
    """Check every entry's hash and link, the whole chain (admins)."""
    report = accounts.verify_audit(_store(request), viewer)
    return {
        "ok": report.ok,
        "entries": report.entries,
        "first_broken": report.first_broken,
        "reason": report.reason,
    }
