"""Exchange over HTTP: pull a partner's bundle from its API, or push one to it (httpx).

``pull`` asks the partner's ``GET /api/v1/exchange/bundle`` with a token of the account the
partner gave this installation (an analyst of this installation's nation there) and imports
the answer as a file is imported. ``push`` makes a bundle for the partner's nation and sends
it to the partner's ``POST /api/v1/exchange/bundle`` with a token of a planner of this
installation's nation there; the partner checks and imports it, and answers its report. Both
are the installation operator's tasks here. httpx is imported inside the functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comity.access.viewer import Viewer
from comity.errors import ComityError, FieldProblem, ValidationError
from comity.services.exchange import ExchangeReport, export_bundle, receive_bundle
from comity.services.exchange_keys import require_operator
from comity.store import Store

__all__ = ["BUNDLE_PATH", "bundle_endpoint", "pull_bundle", "push_bundle"]

BUNDLE_PATH = "/api/v1/exchange/bundle"
"""Where a comity server serves and receives bundles."""
_TIMEOUT = 120.0


def bundle_endpoint(url: str) -> str:
    """The bundle endpoint of a partner's server given by its base URL (or the endpoint itself).

    Raises:
        ValidationError: When the URL is not an http:// or https:// address.
    """
    cleaned = url.strip().rstrip("/")
    if not cleaned.lower().startswith(("http://", "https://")):
        raise ValidationError(
            [FieldProblem("url", "give the partner's address, starting with https://", url)],
            "exchange",
        )
    return cleaned if cleaned.endswith(BUNDLE_PATH) else cleaned + BUNDLE_PATH


def _failure(endpoint: str, response: Any) -> ComityError:
    detail, hint = response.text[:300], None
    try:
        problem = response.json()
        detail, hint = str(problem.get("detail") or detail), problem.get("hint")
    except ValueError:
        pass
    return ComityError(f"{endpoint} answered {response.status_code}: {detail}", hint=hint)


def pull_bundle(
    store: Store, viewer: Viewer, url: str, token: str, *, since: date | None = None
) -> ExchangeReport:
    """Fetch the partner's bundle for this installation's nation and import it.

    Raises:
        PermissionDeniedError: For anyone but the installation's operator.
        ComityError: When the partner cannot be reached or refuses.
        BundleRefusedError: When the bundle fails a check (nothing is written).
    """
    require_operator(viewer, "pull bundles from a partner")
    endpoint = bundle_endpoint(url)
    params = {"since": since.isoformat()} if since else None
    response = _call(
        endpoint,
        "GET",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
    )
    return receive_bundle(store, response.content, viewer, via="pull", source=endpoint)


def push_bundle(
    store: Store,
    viewer: Viewer,
    url: str,
    token: str,
    target: str,
    *,
    since: date | None = None,
) -> dict[str, Any]:
    """Make a bundle for ``target`` and send it to the partner's server, which imports it.

    Returns:
        The partner's report (added, updated, unchanged, linked, conflicts...).

    Raises:
        PermissionDeniedError: For anyone but the installation's operator.
        ComityError: When the partner cannot be reached or refuses the bundle.
    """
    require_operator(viewer, "push bundles to a partner")
    endpoint = bundle_endpoint(url)
    exported = export_bundle(store, viewer, target, since=since, via="push")
    response = _call(
        endpoint,
        "POST",
        content=exported.data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    answer: dict[str, Any] = response.json()
    return answer


def _call(endpoint: str, method: str, **request: Any) -> Any:
    """Send one request to a partner's bundle endpoint; its answer when it is a 200."""
    import httpx

    try:
        response = httpx.request(method, endpoint, timeout=_TIMEOUT, **request)
    except httpx.HTTPError as error:
        raise ComityError(
            f"Cannot reach {endpoint}: {error}", hint="Check the address and the network."
        ) from None
    if response.status_code != 200:
        raise _failure(endpoint, response)
    return response
