"""Partner exchange by file: what a bundle holds, its checks, and the audit log.

Two installations on two SQLite stores: ``us`` (USA) and ``fr`` (France), each trusting the
other. A bundle is read as bytes (never through comity) to check what it holds.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.access.signing import canonical_bytes, new_signing_key, sign
from comity.errors import PermissionDeniedError
from comity.services import culture, exchange, exchange_keys
from comity.services.exchange_format import BundleRefusedError, RefusalReason, bundle_digest
from comity.store import Store
from tests.exchange_world import (
    OPERATOR,
    Installation,
    add,
    audit_entries,
    dump,
    installation,
    sqlite_copy,
    trust_each_other,
)


@pytest.fixture
def us(store: Store) -> Installation:
    """The US installation, on the test's SQLite store."""
    return installation(store, "us-hq", "USA")


@pytest.fixture
def fr(seeded_sqlite_file: Path, tmp_path: Path, us: Installation) -> Any:
    """The French installation, on a second SQLite store; the two trust each other."""
    site = installation(sqlite_copy(seeded_sqlite_file, tmp_path / "fr"), "fr-hq", "FRA")
    trust_each_other(us, site)
    yield site
    site.store.dispose()


def _read(data: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(data)
    return document


def _titles(data: bytes) -> list[str]:
    return sorted(item["record"]["title"] for item in _read(data)["records"]["engagements"])


def test_a_bundle_holds_exactly_what_the_partner_may_read(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015")
    add(us, "Balikatan 2015 (with France)", "REL FRA,USA")
    add(us, "Balikatan 2015 (NATO)", "REL NATO")
    add(us, "Balikatan 2015 (with Britain)", "REL GBR,USA")
    add(us, "Balikatan 2015 (US eyes)", "REL USA")
    bundle = exchange.export_bundle(us.store, OPERATOR, "France")
    assert _titles(bundle.data) == [
        "Balikatan 2015",
        "Balikatan 2015 (NATO)",
        "Balikatan 2015 (with France)",
    ]
    assert b"Britain" not in bundle.data and b"US eyes" not in bundle.data
    manifest = _read(bundle.data)["manifest"]
    identity = exchange_keys.get_identity(us.store)
    assert identity is not None
    assert manifest["installation"] == {"name": "us-hq", "nation": "USA", "key_id": identity.key_id}
    assert manifest["for"] == "FRA" and manifest["sequence"] == 1
    assert manifest["counts"] == {
        "assessments": 0,
        "engagements": 3,
        "links": 0,
        "notes": 0,
        "plans": 0,
    }


def test_notes_and_assessments_travel_by_their_labels(us: Installation, fr: Any) -> None:
    shared = add(us, "Balikatan 2015")
    author = us.planner()
    for label, lessons in (("PUBLIC", "Plan the heat."), ("REL GBR,USA", "Not for France.")):
        services.add_assessment(
            us.store,
            {
                "engagement_id": shared,
                "assessed_on": "2015-06-01",
                "trust": 4,
                "lessons": lessons,
                "releasability": label,
            },
            author,
        )
    for label, title in (("REL FRA,USA", "Ranks"), ("REL GBR,USA", "British ranks")):
        culture.add_note(
            us.store,
            {
                "nation": "PHL",
                "topic": "etiquette",
                "title": title,
                "body": "Use titles.",
                "releasability": label,
            },
            author,
        )
    data = exchange.export_bundle(us.store, OPERATOR, "FRA").data
    records = _read(data)["records"]
    assert [a["record"]["lessons"] for a in records["assessments"]] == ["Plan the heat."]
    assert [n["record"]["title"] for n in records["notes"]] == ["Ranks"]
    report = exchange.receive_bundle(fr.store, data, OPERATOR)
    assert report.to_dict()["by_kind"]["assessment"]["added"] == 1
    assert report.to_dict()["by_kind"]["note"]["added"] == 1
    french = Viewer(name="fr", nation="FRA", role=Role.VIEWER)
    notes = culture.list_notes(fr.store, french)
    assert [n.note.title for n in notes] == ["Ranks"]
    assert [n.owner for n in notes] == ["USA"]


def test_an_import_adds_the_records_keyed_by_their_origin(us: Installation, fr: Any) -> None:
    key = add(us, "Balikatan 2015 (with France)", "REL FRA,USA")
    report = exchange.receive_bundle(
        fr.store, exchange.export_bundle(us.store, OPERATOR, "FRA").data, OPERATOR
    )
    assert (report.added, report.updated, report.unchanged) == (1, 0, 0)
    [stored] = services.list_engagements(fr.store, OPERATOR)
    assert stored.engagement.external_id == f"xchg:us-hq:{key}"
    assert stored.engagement.provenance is not None
    assert stored.engagement.provenance.dataset == "xchg:us-hq"
    assert str(stored.engagement.releasability) == "REL FRA,USA"
    assert stored.owner == "USA"
    assert stored.engagement.sources[-1].document == f"us-hq engagement {key}"


def test_bundles_go_both_ways_and_never_come_back(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015")
    add(fr, "Jeanne d'Arc 2015", "REL FRA,USA")
    exchange.receive_bundle(
        fr.store, exchange.export_bundle(us.store, OPERATOR, "FRA").data, OPERATOR
    )
    back = exchange.export_bundle(fr.store, OPERATOR, "USA").data
    # What France received from the US is not sent back: a record travels from its origin.
    assert _titles(back) == ["Jeanne d'Arc 2015"]
    report = exchange.receive_bundle(us.store, back, OPERATOR)
    assert report.added == 1
    titles = {s.engagement.title for s in services.list_engagements(us.store, OPERATOR)}
    assert titles == {"Balikatan 2015", "Jeanne d'Arc 2015"}


def test_the_bundled_datasets_are_never_sent(us: Installation, fr: Any) -> None:
    from comity.services.imports import import_dataset

    import_dataset(us.store, "us_senior_visits", viewer=OPERATOR)
    add(us, "Balikatan 2015")
    assert _titles(exchange.export_bundle(us.store, OPERATOR, "FRA").data) == ["Balikatan 2015"]


def _flip(data: bytes, needle: bytes) -> bytes:
    at = data.index(needle)
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _resigned(data: bytes, *, keep_key_id: bool) -> bytes:
    document = _read(data)
    key = new_signing_key()
    if not keep_key_id:
        document["manifest"]["installation"]["key_id"] = key.key_id
    document["signature"] = sign(key.private_pem, canonical_bytes(document["manifest"]))
    return canonical_bytes(document)


@pytest.mark.parametrize(
    ("spoil", "reason", "message"),
    [
        (lambda d: _flip(d, b"Balikatan"), RefusalReason.TAMPERED, "its engagements do not match"),
        (lambda d: _flip(d, b'"sequence"'), RefusalReason.UNREADABLE, "is not JSON"),
        (lambda d: d[: len(d) // 2], RefusalReason.UNREADABLE, "is not JSON"),
        (lambda d: _resigned(d, keep_key_id=False), RefusalReason.UNTRUSTED, "does not trust"),
        (lambda d: _resigned(d, keep_key_id=True), RefusalReason.TAMPERED, "its signature"),
    ],
    ids=["flipped byte", "flipped quote", "truncated", "re-signed", "re-signed as the partner"],
)
def test_a_spoiled_bundle_is_refused_and_nothing_is_written(
    us: Installation, fr: Any, spoil: Any, reason: RefusalReason, message: str
) -> None:
    add(us, "Balikatan 2015")
    data = spoil(exchange.export_bundle(us.store, OPERATOR, "FRA").data)
    before = dump(fr.store)
    with pytest.raises(BundleRefusedError, match=message) as refused:
        exchange.receive_bundle(fr.store, data, OPERATOR)
    assert refused.value.reason is reason
    assert "Nothing was imported" in refused.value.message
    after = dump(fr.store)
    # Every table as it was, but the refusal's one entry in the audit log.
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]
    [entry] = audit_entries(fr.store, "exchange_refused")
    assert entry["after"]["digest"] == bundle_digest(data)
    assert entry["after"]["reason"] == reason.value
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1


def test_a_replayed_or_older_bundle_is_refused(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015")
    first = exchange.export_bundle(us.store, OPERATOR, "FRA").data
    second = exchange.export_bundle(us.store, OPERATOR, "FRA").data
    exchange.receive_bundle(fr.store, second, OPERATOR)
    for replayed in (second, first):
        before = dump(fr.store, without_audit=True)
        with pytest.raises(BundleRefusedError, match="a replay") as refused:
            exchange.receive_bundle(fr.store, replayed, OPERATOR)
        assert refused.value.reason is RefusalReason.REPLAYED
        assert dump(fr.store, without_audit=True) == before


def test_a_bundle_for_another_nation_is_refused(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015")
    data = exchange.export_bundle(us.store, OPERATOR, "GBR").data
    with pytest.raises(BundleRefusedError, match="is for GBR, not for FRA") as refused:
        exchange.receive_bundle(fr.store, data, OPERATOR)
    assert refused.value.reason is RefusalReason.MISADDRESSED


def test_a_bundle_for_an_organisation_reaches_its_members(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015 (NATO)", "REL NATO")
    add(us, "Balikatan 2015 (with France)", "REL FRA,USA")
    data = exchange.export_bundle(us.store, OPERATOR, "NATO").data
    assert _titles(data) == ["Balikatan 2015 (NATO)"]
    assert exchange.receive_bundle(fr.store, data, OPERATOR).added == 1


def test_every_export_and_import_is_audited_with_the_digest(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015")
    bundle = exchange.export_bundle(us.store, OPERATOR, "FRA")
    [exported] = audit_entries(us.store, "exchange_export")
    assert exported["after"]["digest"] == bundle.digest
    assert exported["after"]["for"] == "FRA" and exported["after"]["via"] == "file"
    exchange.receive_bundle(fr.store, bundle.data, OPERATOR, source="b.json")
    [imported] = audit_entries(fr.store, "exchange_import")
    assert imported["entity_id"] == "us-hq"
    assert imported["after"]["digest"] == bundle.digest
    assert imported["after"]["added"] == 1 and imported["after"]["source"] == "b.json"


def test_only_the_operator_or_the_partners_own_planner_imports(us: Installation, fr: Any) -> None:
    add(us, "Balikatan 2015")
    data = exchange.export_bundle(us.store, OPERATOR, "FRA").data
    french_admin = Viewer(name="admin.fra", nation="FRA", role=Role.ADMIN)
    with pytest.raises(PermissionDeniedError, match="only the installation's operator or USA"):
        exchange.receive_bundle(fr.store, data, french_admin)
    [refused] = audit_entries(fr.store, "exchange_refused")
    assert refused["actor"] == "admin.fra"
    us_planner = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
    assert exchange.receive_bundle(fr.store, data, us_planner).added == 1


def test_an_analyst_exports_for_their_own_nation_only(us: Installation) -> None:
    french = Viewer(name="analyst.fra", nation="FRA", role=Role.ANALYST)
    assert exchange.export_bundle(us.store, french, "FRA").manifest["for"] == "FRA"
    with pytest.raises(PermissionDeniedError, match="may not export a bundle for GBR"):
        exchange.export_bundle(us.store, french, "GBR")
    viewer = Viewer(name="viewer.fra", nation="FRA", role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        exchange.export_bundle(us.store, viewer, "FRA")
    assert len(audit_entries(us.store, "exchange_export_refused")) == 2


def test_the_signature_is_base64_over_the_manifest(us: Installation) -> None:
    from comity.access.signing import verify

    data = exchange.export_bundle(us.store, OPERATOR, "FRA").data
    document = _read(data)
    assert len(base64.b64decode(document["signature"])) == 64
    assert verify(us.public_key, canonical_bytes(document["manifest"]), document["signature"])
    assert data == canonical_bytes(document)


def test_a_bundle_with_a_record_that_breaks_a_rule_is_refused_whole(store: Store) -> None:
    from tests.exchange_world import PartnerKeys

    partners = PartnerKeys(store, "FRA")
    good = {
        "kind": "exercise",
        "title": "Good",
        "start": "2015",
        "participants": [{"nation": "USA"}],
    }
    bad = {**good, "title": "Bad", "participants": [{"nation": "XYZ"}]}
    records = {
        "engagements": [
            {"id": 6, "owner": "USA", "record": good},
            {"id": 7, "owner": "USA", "record": bad},
        ]
    }
    data = partners.bundle("USA", records)
    before = dump(store, without_audit=True)
    with pytest.raises(BundleRefusedError, match="Invalid engagement 7: participants.0.nation"):
        exchange.receive_bundle(store, data, OPERATOR)
    assert dump(store, without_audit=True) == before
