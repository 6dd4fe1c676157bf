"""Importing bundles again: unchanged, updated, conflicts, labels never wider, linked events."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.model.releasability import Releasability
from comity.services import culture, exchange
from comity.services import links as link_service
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.services.exchange_format import BundleRefusedError
from comity.services.exchange_merge import narrowed_label
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
from tests.test_plans import PLANNER, POLICY, plan_record


@pytest.fixture
def us(store: Store) -> Installation:
    """The US installation, on the test's SQLite store."""
    return installation(store, "us-hq", "USA")


@pytest.fixture
def fr(seeded_sqlite_file: Path, tmp_path: Path, us: Installation) -> Iterator[Installation]:
    """The French installation, on a second SQLite store; the two trust each other."""
    site = installation(sqlite_copy(seeded_sqlite_file, tmp_path / "fr"), "fr-hq", "FRA")
    trust_each_other(us, site)
    yield site
    site.store.dispose()


def _send(source: Installation, target: Installation) -> exchange.ExchangeReport:
    data = exchange.export_bundle(source.store, OPERATOR, target.nation).data
    return exchange.receive_bundle(target.store, data, OPERATOR)


def _imported(site: Installation, origin: str, key: int) -> services.StoredEngagement:
    [found] = [
        s
        for s in services.list_engagements(site.store, OPERATOR)
        if s.engagement.external_id == f"xchg:{origin}:{key}"
    ]
    return found


def _members(nations: dict[str, set[str]]) -> Any:
    def members(codes: Iterable[str]) -> set[str]:
        return {n for code in codes for n in nations.get(code, set())}

    return members


NATO = {"NATO": {"USA", "GBR", "FRA", "DEU"}}


@pytest.mark.parametrize(
    ("stored", "incoming", "kept"),
    [
        ("PUBLIC", "REL FRA,USA", "REL FRA,USA"),
        ("REL FRA,USA", "PUBLIC", "REL FRA,USA"),
        ("REL FRA,USA", "REL FRA,GBR,USA", "REL FRA,USA"),
        ("REL DEU,FRA", "REL FRA,GBR", "REL FRA"),
        ("REL NATO", "REL GBR,USA", "REL GBR,USA"),
        ("REL FRA", "REL NATO", "REL FRA"),
        ("REL NATO", "REL NATO", "REL NATO"),
        ("REL FRA", "REL GBR", None),
    ],
)
def test_an_updated_label_is_what_both_labels_allow(
    stored: str, incoming: str, kept: str | None
) -> None:
    found = narrowed_label(
        Releasability.parse(stored), Releasability.parse(incoming), _members(NATO)
    )
    assert (str(found) if found else None) == kept


def test_importing_the_same_records_again_changes_nothing(
    us: Installation, fr: Installation
) -> None:
    add(us, "Balikatan 2015")
    add(us, "Balikatan 2015 (with France)", "REL FRA,USA")
    assert _send(us, fr).added == 2
    before = dump(fr.store, without_audit=True)
    report = _send(us, fr)
    assert (report.added, report.updated, report.unchanged, report.linked) == (0, 0, 2, 0)
    after = dump(fr.store, without_audit=True)
    # The records are as they were; only the partner's last bundle moved on.
    assert {k: v for k, v in after.items() if k != "exchange_partners"} == {
        k: v for k, v in before.items() if k != "exchange_partners"
    }


def test_an_updated_bundle_updates_only_what_changed(us: Installation, fr: Installation) -> None:
    first = add(us, "Balikatan 2015")
    second = add(us, "Cobra Gold 2015", "REL FRA,USA", start="2015-02-09", end="2015-02-20")
    _send(us, fr)
    untouched = _imported(fr, "us-hq", second)
    services.edit_engagement(us.store, first, {"location": "Fort Magsaysay"}, us.planner())
    report = _send(us, fr)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert _imported(fr, "us-hq", first).engagement.location == "Fort Magsaysay"
    again = _imported(fr, "us-hq", second)
    assert (again.version, again.updated_at) == (untouched.version, untouched.updated_at)
    [entry] = audit_entries(fr.store, "exchange_update")
    assert entry["after"]["location"] == "Fort Magsaysay"


def test_an_edit_on_both_sides_is_a_conflict_left_as_it_is(
    us: Installation, fr: Installation
) -> None:
    key = add(us, "Balikatan 2015")
    _send(us, fr)
    local = _imported(fr, "us-hq", key)
    # A US planner on the French installation edits the copy (the record is the USA's).
    services.edit_engagement(fr.store, local.id, {"location": "Subic Bay"}, fr.planner("USA"))
    services.edit_engagement(us.store, key, {"location": "Fort Magsaysay"}, us.planner())
    report = _send(us, fr)
    assert report.to_dict()["conflicts"] == [
        {
            "kind": "engagement",
            "id": str(key),
            "local_id": local.id,
            "reason": "changed here and there",
        }
    ]
    assert report.updated == 0
    assert _imported(fr, "us-hq", key).engagement.location == "Subic Bay"


def test_a_local_edit_alone_is_kept(us: Installation, fr: Installation) -> None:
    key = add(us, "Balikatan 2015")
    _send(us, fr)
    local = _imported(fr, "us-hq", key)
    services.edit_engagement(fr.store, local.id, {"location": "Subic Bay"}, fr.planner("USA"))
    report = _send(us, fr)
    assert (report.unchanged, report.to_dict()["conflicts"]) == (1, [])
    assert _imported(fr, "us-hq", key).engagement.location == "Subic Bay"


