"""``comity exchange keygen|trust|partners|export|import|pull|push``: bundles for partners."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from comity.cli.output import Column, OutputFormat, choose_format, emit, emit_json, stdout
from comity.cli.state import state_of

if TYPE_CHECKING:
    from comity.services.exchange import ExchangeReport

__all__ = ["exchange_app"]

exchange_app = typer.Typer(
    help="Exchange signed bundles of releasable records with partner installations.",
    no_args_is_help=True,
)

_JSON = Annotated[bool, typer.Option("--json", help="Write JSON (for scripts).")]
_CSV = Annotated[bool, typer.Option("--csv", help="Write CSV (for scripts).")]
_SINCE = Annotated[
    str | None,
    typer.Option("--since", help="Only records changed on or after this day (YYYY-MM-DD)."),
]
_URL = Annotated[
    str, typer.Argument(help="The partner's server, e.g. https://comity.partner.example.")
]
_TOKEN = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="COMITY_EXCHANGE_TOKEN",
        show_envvar=True,
        help="An API token of this installation's account at the partner.",
    ),
]


def _say(text: str) -> None:
    stdout().print(text, highlight=False)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a day (YYYY-MM-DD)", param_hint="--since"
        ) from None


@exchange_app.command("keygen")
def keygen(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Option("--name", help="This installation's name (default: its nation, lower case)."),
    ] = None,
    nation: Annotated[
        str | None,
        typer.Option("--nation", help="The nation it belongs to (default: the operator's)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Make a new key although one exists.")
    ] = False,
    as_json: _JSON = False,
) -> None:
    """Make this installation's Ed25519 key pair and print its public key (the operator)."""
    from comity.services import exchange_keys

    state = state_of(ctx)
    identity = exchange_keys.generate_key(
        state.store(), state.viewer(), name=name, nation=nation, replace=replace
    )
    if as_json:
        emit_json(identity.to_dict())
        return
    _say(f"Installation: {identity.name} ({identity.nation})")
    _say(f"Key id: {identity.key_id}")
    _say(f"Public key: {identity.public_key}")
    _say(f"Private key: {exchange_keys.key_path(identity.key_id)} (readable by you only)")
    _say(
        "Give the public key to each partner: "
        f"comity exchange trust {identity.name} {identity.public_key} --nation {identity.nation}"
    )


@exchange_app.command("trust")
def trust(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The partner installation's name.")],
    public_key: Annotated[str, typer.Argument(help="Its public key (base64), as it printed it.")],
    nation: Annotated[str, typer.Option("--nation", help="The nation it belongs to.")],
) -> None:
    """Trust a partner installation's public key: its bundles may then be imported."""
    from comity.services import exchange_keys

    state = state_of(ctx)
    partner, done = exchange_keys.trust_partner(
        state.store(), state.viewer(), name, public_key, nation
    )
    verb = {"added": "Trusted", "replaced": "New key trusted for", "unchanged": "Already trusted:"}
    _say(f"{verb[done]} {partner.name} ({partner.nation}), key {partner.key_id}.")


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


_PARTNERS = [
    Column("name", lambda p: p.name, style="bold"),
    Column("nation", lambda p: p.nation),
    Column("key_id", lambda p: p.key_id),
    Column("trusted_at", lambda p: _when(p.trusted_at)),
    Column("last_sequence", lambda p: p.last_sequence, heading="Last bundle"),
    Column("last_import_at", lambda p: _when(p.last_import_at), heading="Last import"),
    Column("last_export_at", lambda p: _when(p.last_export_at), heading="Last export"),
]


@exchange_app.command("partners")
def partners(ctx: typer.Context, as_json: _JSON = False, as_csv: _CSV = False) -> None:
    """The partner installations this one trusts, with their last exchange."""
    from comity.services import exchange_keys

    output = choose_format(as_json, as_csv)
    state = state_of(ctx)
    found = exchange_keys.list_partners(state.store(), state.viewer())
    emit(found, _PARTNERS, output, title="Partners", as_dict=lambda p: p.to_dict())
    if output is OutputFormat.TABLE and not found:
        _say("No partner yet: `comity exchange trust NAME PUBLIC_KEY --nation NAT` adds one.")


@exchange_app.command("export")
def export(
    ctx: typer.Context,
    recipient: Annotated[
        str, typer.Option("--for", help="The partner's nation, or an organisation (NATO).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="The bundle file to write.")],
    since: _SINCE = None,
) -> None:
    """Write a signed bundle of what the partner may read here."""
    from comity.services import exchange

    state = state_of(ctx)
    bundle = exchange.export_bundle(state.store(), state.viewer(), recipient, since=_day(since))
    # A bundle holds labelled records: readable by its owner only, as the keys are.
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(bundle.data)
    counts = ", ".join(f"{n} {part}" for part, n in bundle.manifest["counts"].items())
    _say(
        f"Bundle {bundle.manifest['sequence']} for {bundle.manifest['for']}: {counts}; "
        f"SHA-256 {bundle.digest}; written to {output}."
    )


def _report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(report)
        return
    conflicts = report["conflicts"]
    _say(
        f"From {report['partner']} ({report['nation']}), bundle {report['sequence']}: "
        f"{report['added']} added, {report['updated']} updated, {report['unchanged']} "
        f"unchanged, {report['linked']} linked, {len(conflicts)} conflict(s)."
    )
    if report.get("labels_kept_narrower"):
        _say(f"{report['labels_kept_narrower']} label(s) kept narrower than the partner's.")
    if conflicts:
        emit(
            conflicts,
            [
                Column("kind", lambda c: c["kind"]),
                Column("id", lambda c: c["id"], heading="Partner's id"),
                Column("local_id", lambda c: c["local_id"], heading="Here"),
                Column("reason", lambda c: c["reason"]),
            ],
            OutputFormat.TABLE,
            title="Conflicts: left as they are here",
        )


def _imported(report: ExchangeReport, as_json: bool) -> None:
    _report(report.to_dict(), as_json)


@exchange_app.command("import")
def import_bundle(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The bundle file a partner sent.")],
    as_json: _JSON = False,
) -> None:
    """Verify a partner's bundle and import it: all of it, or nothing."""
    from comity.errors import ImportRejectedError
    from comity.services import exchange

    state = state_of(ctx)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportRejectedError(f"Cannot read the bundle {path}: {error.strerror}.") from None
    report = exchange.receive_bundle(
        state.store(), data, state.viewer(), via="file", source=path.name
    )
    _imported(report, as_json)


@exchange_app.command("pull")
def pull(
    ctx: typer.Context, url: _URL, token: _TOKEN, since: _SINCE = None, as_json: _JSON = False
) -> None:
    """Fetch the partner's bundle for this installation's nation and import it."""
    from comity.services import exchange_http

    state = state_of(ctx)
    report = exchange_http.pull_bundle(state.store(), state.viewer(), url, token, since=_day(since))
    _imported(report, as_json)


@exchange_app.command("push")
def push(
    ctx: typer.Context,
    url: _URL,
    token: _TOKEN,
    recipient: Annotated[str, typer.Option("--for", help="The partner's nation.")],
    since: _SINCE = None,
    as_json: _JSON = False,
) -> None:
    """Send the partner a signed bundle of what it may read here; it imports it."""
    from comity.services import exchange_http

    state = state_of(ctx)
    answer = exchange_http.push_bundle(
        state.store(), state.viewer(), url, token, recipient, since=_day(since)
    )
    _report(answer, as_json)
