"""Use cases of partner exchange: export a signed bundle for a partner, preview it, import one.

A bundle for a nation holds exactly what an account of that nation may read here, by the one
releasability filter every read applies (a viewer of the partner's nation), less the bundled
datasets (every installation ships them) and what came from other installations (a record
travels from its origin only); of plans, those marked shared. An import verifies the bundle
against the trusted partners, refuses it whole with nothing written when any check fails, and
merges it record by record (:mod:`comity.services.exchange_merge`, plans in
:mod:`comity.services.exchange_plans`). Every export and import, refused ones included, is in
the audit log with the bundle's digest (docs/exchange.md).

Who may: a bundle for nation N is made for the installation's operator or an analyst (or
above) of N; a bundle from a partner of nation N is imported by the installation's operator or
a planner (or above) of N, the partner's own account on this installation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.errors import ComityError, ConflictError, PermissionDeniedError
from comity.ingest.catalog import IMPORTERS
from comity.model.engagements import Engagement
from comity.services.engagements import organisation_codes, require
from comity.services.exchange_format import (
    FORMAT,
    BundleRefusedError,
    RefusalReason,
    bundle_digest,
    check_parts,
    check_signature,
    read_bundle,
    write_bundle,
)
from comity.services.exchange_keys import private_key
from comity.services.exchange_merge import MergeReport, merge_bundle
from comity.services.exchange_plans import exportable_plan_items, merge_plans
from comity.services.registry import resolve_nation
from comity.store import Store
from comity.store import engagements as engagement_store
from comity.store import exchange as exchange_store
from comity.store import exchange_records as record_store
from comity.store.audit import append_audit
from comity.store.changes import records_version
from comity.store.exchange import Identity, Partner
from comity.store.refusals import import_refusals

__all__ = [
    "CLOCK_SKEW",
    "ExchangeReport",
    "ExportedBundle",
    "export_bundle",
    "may_export_for",
    "preview_bundle",
    "receive_bundle",
    "recipient_of",
]

CLOCK_SKEW = timedelta(minutes=10)
"""How far ahead of this installation's clock a bundle may be dated (a later one is refused:
it would make every honest bundle after it look like a replay)."""


@dataclass(frozen=True)
class ExportedBundle:
    """A bundle made for a partner.

    Attributes:
        data: Its bytes, as written to a file or sent.
        digest: Their SHA-256.
        manifest: Its signed manifest.
    """

    data: bytes
    digest: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class ExchangeReport:
    """What importing a bundle did.

    Attributes:
        partner: The partner that signed it.
        nation: Its nation.
        digest: The bundle's SHA-256.
        sequence: Its sequence number.
        merge: Per kind, added, updated, unchanged and conflicts; links; labels kept narrow.
    """

    partner: str
    nation: str
    digest: str
    sequence: int
    merge: MergeReport

    def _total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.merge.kinds.values())

    @property
    def added(self) -> int:
        """Records added, every kind."""
        return self._total("added")

    @property
    def updated(self) -> int:
        """Records updated, every kind."""
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        """Records left as they were, every kind."""
        return self._total("unchanged")

    @property
    def linked(self) -> int:
        """Links made: the partner's, and those record linkage found with stored records."""
        return self.merge.partner_links + self.merge.linked

    def to_dict(self) -> dict[str, Any]:
        """JSON form (what the API answers and ``--json`` prints)."""
        merge = self.merge
        return {
            "partner": self.partner,
            "nation": self.nation,
            "digest": self.digest,
            "sequence": self.sequence,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "linked": self.linked,
            "conflicts": merge.conflicts,
            "by_kind": {kind: vars(counts) for kind, counts in merge.kinds.items()},
            "partner_links": merge.partner_links,
            "linked_to_stored": merge.linked,
            "to_review": merge.review,
            "labels_kept_narrower": merge.narrowed,
            "skipped": merge.skipped,
        }


def recipient_of(target: str) -> str:
    """The nation key or organisation code a bundle is for.

    Raises:
        UnknownNationError: When ``target`` is neither an organisation nor a nation.
    """
    code = target.strip().upper()
    if code in organisation_codes():
        return code
    return resolve_nation(target).iso3


