"""A nation's writes never touch another nation's records (docs/security.md, "Ownership").

Each attack that worked before records had owners, as a regression test: a French planner
importing a dataset named like a US one, reusing the id of a hidden record, wiping a bundled
dataset with a one-row file, relabelling a US record so the USA no longer sees it; and the
existence oracle of external ids.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from comity import services
from comity.access import Role, Viewer
from comity.errors import ConflictError, PermissionDeniedError, ValidationError
from comity.services import accounts
from comity.services import plan_workflow as workflow
from comity.services import plans as plan_service
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store, tables

US = Viewer(name="planner.usa", nation="USA", role=Role.PLANNER)
FR = Viewer(name="planner.fra", nation="FRA", role=Role.PLANNER)
US_READER = Viewer(name="viewer.usa", nation="USA", role=Role.VIEWER)
FR_READER = Viewer(name="viewer.fra", nation="FRA", role=Role.VIEWER)


def _mapped(tmp_path: Path, name: str, rows: list[tuple[str, str, str]], label: str) -> Path:
    """A mapped CSV import named ``name``: rows of (id, title, start), USA and GBR in each."""
    folder = tmp_path / f"{name}-{label.replace(' ', '_').replace(',', '_')}-{len(rows)}"
    folder.mkdir()
    data = folder / "rows.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "title", "start", "nation"])
        for key, title, start in rows:
            for nation in ("USA", "GBR", "FRA"):
                out.writerow([key, title, start, nation])
    mapping = folder / "mapping.toml"
    mapping.write_text(
        f'[dataset]\nname = "{name}"\n[columns]\nid = "id"\ntitle = "title"\nstart = "start"\n'
        '[participants]\nlayout = "long"\nnation = "nation"\n'
        f'[constants]\nkind = "exercise"\nreleasability = "{label}"\n',
        encoding="utf-8",
    )
    return mapping


def _import(store: Store, mapping: Path, viewer: Viewer, *, dry_run: bool = False) -> object:
    return import_dataset(
        store,
        mapped_importer(mapping),
        [mapping.parent / "rows.csv"],
        viewer=viewer,
        dry_run=dry_run,
    )


US_ROWS = [
    ("A1", "Atlantic Shield", "2024"),
    ("A2", "Pacific Shield", "2024"),
    ("A3", "Arctic Shield", "2024"),
]


def _titles(store: Store, viewer: Viewer) -> list[str]:
    return sorted(s.engagement.title for s in services.list_engagements(store, viewer))


# --- 1. Imports are keyed by owner and name ------------------------------------------------------


def test_a_french_import_named_like_a_us_one_leaves_the_us_records(
    store: Store, tmp_path: Path
) -> None:
    _import(store, _mapped(tmp_path, "ops_2024", US_ROWS, "REL USA"), US)
    french = _mapped(tmp_path, "ops_2024", [("F1", "Entente Cordiale", "2024")], "REL FRA")
    dry = _import(store, french, FR, dry_run=True)
    assert (dry.added, dry.removed, dry.updated) == (1, 0, 0)  # no "removed 3" to learn from
    report = _import(store, french, FR)
    assert (report.added, report.removed) == (1, 0)
    assert report.dataset == "FRA/ops_2024"
    assert _titles(store, US_READER) == ["Arctic Shield", "Atlantic Shield", "Pacific Shield"]
    assert _titles(store, FR_READER) == ["Entente Cordiale"]


def test_reusing_a_hidden_records_id_makes_a_record_of_ones_own(
    store: Store, tmp_path: Path
) -> None:
    _import(store, _mapped(tmp_path, "ops_2024", US_ROWS, "REL USA"), US)
    stolen = _mapped(tmp_path, "ops_2024", [("A1", "Overwritten", "2024")], "REL FRA")
    _import(store, stolen, FR)
    assert "Atlantic Shield" in _titles(store, US_READER)
    assert "Overwritten" not in _titles(store, US_READER)  # the US record kept its label
    assert _titles(store, FR_READER) == ["Overwritten"]


def test_a_one_row_file_named_like_a_bundled_dataset_touches_nothing_bundled(
    full_store: Store, tmp_path: Path
) -> None:
    before = services.count_engagements(full_store, US_READER)
    wipe = _mapped(tmp_path, "mme_exercises", [("X", "Wipe", "2024")], "REL FRA")
    report = _import(full_store, wipe, FR, dry_run=True)
    assert (report.added, report.removed, report.dataset) == (1, 0, "FRA/mme_exercises")
    assert services.count_engagements(full_store, US_READER) == before


def test_only_the_installation_imports_the_bundled_datasets(store: Store) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        import_dataset(store, "us_senior_visits", viewer=US, dry_run=True)
    assert refused.value.message == (
        "The bundled dataset us_senior_visits belongs to the installation: only the "
        "installation's operator may change or remove it."
    )


def test_an_import_that_changes_or_removes_records_logs_their_images_before(
    store: Store, tmp_path: Path
) -> None:
    _import(store, _mapped(tmp_path, "ops_2024", US_ROWS, "REL USA"), US)
    changed = [("A1", "Atlantic Shield (renamed)", "2024"), US_ROWS[1]]
    report = _import(store, _mapped(tmp_path, "ops_2024", changed, "REL USA"), US)
    assert (report.updated, report.removed, report.unchanged) == (1, 1, 1)
    entries, _ = accounts.audit_page(store, Viewer.operator("t"), entity="engagement")
    log = {
        (e["action"], e["before"] and e["before"]["title"], e["after"] and e["after"]["title"])
        for e in entries
    }
    assert ("import_update", "Atlantic Shield", "Atlantic Shield (renamed)") in log
    assert ("import_remove", "Arctic Shield", None) in log


def test_an_import_may_not_hide_its_records_from_its_own_nation(
    store: Store, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="must include your own nation"):
        _import(store, _mapped(tmp_path, "ops_2024", US_ROWS, "REL GBR"), US)
    assert services.count_engagements(store, Viewer.operator("t")) == 0


# --- 2. Only the owner's users change a record ---------------------------------------------------


def _exercise(title: str, label: str | None = None, start: str = "2015") -> dict[str, object]:
    nations = [{"nation": "USA"}, {"nation": "FRA"}]
    record: dict[str, object] = {
        "kind": "exercise",
        "title": title,
        "start": start,
        "participants": nations,
    }
    if label:
        record["releasability"] = label
    return record


def test_a_french_planner_cannot_relabel_or_delete_a_us_record(store: Store) -> None:
    stored = services.add_engagement(store, _exercise("US drill"), US)
    assert stored.owner == "USA"
    with pytest.raises(PermissionDeniedError) as refused:
        services.edit_engagement(store, stored.id, {"releasability": "REL FRA"}, FR)
    assert refused.value.message == (
        f"Engagement {stored.id} belongs to USA: only USA's users may change or remove it."
    )
    with pytest.raises(PermissionDeniedError):
        services.delete_engagement(store, stored.id, FR)
    assert services.get_engagement(store, stored.id, US_READER).engagement.title == "US drill"


def test_no_planner_changes_a_bundled_record(full_store: Store) -> None:
    bundled = services.list_engagements(full_store, US_READER, limit=1)[0]
    assert bundled.owner is None and bundled.engagement.provenance is not None
    with pytest.raises(PermissionDeniedError, match="belongs to the installation"):
        services.edit_engagement(full_store, bundled.id, {"title": "Mine now"}, US)


def test_an_owner_may_not_hide_its_record_from_itself(store: Store) -> None:
    stored = services.add_engagement(store, _exercise("US drill"), US)
    with pytest.raises(ValidationError) as refused:
        services.edit_engagement(store, stored.id, {"releasability": "REL GBR"}, US)
    assert refused.value.problems[0].field == "releasability"
    # Even the installation's operator may not take a record away from its owner.
    with pytest.raises(ValidationError, match="must let USA read it"):
        services.edit_engagement(
            store, stored.id, {"releasability": "REL GBR"}, Viewer.operator("t")
        )


def test_rel_nato_is_a_label_a_member_may_write_for_a_year_it_was_a_member(store: Store) -> None:
    stored = services.add_engagement(store, _exercise("Allied drill", "REL NATO"), US)
    assert services.get_engagement(store, stored.id, US_READER).engagement.title == "Allied drill"
    with pytest.raises(ValidationError, match="must let USA read it"):
        services.add_engagement(store, _exercise("Before NATO", "REL NATO", "1940"), US)


def test_a_label_naming_an_unknown_code_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as refused:
        services.add_engagement(store, _exercise("Typo", "REL USA,FRANCE"), US)
    assert refused.value.problems[0].reason.startswith("names FRANCE, neither a nation key")


# --- 8. External ids are namespaced by owner: no existence oracle -------------------------------


def test_an_id_used_by_a_hidden_record_is_free_for_another_nation(store: Store) -> None:
    services.add_engagement(store, {**_exercise("Hidden", "REL USA"), "external_id": "op:7"}, US)
    mine = services.add_engagement(
        store, {**_exercise("Mine", "REL FRA"), "external_id": "op:7"}, FR
    )  # no 409 that would reveal the hidden record
    assert mine.engagement.external_id == "op:7"
    with pytest.raises(ConflictError, match="already stored"):
        services.add_engagement(store, {**_exercise("Again", "REL FRA"), "external_id": "op:7"}, FR)


def test_records_remember_their_owner(store: Store) -> None:
    ours = services.add_engagement(store, _exercise("Ours"), US)
    installation = services.add_engagement(store, _exercise("Installation"), Viewer.operator("t"))
    with store.connect() as connection:
        owners = dict(
            connection.execute(
                select(tables.engagements.c.title, tables.engagements.c.owner_nation)
            ).all()
        )
    assert owners == {"Ours": "USA", "Installation": None}
    assert ours.to_dict()["owner"] == "USA" and installation.to_dict()["owner"] is None


# --- 7. Approvers decide on their own nation's plans, never on their own ------------------------

US_POLICY = Viewer(name="us.policy", nation="USA", role=Role.APPROVER, agency="policy")
FR_POLICY = Viewer(name="fr.policy", nation="FRA", role=Role.APPROVER, agency="policy")


def _plan(store: Store, author: Viewer) -> int:
    record = {
        "title": "Cobra Gold 2027",
        "kind": "exercise",
        "objectives": ["Trust"],
        "partners": [{"nation": "THA", "role": "host"}, {"nation": "USA"}, {"nation": "FRA"}],
        "start": "2027-02-22",
        "end": "2027-03-05",
        "agencies": ["policy"],
    }
    stored = plan_service.add_plan(store, record, author)
    workflow.submit_plan(store, stored.id, author)
    return stored.id


def test_an_approver_of_another_nation_cannot_decide_on_a_plan(store: Store) -> None:
    plan_id = _plan(store, US)
    with pytest.raises(PermissionDeniedError, match=f"Plan {plan_id} belongs to USA"):
        workflow.approve_plan(store, plan_id, FR_POLICY)
    approved = workflow.approve_plan(store, plan_id, US_POLICY)
    assert approved.state.value == "approved" and approved.owner_nation == "USA"


def test_an_approver_cannot_approve_a_plan_of_their_own(store: Store) -> None:
    plan_id = _plan(store, US_POLICY)  # an approver may plan: not approve what they wrote
    with pytest.raises(PermissionDeniedError) as refused:
        workflow.approve_plan(store, plan_id, US_POLICY)
    assert refused.value.message == (
        f"us.policy wrote or owns plan {plan_id}: another approver must decide on it."
    )


def test_a_planner_of_another_nation_cannot_move_a_plan(store: Store) -> None:
    plan_id = _plan(store, US)
    with pytest.raises(PermissionDeniedError, match="only USA's users"):
        workflow.cancel_plan(store, plan_id, FR, reason="not ours")


def test_an_executed_plan_becomes_an_engagement_of_its_nation(store: Store) -> None:
    plan_id = _plan(store, US)
    workflow.approve_plan(store, plan_id, US_POLICY)
    workflow.schedule_plan(store, plan_id, US)
    executed = workflow.execute_plan(store, plan_id, US)
    assert executed.engagement_id is not None
    assert services.get_engagement(store, executed.engagement_id, US_READER).owner == "USA"


# --- 11. Text search matches what is typed -------------------------------------------------------


def test_percent_and_underscore_are_not_wildcards_in_text_search(store: Store) -> None:
    services.add_engagement(store, _exercise("Drill 100% ready"), US)
    services.add_engagement(store, _exercise("Drill 1000 ready"), US)
    services.add_engagement(store, _exercise("Drill_A"), US)
    services.add_engagement(store, _exercise("DrillBA"), US)

    def found(text: str) -> list[str]:
        listed = services.list_engagements(store, US_READER, text=text)
        return sorted(s.engagement.title for s in listed)

    assert found("100%") == ["Drill 100% ready"]
    assert found("l_A") == ["Drill_A"]
    assert found("%") == ["Drill 100% ready"]