def test_a_record_deleted_here_and_changed_there_is_a_conflict(
    us: Installation, fr: Installation
) -> None:
    key = add(us, "Balikatan 2015")
    _send(us, fr)
    services.delete_engagement(fr.store, _imported(fr, "us-hq", key).id, fr.planner("USA"))
    services.edit_engagement(us.store, key, {"location": "Fort Magsaysay"}, us.planner())
    report = _send(us, fr)
    assert [c["reason"] for c in report.to_dict()["conflicts"]] == ["deleted here since imported"]
    assert services.list_engagements(fr.store, OPERATOR) == []


def test_an_update_never_widens_a_label(us: Installation, fr: Installation) -> None:
    key = add(us, "Balikatan 2015", "REL FRA,USA")
    _send(us, fr)
    # The US widens its record to Britain: France keeps it for France and the US only.
    services.edit_engagement(
        us.store, key, {"releasability": "REL FRA,GBR,USA", "location": "Clark"}, us.planner()
    )
    report = _send(us, fr)
    assert (report.updated, report.to_dict()["labels_kept_narrower"]) == (1, 1)
    stored = _imported(fr, "us-hq", key)
    assert str(stored.engagement.releasability) == "REL FRA,USA"
    assert stored.engagement.location == "Clark"
    british = Viewer(name="gb", nation="GBR", role=Role.VIEWER)
    assert services.list_engagements(fr.store, british) == []


def test_an_update_that_narrows_a_label_narrows_it_here(us: Installation, fr: Installation) -> None:
    key = add(us, "Balikatan 2015", "REL NATO")
    _send(us, fr)
    services.edit_engagement(us.store, key, {"releasability": "REL FRA,USA"}, us.planner())
    assert _send(us, fr).updated == 1
    assert str(_imported(fr, "us-hq", key).engagement.releasability) == "REL FRA,USA"
    german = Viewer(name="de", nation="DEU", role=Role.VIEWER)
    assert services.list_engagements(fr.store, german) == []


def test_a_note_changed_there_is_updated_here(us: Installation, fr: Installation) -> None:
    note = culture.add_note(
        us.store,
        {"nation": "PHL", "topic": "etiquette", "title": "Ranks", "body": "Use titles."},
        us.planner(),
    )
    _send(us, fr)
    culture.edit_note(us.store, note.id, {"body": "Use titles and family names."}, us.planner())
    report = _send(us, fr)
    assert report.to_dict()["by_kind"]["note"] == {
        "added": 0,
        "updated": 1,
        "unchanged": 0,
        "conflicts": 0,
    }
    [stored] = culture.list_notes(fr.store, OPERATOR)
    assert stored.note.body == "Use titles and family names."


def test_a_record_of_an_event_stored_here_is_linked_to_it(
    us: Installation, fr: Installation
) -> None:
    own = add(fr, "Balikatan 2015")
    theirs = add(us, "Balikatan 2015")
    report = _send(us, fr)
    assert report.added == 1 and report.linked == 1
    event = link_service.event_of(fr.store, OPERATOR, own)
    ids = {record["id"] for record in event["records"]}
    assert ids == {own, _imported(fr, "us-hq", theirs).id}


def test_the_partners_links_come_with_its_records(us: Installation, fr: Installation) -> None:
    from tests.link_pairs import link_records

    first = add(us, "Balikatan 2015")
    second = add(us, "Balikatan 2015 (press)", start="2015-04-21")
    link_service.accept_link(us.store, us.planner(), link_records(us.store, first, second), "same")
    report = _send(us, fr)
    assert report.to_dict()["partner_links"] == 1
    here = {_imported(fr, "us-hq", key).id for key in (first, second)}
    [link] = [
        link
        for link in link_service.list_links(fr.store, OPERATOR, status="linked", limit=50)
        if {link["left"], link["right"]} == here
    ]
    assert link["decided_by"] == "xchg:us-hq"


@pytest.mark.postgres
def test_a_bundle_imports_into_postgresql(us: Installation, pg_store: Store) -> None:
    french = installation(pg_store, "fr-hq", "FRA")
    trust_each_other(us, french)
    add(us, "Balikatan 2015", "REL FRA,USA")
    add(us, "Balikatan 2015 (with Britain)", "REL GBR,USA")
    plan = plan_service.add_plan(us.store, plan_record(shared=True), PLANNER).id
    workflow.submit_plan(us.store, plan, PLANNER)
    workflow.approve_plan(us.store, plan, POLICY)
    assert _send(us, french).added == 2
    assert _send(us, french).unchanged == 2
    [received] = plan_service.list_plans(pg_store, OPERATOR)
    assert (received.origin, received.approved_by) == (f"xchg:us-hq:{plan}", ("policy",))
    data = exchange.export_bundle(us.store, OPERATOR, "FRA").data
    spoiled = data.replace(b"Balikatan", b"Balikatam", 1)
    before = dump(pg_store, without_audit=True)
    with pytest.raises(BundleRefusedError, match="do not match the signed manifest"):
        exchange.receive_bundle(pg_store, spoiled, OPERATOR)
    assert dump(pg_store, without_audit=True) == before