def may_export_for(viewer: Viewer, recipient: str) -> bool:
    """Whether ``viewer`` may have a bundle for ``recipient`` made and signed."""
    if viewer.spans_nations:
        return True
    return viewer.may(Role.ANALYST) and viewer.nation == recipient


def _partner_viewer(recipient: str) -> Viewer:
    """The reader a bundle is made for: an analyst of the partner's nation (or organisation)."""
    return Viewer(name=f"partner {recipient}", nation=recipient, role=Role.ANALYST)


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def _collect(
    connection: Any, readers: list[Viewer], since: date | None
) -> dict[str, list[dict[str, Any]]]:
    """The records a bundle for ``readers[0]`` holds (each also visible to the others)."""
    bundled = frozenset(IMPORTERS)
    moment = _start_of(since)
    every = record_store.exportable_engagements(connection, readers, bundled)
    chosen = (
        every
        if moment is None
        else record_store.exportable_engagements(connection, readers, bundled, moment)
    )
    images = engagement_store.engagement_images(connection, chosen)
    fields = set(Engagement.model_fields)
    engagements = [
        {
            "id": key,
            "owner": images[key]["owner"],
            "updated_at": images[key]["updated_at"],
            "record": {k: v for k, v in images[key].items() if k in fields},
        }
        for key in chosen
    ]
    links = [
        {
            "left": link.left,
            "right": link.right,
            "probability": link.probability,
            "weight": link.weight,
            "model_version": link.model_version,
            "decided": link.decided_by is not None,
        }
        for link in record_store.exportable_links(connection, readers[0], every, chosen)
    ]
    return {
        "engagements": engagements,
        "links": links,
        "assessments": record_store.exportable_assessments(connection, readers, every, moment),
        "notes": record_store.exportable_notes(connection, readers, moment),
        "plans": exportable_plan_items(connection, readers, every, moment),
    }


def _identity(connection: Any) -> Identity:
    identity = exchange_store.get_identity(connection)
    if identity is None:
        raise ConflictError(
            "This installation has no exchange key yet: it cannot sign or receive bundles.",
            hint="The installation's operator runs `comity exchange keygen --name NAME`.",
        )
    return identity


def _refused_export(store: Store, viewer: Viewer, target: str, error: ComityError) -> None:
    with store.transaction() as connection:
        append_audit(
            connection,
            viewer.name,
            "exchange_export_refused",
            "exchange",
            None,
            None,
            {"for": target, "reason": error.message},
        )


def export_bundle(
    store: Store,
    viewer: Viewer,
    target: str,
    *,
    since: date | None = None,
    partner_only: bool = False,
    via: str = "file",
) -> ExportedBundle:
    """Make, sign and audit a bundle of what ``target`` may read here.

    Args:
        store: The store.
        viewer: Who asks: the installation's operator, or an analyst of ``target``.
        target: The nation (any name or code) or organisation the bundle is for.
        since: Only records changed on or after this day.
        partner_only: Refuse unless ``target`` is the nation of a trusted partner (a pull over
            HTTP).
        via: How it leaves (``file``, ``pull``, ``push``), for the audit log.

    Raises:
        PermissionDeniedError: When the viewer may not have a bundle for ``target``.
        ComityError: When the installation has no key, or its private key is missing.
    """
    try:
        recipient = recipient_of(target)
        if not may_export_for(viewer, recipient):
            raise PermissionDeniedError(
                f"{viewer.name} may not export a bundle for {recipient}: it takes the "
                f"installation's operator, or an analyst of {recipient}.",
                hint="Ask the installation's operator.",
            )
        with store.transaction() as connection:
            if partner_only and not any(
                p.nation == recipient for p in exchange_store.list_partners(connection)
            ):
                raise PermissionDeniedError(
                    f"{viewer.name} may not pull a bundle: {recipient} is not a partner of "
                    "this installation.",
                    hint="The operator trusts the partner's key: `comity exchange trust`.",
                )
            identity = _identity(connection)
            pem = private_key(identity)
            records = _collect(connection, [_partner_viewer(recipient)], since)
            manifest = {
                "installation": {
                    "name": identity.name,
                    "nation": identity.nation,
                    "key_id": identity.key_id,
                },
                "for": recipient,
                "since": since.isoformat() if since else None,
                "created_at": datetime.now(UTC).isoformat(),
                "sequence": exchange_store.next_sequence(connection),
                "data_version": records_version(connection),
            }
            data = write_bundle(manifest, records, pem)
            digest = bundle_digest(data)
            counts = {part: len(items) for part, items in records.items()}
            exchange_store.mark_exported(connection, recipient)
            append_audit(
                connection,
                viewer.name,
                "exchange_export",
                "exchange",
                identity.name,
                None,
                {
                    "digest": digest,
                    "for": recipient,
                    "sequence": manifest["sequence"],
                    "since": manifest["since"],
                    "counts": counts,
                    "via": via,
                },
            )
    except ComityError as error:
        _refused_export(store, viewer, target, error)
        raise
    return ExportedBundle(data, digest, {**manifest, "format": FORMAT, "counts": counts})


