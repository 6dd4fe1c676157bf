"""Partner exchange over HTTP: a partner installation pulls its bundle, or pushes one.

``GET /exchange/bundle`` answers a signed bundle of what the caller's nation may read here, to an
analyst (or above) of a nation this installation trusts as a partner: the account the partner's
installation was given here. ``POST /exchange/bundle`` takes a partner's signed bundle (the body,
as ``comity exchange export`` writes it) from a planner (or above) of the bundle's nation, checks
it as ``comity exchange import`` does, and answers what was imported. Both are in the audit log
with the bundle's digest, refusals included (docs/exchange.md).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from comity.access.viewer import Role, Viewer
from comity.api.errors import PROBLEM, json_answer
from comity.api.security import requires
from comity.services import exchange
from comity.store import Store

router = APIRouter(tags=["exchange"])

_BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "description": 'A signed bundle (docs/exchange.md, "The format").',
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get(
    "/exchange/bundle",
    summary="A signed bundle of what your nation may read here (a partner's pull)",
    responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}}},
        409: {
            "description": "This installation has no exchange key yet.",
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
    response_class=Response,
)
def pull_bundle(
    request: Request,
    since: Annotated[
        date | None, Query(description="Only records changed on or after this day.")
    ] = None,
    viewer: Viewer = Depends(requires(Role.ANALYST)),
) -> Response:
    """The bundle for the caller's nation, signed with this installation's key.

    The caller's nation must be that of a trusted partner (403 otherwise). Each pull takes the
    next sequence number, so the partner imports bundles in order and refuses replays.
    """
    bundle = exchange.export_bundle(
        _store(request),
        viewer,
        viewer.nation or "",
        since=since,
        partner_only=True,
        via="pull",
    )
    return Response(
        bundle.data,
        media_type="application/json",
        headers={"X-Comity-Bundle-Digest": bundle.digest},
    )


@router.post(
    "/exchange/bundle",
    summary="Import a partner's signed bundle (a partner's push)",
    openapi_extra=_BUNDLE_BODY,
)
async def push_bundle(
    request: Request,
    viewer: Viewer = Depends(requires(Role.PLANNER)),
) -> JSONResponse:
    """Verify the bundle and import it, all of it or nothing; what was added, updated, linked.

    A planner (or above) of the bundle's nation, or the installation's operator, may push. A
    bundle tampered with, signed with a key not trusted here, addressed to another nation or
    not newer than the last from that partner is refused (422) and nothing is written.
    """
    body = await request.body()
    report = await run_in_threadpool(
        exchange.receive_bundle, _store(request), body, viewer, via="push", source=None
    )
    return json_answer(report.to_dict())
