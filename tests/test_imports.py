"""Behaviour every import shares: dry runs, names files, rejection, idempotency, sources."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from comity.access import Role, Viewer
from comity.errors import ImportRejectedError, NotFoundError, PermissionDeniedError
from comity.ingest.base import ImportContext
from comity.ingest.catalog import IMPORTERS, get_importer
from comity.services import count_engagements, list_engagements
from comity.services import imports as imports_service
from comity.services.imports import (
    bundled_paths,
    datasets_to_import,
    import_dataset,
    list_sources,
    read_names,
)
from comity.store import Store
from tests.helpers import sqlite_dump_digest

VISITS_HEADER = (
    "Title,Name,Start Day,Start Month,Start Year,City Visited,State Visit,End Day,End Month,"
    "End Year"
)


def _visits(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "visits.csv"
    path.write_text("\n".join([VISITS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_unknown_dataset_lists_the_known_ones(store: Store, operator: Viewer) -> None:
    with pytest.raises(NotFoundError) as raised:
        import_dataset(store, "exercises", viewer=operator)
    assert raised.value.message == "No dataset named 'exercises'."
    assert "mme_exercises" in (raised.value.hint or "")


def test_a_missing_file_is_refused(store: Store, operator: Viewer, tmp_path: Path) -> None:
    with pytest.raises(ImportRejectedError, match="does not exist or is not a file"):
        import_dataset(store, "us_senior_visits", [tmp_path / "nope.csv"], viewer=operator)


def test_a_viewer_may_not_import(store: Store) -> None:
    with pytest.raises(PermissionDeniedError):
        import_dataset(store, "us_senior_visits", viewer=Viewer(name="v", nation="USA"))


def test_a_dry_run_reports_and_writes_nothing(store: Store, operator: Viewer) -> None:
    before = sqlite_dump_digest(store)
    report = import_dataset(store, "us_senior_visits", viewer=operator, dry_run=True)
    assert (report.dry_run, report.written, report.added) == (True, False, 362)
    assert sqlite_dump_digest(store) == before


def test_a_rejected_import_leaves_the_store_byte_for_byte(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    import_dataset(store, "us_senior_visits", viewer=operator)
    before = sqlite_dump_digest(store)
    bad = _visits(
        tmp_path,
        "Secretary of the Army,A. Person,1,2,2003,,FRA,3,2,2003",
        "Secretary of the Army,A. Person,1,2,2004,,Atlantis,3,2,2004",
        "Secretary of the Army,A. Person,x,2,2005,,DEU,3,2,2005",
    )
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, "us_senior_visits", [bad], viewer=operator)
    report = raised.value.report
    assert [(i.file, i.row, i.column) for i in report.issues] == [
        ("visits.csv", 3, "State Visit"),
        ("visits.csv", 4, "Start Day/Month/Year"),
    ]
    assert (
        report.issues[0].reason
        == "unknown nation; Run `comity nations --search TEXT` to look it up."
    )
    assert raised.value.message.startswith(
        "us_senior_visits: 2 problem(s) found; nothing was written."
    )
    assert sqlite_dump_digest(store) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty: no header line"),
        (b"Title,Name\nA,B\n", "missing column(s) Start Day"),
        (b"Title,Name,\xff\xfe\n", "is not UTF-8 text"),
    ],
)
def test_broken_files_are_explained(
    store: Store, operator: Viewer, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "visits.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, "us_senior_visits", [path], viewer=operator)
    assert reason in raised.value.report.issues[0].reason
    assert raised.value.report.issues[0].file == "visits.csv"
    assert count_engagements(store, operator) == 0


def test_importing_twice_changes_nothing_and_an_edit_updates_one(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    first = import_dataset(store, "us_senior_visits", viewer=operator)
    second = import_dataset(store, "us_senior_visits", viewer=operator)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.added == 362
    original = bundled_paths(get_importer("us_senior_visits"))[0].read_text(encoding="utf-8")
    edited = tmp_path / "edited.csv"
    edited.write_text(
        original.replace(
            "Michael B. Donley,21,4,2012,,JPN", "Michael B. Donley,21,4,2012,Misawa,JPN"
        ),
        encoding="utf-8",
    )
    third = import_dataset(store, "us_senior_visits", [edited], viewer=operator)
    assert (third.added, third.updated, third.unchanged, third.removed) == (0, 1, 361, 0)
    misawa = list_engagements(store, operator, text="Misawa")
    assert [s.engagement.location for s in misawa] == ["Misawa"]


def test_a_row_removed_from_the_file_is_removed(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    import_dataset(store, "us_senior_visits", viewer=operator)
    lines = (
        bundled_paths(get_importer("us_senior_visits"))[0].read_text(encoding="utf-8").splitlines()
    )
    shorter = tmp_path / "shorter.csv"
    shorter.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    report = import_dataset(store, "us_senior_visits", [shorter], viewer=operator)
    assert (report.removed, report.added) == (1, 0)


def test_names_files_map_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("name,nation\nBaltic States,est\nKorea,KOR\n", encoding="utf-8")
    assert read_names(path) == {"Baltic States": "EST", "Korea": "KOR"}
    tabbed = tmp_path / "names.tsv"
    tabbed.write_text("Atlantis\tGRC\n", encoding="utf-8")
    assert read_names(tabbed) == {"Atlantis": "GRC"}
    broken = tmp_path / "broken.csv"
    broken.write_text("only one column\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError, match="broken.csv, line 1: write a name and a nation"):
        read_names(broken)


def test_a_names_file_makes_an_unknown_name_known(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    data = _visits(tmp_path, "Secretary of the Army,A. Person,1,2,2004,,Freedonia,3,2,2004")
    with pytest.raises(ImportRejectedError):
        import_dataset(store, "us_senior_visits", [data], viewer=operator)
    report = import_dataset(
        store, "us_senior_visits", [data], viewer=operator, names={"Freedonia": "FRA"}
    )
    assert report.added == 1
    with pytest.raises(ImportRejectedError, match="unknown nation keys: ZZZ"):
        import_dataset(
            store, "us_senior_visits", [data], viewer=operator, names={"Freedonia": "ZZZ"}
        )


def test_sources_list_every_dataset_with_citation(store: Store, operator: Viewer) -> None:
    before = {s.importer.info.name: s.imported for s in list_sources(store)}
    assert set(before) == set(IMPORTERS) and all(v is None for v in before.values())
    import_dataset(store, "us_senior_visits", viewer=operator)
    after = {s.importer.info.name: s for s in list_sources(store)}
    record = after["us_senior_visits"].imported
    assert record is not None
    assert (record.records, record.first_year, record.last_year) == (362, 1992, 2012)
    assert all(s.importer.info.citation for s in after.values())


def test_only_new_or_changed_datasets_are_imported_again(store: Store, operator: Viewer) -> None:
    assert "us_senior_visits" in datasets_to_import(store)
    import_dataset(store, "us_senior_visits", viewer=operator)
    assert "us_senior_visits" not in datasets_to_import(store)
    assert "us_senior_visits" in datasets_to_import(store, force=True)


def test_a_new_revision_of_the_readers_imports_the_bundled_datasets_again(
    store: Store, operator: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What an importer derives from unchanged files can change (coverage, censored spells):
    # the reader's revision is part of the version, so such a store is brought up to date.
    import_dataset(store, "us_senior_visits", viewer=operator)
    monkeypatch.setattr(imports_service, "READER_REVISION", imports_service.READER_REVISION + 1)
    assert "us_senior_visits" in datasets_to_import(store)
    import_dataset(store, "us_senior_visits", viewer=operator)
    assert "us_senior_visits" not in datasets_to_import(store)


def test_the_report_is_json_ready(store: Store, operator: Viewer) -> None:
    report = import_dataset(store, "us_senior_visits", viewer=operator)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["excluded"]["visit to a US territory, not a foreign visit"] == 7
    assert data["rejected"] == 0 and data["written"] is True


def test_an_analyst_role_is_not_enough(store: Store) -> None:
    analyst = Viewer(name="a", nation="USA", role=Role.ANALYST)
    with pytest.raises(PermissionDeniedError, match="needs the role planner"):
        import_dataset(store, "organisations", viewer=analyst)


def test_the_cycle_collector_pauses_during_an_import_and_runs_again_after(
    store: Store, operator: Viewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    reader = get_importer("us_senior_visits")
    original = type(reader).read

    def watched(self: object, paths: list[Path], context: ImportContext) -> object:
        seen.append(gc.isenabled())
        return original(self, paths, context)  # type: ignore[arg-type]

    monkeypatch.setattr(type(reader), "read", watched)
    assert gc.isenabled()
    import_dataset(store, "us_senior_visits", viewer=operator)
    with pytest.raises(ImportRejectedError):
        import_dataset(store, "us_senior_visits", [_visits(tmp_path, "bad")], viewer=operator)
    assert seen == [False, False]
    assert gc.isenabled()


def test_bundled_importers_take_the_protocol_defaults() -> None:
    for importer in IMPORTERS.values():
        assert importer.bundled, importer.info.name
        assert importer.releasability is None
    # Only SIPRI and the troop counts spell a nation the registry does not know.
    named = {name: dict(i.extra_names) for name, i in IMPORTERS.items() if i.extra_names}
    assert named == {"sipri_arms": {"East Germany (GDR)": "DDR"}, "us_troops": {"KSV": "XKX"}}