def preview_bundle(store: Store, viewer: Viewer, target: str) -> dict[str, Any]:
    """What a bundle for ``target`` would hold, by kind and by label; nothing is signed.

    The installation's operator sees the whole bundle; an admin of a nation, the part of it
    their nation may read too (the preview never tells of records hidden from its reader).

    Raises:
        PermissionDeniedError: Below the role admin.
    """
    require(viewer, Role.ADMIN, "preview exchange bundles")
    recipient = recipient_of(target)
    readers = [_partner_viewer(recipient)]
    if not viewer.unrestricted:
        readers.append(viewer)
    with store.connect() as connection:
        records = _collect(connection, readers, None)
    labels: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for item in records["engagements"]:
        kinds[str(item["record"]["kind"])] += 1
        labels[str(item["record"]["releasability"])] += 1
    for part in ("assessments", "notes", "plans"):
        for item in records[part]:
            labels[str(item["record"]["releasability"])] += 1
    return {
        "for": recipient,
        "counts": {part: len(items) for part, items in records.items()},
        "by_kind": dict(sorted(kinds.items())),
        "by_label": dict(sorted(labels.items())),
        "whole": viewer.spans_nations,
    }


def _trusted(connection: Any, bundle: Any, identity: Identity) -> Partner:
    """The partner that signed ``bundle``, its signature and parts checked, or a refusal."""
    manifest = bundle.manifest
    partner = exchange_store.get_partner(connection, key_id=manifest.key_id)
    if partner is None:
        raise BundleRefusedError(
            f"Bundle {bundle.digest[:12]} names the key {manifest.key_id} "
            f"({manifest.installation}, {manifest.nation}), which {identity.name} does not "
            "trust. Nothing was imported.",
            RefusalReason.UNTRUSTED,
            hint="If the partner made a new key, trust it: `comity exchange trust NAME KEY "
            "--nation NAT`.",
        )
    if partner.name != manifest.installation or partner.nation != manifest.nation:
        raise BundleRefusedError(
            f"Bundle {bundle.digest[:12]} calls itself {manifest.installation} "
            f"({manifest.nation}), but its key {manifest.key_id} is {partner.name}'s "
            f"({partner.nation}). Nothing was imported.",
            RefusalReason.UNTRUSTED,
        )
    check_signature(bundle, partner.public_key)
    check_parts(bundle)
    return partner


