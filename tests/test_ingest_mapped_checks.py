"""The generic importer's column-wise checks: every field against the model, problems in order."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity.access import Viewer
from comity.errors import ImportRejectedError, ValidationError
from comity.ingest.base import ImportContext
from comity.ingest.mapped.file import MappedFile
from comity.ingest.mapped.mapping import read_mapping
from comity.model.prepared import prepare
from comity.model.validation import validate_engagement
from comity.nations import default_resolver
from comity.services import list_engagements
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store
from tests.test_ingest_mapped_file import HEADER, LONG

RESOLVER = default_resolver()


def _read(tmp_path: Path, mapping: str, header: list[str], rows: list[list[str]]) -> Any:
    data = tmp_path / "data.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    (tmp_path / "mapping.toml").write_text(mapping, encoding="utf-8")
    context = ImportContext(RESOLVER, RESOLVER.nations, "v")
    batch = MappedFile(read_mapping(tmp_path / "mapping.toml")).read([data], context)
    return batch, [(i.row, i.column, i.value, i.reason) for i in context.issues]


def test_problems_come_engagement_by_engagement_in_the_order_of_the_checks(
    tmp_path: Path,
) -> None:
    rows = [
        ["X1", "T", "2015", "", "Freedonia", "Freedonia", "chief", "-4"],
        ["X1", "T", "2015", "", "Freedonia", "USA", "", "x"],
        ["X2", "T2", "2016-13", "", "", "Narnia", "", ""],
        ["X3", "T3", "2016", "2015", "", "Freedonia", "", ""],
        ["X3", "T3", "2016", "2015", "", "Freedonia", "", ""],
    ]
    _, issues = _read(tmp_path, LONG, HEADER, rows)
    # No known name is close to Freedonia: no guess, the search is offered.
    closest = "unknown nation; Run `comity nations --search TEXT` to look it up."
    again = "unknown nation (see the first problem with this name)"
    assert issues == [
        # The host is resolved first; the same name in a participation points back to it.
        (2, "host", "Freedonia", closest),
        (2, "nation", "Freedonia", again),
        (2, "role", "chief", "is not a role: write host, participant or observer"),
        (2, "personnel", "-4", "Input should be greater than or equal to 0"),
        (3, "personnel", "x", "is not a whole number"),
        # A bad start stops the engagement's checks: Narnia is never looked up.
        (4, "start", "2016-13", "'2016-13' has month 13, which is not 1-12"),
        (5, "end", "2015", "the end (2015) is before the start (2016)"),
        # Names resolve with the year in mind: another year is asked again.
        (5, "nation", "Freedonia", closest),
        (6, "nation", "Freedonia", again),
    ]


LIST = """
[dataset]
name = "visits"
[columns]
id = "id"
start = "start"
[participants]
layout = "list"
column = "who"
separator = ";"
[constants]
kind = "visit"
"""


def test_list_layout_problems(tmp_path: Path) -> None:
    rows = [
        ["V1", "2019", "USA; GBR"],
        ["V1", "2019", "USA"],
        ["V2", "2019", " ; "],
        ["V3", "2019", "FRA;France"],
        ["V4", "2019", "JPN;KOR"],
    ]
    batch, issues = _read(tmp_path, LIST, ["id", "start", "who"], rows)
    assert issues == [
        (3, "id", None, "repeats the id 'V1': in the list layout each engagement is one row"),
        (4, "who", None, "at least one nation takes part"),
        (5, "who", "France", "FRA is listed more than once"),
    ]
    found = {e.external_id: e.participants for e in batch.columns}
    assert found == {
        "visits:V1": (("USA", "participant", None), ("GBR", "participant", None)),
        "visits:V4": (("JPN", "participant", None), ("KOR", "participant", None)),
    }


HOSTS = LONG.replace('host = "host"\n', "")


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["host", ""], None),
        (["host", "host"], [(2, "role", None, "participants name GBR, USA as host")]),
    ],
)
def test_without_a_host_column_the_row_marked_host_is_the_host(
    tmp_path: Path, roles: list[str], expected: Any
) -> None:
    rows = [
        ["X1", "T", "2015", "", "", "USA", roles[0], ""],
        ["X1", "T", "2015", "", "", "GBR", roles[1], ""],
    ]
    batch, issues = _read(tmp_path, HOSTS, HEADER, rows)
    if expected is None:
        assert issues == [] and batch.columns.host == ["USA"]
    else:
        assert issues == expected and batch.columns is None


RICH = """
[dataset]
name = "drills"
[columns]
id = "id"
title = "title"
start = "start"
location = "location"
latitude = "lat"
longitude = "lon"
description = "description"
[participants]
layout = "list"
column = "nations"
[details]
domains = "domains"
scale = "scale"
[constants]
kind = "exercise"
programme = "Pacific series"
"""
RICH_HEADER = [
    "id",
    "title",
    "start",
    "location",
    "lat",
    "lon",
    "description",
    "nations",
    "domains",
    "scale",
]


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ("location", "x" * 301, (2, "location", "x" * 301, "is longer than 300 characters")),
        ("lat", "91", (2, "lat", "91", "is not a number from -90 to 90")),
        ("lon", "east", (2, "lon", "east", "is not a number from -180 to 180")),
        (
            "domains",
            "moon",
            (
                2,
                "domains, scale",
                None,
                "Input should be 'land', 'sea', 'air', "
                "'amphibious', 'joint', 'cyber', 'space', 'hadr' or 'command_post'",
            ),
        ),
        ("id", "D" * 200, (2, "id", "D" * 200, "makes an id longer than 200 characters")),
    ],
)
def test_each_field_of_the_engagement_is_checked(
    tmp_path: Path, cell: str, value: str, expected: tuple[Any, ...]
) -> None:
    row = dict.fromkeys(RICH_HEADER, "")
    row.update({"id": "D1", "title": "Drill", "start": "2004", "nations": "USA;JPN", cell: value})
    _, issues = _read(tmp_path, RICH, RICH_HEADER, [[row[c] for c in RICH_HEADER]])
    assert issues == [expected]


_rich_rows = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.sampled_from(["Drill", "Drill 'quoted'", "Back\\slash", "Ünïcode"]),
            "start": st.sampled_from(["1999", "2004-05", "2010-01-02", "3009-03-05"]),
            "location": st.sampled_from(["", "Guam", "  Guam  ", "x" * 301]),
            "lat": st.sampled_from(["", "13.4", "-90", "91", "0"]),
            "lon": st.sampled_from(["", "144.8", "-180", "east"]),
            "description": st.sampled_from(["", "Live fire", "  as written  "]),
            "nations": st.sampled_from(["USA", "USA;JPN", "USA; GBR ;AUS", "GBR;GBR"]),
            "domains": st.sampled_from(["", "land", "land,sea", "space"]),
            "scale": st.sampled_from(["", "large"]),
        }
    ),
    min_size=1,
    max_size=6,
)


def _model_view(key: str, row: dict[str, str], line: int) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if row["domains"]:
        details["domains"] = row["domains"].split(",")
    if row["scale"]:
        details["scale"] = row["scale"]
    return {
        "kind": "exercise",
        "title": row["title"],
        "start": row["start"],
        "location": row["location"].strip() or None,
        "latitude": row["lat"] or None,
        "longitude": row["lon"] or None,
        "programme": "Pacific series",
        "description": row["description"] or None,
        "details": details,
        "participants": [{"nation": n.strip()} for n in row["nations"].split(";")],
        "external_id": f"drills:{key}",
        "provenance": {"dataset": "drills", "version": "v", "row": str(line)},
    }


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_rich_rows)
def test_every_field_agrees_with_the_model(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    cells = [[f"K{i}", *(row[c] for c in RICH_HEADER[1:])] for i, row in enumerate(rows)]
    batch, issues = _read(tmp_path, RICH, RICH_HEADER, cells)
    rejected = {f"K{line - 2}" for line, *_ in issues}
    accepted = {e.external_id.split(":")[1]: e for e in batch.columns or ()}
    for index, row in enumerate(rows):
        key = f"K{index}"
        try:
            model = validate_engagement(_model_view(key, row, index + 2), RESOLVER.nations)
        except ValidationError:
            assert key in rejected, (key, row)
            continue
        assert key not in rejected, (key, row, issues)
        assert accepted[key] == prepare(model)  # content digest included


def test_a_file_with_a_byte_order_mark_and_several_files_import(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(b"\xef\xbb\xbfid,start,who\r\nV1,2019,USA;GBR\r\n")
    second.write_text("id,start,who\nV2,2020,France\n", encoding="utf-8")
    mapping = tmp_path / "visits.toml"
    mapping.write_text(LIST, encoding="utf-8")
    report = import_dataset(store, mapped_importer(mapping), [first, second], viewer=operator)
    assert (report.rows_read, report.added) == (2, 2)
    found = {s.engagement.external_id: s.engagement for s in list_engagements(store, operator)}
    assert set(found["visits:V1"].nations) == {"GBR", "USA"}
    assert found["visits:V2"].provenance is not None and found["visits:V2"].provenance.row == "2"


def test_an_id_repeated_across_files_is_refused(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        path.write_text("id,start,who\nV1,2019,USA\n", encoding="utf-8")
    mapping = tmp_path / "visits.toml"
    mapping.write_text(LIST, encoding="utf-8")
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, mapped_importer(mapping), [first, second], viewer=operator)
    [issue] = raised.value.report.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("b.csv", 2, "id", "V1")
    assert issue.reason == "repeats an id of an earlier file of this import"
    assert list_engagements(store, operator) == []


KINDS = """
[dataset]
name = "events"
[columns]
id = "id"
kind = "kind"
start = "start"
end = "end"
[participants]
layout = "list"
column = "who"
[dates]
format = "%d/%m/%Y"
"""


def test_kinds_from_a_column_and_dates_in_a_format_of_the_mapping(tmp_path: Path) -> None:
    rows = [
        ["E1", "port_call", "02/05/2019", "04/05/2019", "USA;JPN"],
        ["E2", "agreement", "01/01/2001", "", "USA;AUS"],
        ["E3", "parade", "2019-05-02", "", "FRA"],
    ]
    batch, issues = _read(tmp_path, KINDS, ["id", "kind", "start", "end", "who"], rows)
    assert issues == [
        (4, "kind", "parade", "'parade' is not a valid EngagementKind"),
        (4, "start", "2019-05-02", "'2019-05-02' does not match the date format '%d/%m/%Y'"),
    ]
    good = batch.columns
    assert good is not None
    assert good.kind == ["port_call", "agreement"]
    assert [str(d) for d in good.start_date] == ["2019-05-02", "2001-01-01"]
    # An agreement with no end is in force from its start on; a port call ends when it starts.
    assert good.end_year == [2019, None]
