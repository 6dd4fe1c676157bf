"""The exchange page: this installation's key, its partners, and a preview of a partner's bundle.

``/exchange`` is for administrators (the role admin and above): the installation's name, nation
and public key, every trusted partner with its last import and export, and, for the nation or
organisation chosen in ``?for=``, what a bundle for it would hold, counted by kind and by
label. An admin of a nation counts only what their nation may read too; the installation's
operator the whole bundle. Keys, trust and bundles themselves are made on the command line or
through the API (docs/exchange.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from comity.access.viewer import Viewer
from comity.services import exchange, exchange_keys
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["router"]

router = WebRouter()


@router.get("/exchange")
def exchange_page(
    request: Request,
    recipient: Annotated[str, Query(alias="for", max_length=40)] = "",
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Keys, partners, last exchanges, and the preview of a bundle for ``?for=``."""
    store = store_of(request)
    partners = exchange_keys.list_partners(store, viewer)
    identity = exchange_keys.get_identity(store)
    chosen = recipient.strip()
    preview = exchange.preview_bundle(store, viewer, chosen) if chosen else None
    context = {
        "title": "Exchange with partners",
        "identity": identity,
        "partners": partners,
        "partner_nations": sorted({p.nation for p in partners}),
        "chosen": chosen,
        "preview": preview,
    }
    return render(request, "exchange/page.html", context)
