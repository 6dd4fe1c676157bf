"""``comity serve``: the API and the web app over HTTP."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from comity.cli.output import stdout
from comity.cli.state import state_of

__all__ = ["serve"]


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Mark the session cookie Secure, so browsers send it over HTTPS only: set it "
            "behind a TLS proxy (or COMITY_SECURE_COOKIES=1).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            metavar="ADDRS",
            help="Believe X-Forwarded-For and X-Forwarded-Proto from these proxies only: IP "
            "addresses or networks, comma-separated (or COMITY_FORWARDED_ALLOW_IPS). Without "
            "it no one's are, and a client's address is its connection's.",
        ),
    ] = None,
) -> None:
    """Serve the API (and the web app) over HTTP; put a TLS proxy in front on a network."""
    import uvicorn  # only this command needs the server: the others start faster without it

    from comity.config import get_settings, proxy_addresses

    settings = get_settings()
    proxies = settings.forwarded_allow_ips
    if forwarded_allow_ips is not None:
        try:
            proxies = proxy_addresses(forwarded_allow_ips)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--forwarded-allow-ips") from None
    state = state_of(ctx)
    store = state.store()
    os.environ["COMITY_DATABASE_URL"] = store.url.render_as_string(hide_password=False)
    if secure_cookies:
        os.environ["COMITY_SECURE_COOKIES"] = "1"  # read by comity.server.create_app
    shown = store.url.render_as_string()
    stdout().print(f"Serving {shown} on http://{host}:{port}/ (Ctrl+C stops)", highlight=False)
    if secure_cookies or settings.secure_cookies:
        stdout().print("Session cookies are Secure: open it through the HTTPS proxy.")
    if proxies:
        stdout().print(f"Believing X-Forwarded-For and -Proto from {proxies} only.")
    # uvicorn believes X-Forwarded-For from loopback unless told otherwise; without a proxy
    # named, a client's address is its connection's (the sign-in limits count per address).
    uvicorn.run(
        "comity.server:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
    )