def _check_fresh(connection: Any, bundle: Any, partner: Partner, identity: Identity) -> None:
    """Refuse a bundle addressed to someone else, replayed, or dated in the future."""
    manifest = bundle.manifest
    recipient, own = manifest.recipient, identity.nation
    this_year = datetime.now(UTC).year
    if recipient != own and not exchange_store.member_of(connection, own, recipient, this_year):
        raise BundleRefusedError(
            f"Bundle {bundle.digest[:12]} from {partner.name} is for {recipient}, not for "
            f"{own} ({identity.name}). Nothing was imported.",
            RefusalReason.MISADDRESSED,
            hint=f"Ask {partner.name} for a bundle for {own}.",
        )
    last, last_at = partner.last_sequence, partner.last_bundle_at
    if (last is not None and manifest.sequence <= last) or (
        last_at is not None and manifest.created_at <= last_at
    ):
        raise BundleRefusedError(
            f"Bundle {bundle.digest[:12]} from {partner.name} is number {manifest.sequence} of "
            f"{manifest.created_at.isoformat()}, not newer than the last imported (number "
            f"{last}): a replay. Nothing was imported.",
            RefusalReason.REPLAYED,
            hint=f"Ask {partner.name} for a new bundle.",
        )
    if manifest.created_at > datetime.now(UTC) + CLOCK_SKEW:
        raise BundleRefusedError(
            f"Bundle {bundle.digest[:12]} from {partner.name} is dated "
            f"{manifest.created_at.isoformat()}, in the future. Nothing was imported.",
            RefusalReason.INVALID,
            hint="Check the clocks of both installations.",
        )


def _refused_import(
    store: Store, viewer: Viewer, digest: str, via: str, error: ComityError
) -> None:
    reason = getattr(error, "reason", None)
    with store.transaction() as connection:
        append_audit(
            connection,
            viewer.name,
            "exchange_refused",
            "exchange",
            None,
            None,
            {
                "digest": digest,
                "reason": str(reason or "refused"),
                "detail": error.message,
                "via": via,
            },
        )


def receive_bundle(
    store: Store, data: bytes, viewer: Viewer, *, via: str = "file", source: str | None = None
) -> ExchangeReport:
    """Verify a partner's bundle and import it in one transaction: all of it, or nothing.

    Args:
        store: The store.
        data: The bundle's bytes.
        viewer: Who imports: the installation's operator, or a planner (or above) of the
            bundle's nation.
        via: How it came (``file``, ``pull``, ``push``), for the audit log.
        source: Where it came from (a file name, a URL), for the audit log.

    Raises:
        BundleRefusedError: When it is unreadable, tampered with, untrusted, addressed to
            another nation, a replay, or holds an invalid record; nothing is written but the
            refusal's entry in the audit log.
        PermissionDeniedError: When the viewer may not import it.
    """
    digest = bundle_digest(data)
    try:
        require(viewer, Role.PLANNER, "import exchange bundles")
        bundle = read_bundle(data)
        manifest = bundle.manifest
        if not viewer.spans_nations and viewer.nation != manifest.nation:
            raise PermissionDeniedError(
                f"{viewer.name} may not import a bundle of {manifest.installation} "
                f"({manifest.nation}): only the installation's operator or {manifest.nation}'s "
                "planners may.",
                hint="Ask the installation's operator.",
            )
        writer = Viewer(name=viewer.name, nation=viewer.nation, role=Role.ADMIN, unrestricted=True)
        with import_refusals(f"xchg:{manifest.installation}"), store.transaction() as connection:
            identity = _identity(connection)
            partner = _trusted(connection, bundle, identity)
            _check_fresh(connection, bundle, partner, identity)
            try:
                merged = merge_bundle(
                    connection, bundle.records, partner, manifest.sequence, writer
                )
                merge_plans(connection, bundle.records["plans"], partner, writer, merged)
            except ComityError as error:
                raise BundleRefusedError(
                    f"Bundle {digest[:12]} from {partner.name} holds a record this installation "
                    f"refuses: {error.message}. Nothing was imported.",
                    RefusalReason.INVALID,
                    hint=error.hint,
                ) from None
            exchange_store.mark_imported(
                connection, partner.id, manifest.sequence, manifest.created_at
            )
            report = ExchangeReport(partner.name, partner.nation, digest, manifest.sequence, merged)
            summary = report.to_dict()
            summary.update(via=via, source=source, added_ids=merged.added_ids[:1000])
            append_audit(
                connection, viewer.name, "exchange_import", "exchange", partner.name, None, summary
            )
    except ComityError as error:
        _refused_import(store, viewer, digest, via, error)
        raise
    return report
