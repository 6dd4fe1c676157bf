"""The generic importer: mappings, formats, layouts, bad input, and agreement with the model."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity.access import Role, Viewer
from comity.errors import ImportRejectedError, ValidationError
from comity.ingest.base import ImportContext
from comity.ingest.mapped.file import MappedFile
from comity.ingest.mapped.mapping import read_mapping
from comity.model.prepared import prepare
from comity.model.validation import validate_engagement
from comity.nations import default_resolver
from comity.services import count_engagements, list_engagements
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store
from tests.helpers import sqlite_dump_digest

LONG = """
[dataset]
name = "exchanges"
title = "Officer exchanges"
[columns]
id = "id"
title = "title"
start = "start"
end = "end"
host = "host"
[participants]
layout = "long"
nation = "nation"
role = "role"
personnel = "personnel"
[constants]
kind = "training"
"""
HEADER = ["id", "title", "start", "end", "host", "nation", "role", "personnel"]


def _write(tmp_path: Path, rows: list[list[str]], mapping: str = LONG) -> tuple[Path, Path]:
    data = tmp_path / "data.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    path = tmp_path / "mapping.toml"
    path.write_text(mapping, encoding="utf-8")
    return path, data


GOOD = [
    ["X1", "Staff talks", "2015-03", "2015-03", "USA", "USA", "", "10"],
    ["X1", "Staff talks", "2015-03", "2015-03", "USA", "United Kingdom", "", "5"],
    ["X2", "Law of armed conflict seminar", "2016", "", "France", "France", "", ""],
    ["X2", "Law of armed conflict seminar", "2016", "", "France", "Germany", "observer", "3"],
]


def test_long_layout_groups_rows_into_engagements(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    mapping, data = _write(tmp_path, GOOD)
    report = import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    assert (report.rows_read, report.added) == (4, 2)
    found = {s.engagement.title: s.engagement for s in list_engagements(store, operator)}
    talks = found["Staff talks"]
    assert [(p.nation, p.role.value, p.personnel) for p in talks.participants] == [
        ("USA", "host", 10),
        ("GBR", "participant", 5),
    ]
    assert talks.kind.value == "training" and str(talks.start) == "2015-03"
    seminar = found["Law of armed conflict seminar"]
    assert seminar.host == "FRA" and seminar.end is None
    assert {p.nation: p.role.value for p in seminar.participants} == {
        "FRA": "host",
        "DEU": "observer",
    }
    assert seminar.provenance is not None and seminar.provenance.row == "4"
    assert seminar.external_id == "exchanges:X2"


def test_a_second_import_changes_nothing_and_an_edit_updates_one(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    mapping, data = _write(tmp_path, GOOD)
    import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    again = import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    changed = [row[:] for row in GOOD]
    changed[0][7] = "12"
    mapping, data = _write(tmp_path, changed)
    third = import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 1)


def test_a_record_edited_in_comity_compares_equal_when_unchanged(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # The digest does not depend on the order participants are listed in.
    mapping, data = _write(tmp_path, GOOD)
    import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    reordered = [GOOD[1], GOOD[0], GOOD[3], GOOD[2]]
    mapping, data = _write(tmp_path, reordered)
    report = import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    assert (report.unchanged, report.updated) == (2, 0)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [["X1", "T", "2015", "", "USA", "Freedonia", "", ""]],
            [(2, "nation", "unknown nation; Run `comity nations --search TEXT` to look it up.")],
        ),
        (
            [["X1", "T", "2015-05", "2015-04", "USA", "USA", "", ""]],
            [(2, "end", "the end (2015-04) is before the start (2015-05)")],
        ),
        (
            [["X1", "T", "2015", "", "JPN", "USA", "", ""]],
            [(2, "host", "the host JPN must be among the participants")],
        ),
        (
            [["X1", "T", "2015", "", "", "USA", "", "-4"]],
            [(2, "personnel", "Input should be greater than or equal to 0")],
        ),
        (
            [["X1", "T", "1980", "", "", "UKR", "", ""]],
            [(2, "nation", "Ukraine was not a state in 1980 (state-system years 1991-)")],
        ),
        (
            [["X1", "T", "soon", "", "", "USA", "", ""]],
            [
                (
                    2,
                    "start",
                    "'soon' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD (xx for an "
                    "unknown part)",
                )
            ],
        ),
        (
            [
                ["X1", "T", "2015", "", "", "USA", "", ""],
                ["X1", "T2", "2015", "", "", "GBR", "", ""],
            ],
            [(3, "title", "differs from line 2 of the same engagement")],
        ),
        (
            [["X1", "T", "2015", "", "", "USA", "", ""], ["X1", "T", "2015", "", "", "US", "", ""]],
            [(3, "nation", "USA is listed more than once")],
        ),
        (
            [["", "T", "2015", "", "", "USA", "", ""]],
            [(2, "id", "is empty: every row needs an id")],
        ),
        (
            [["X1", "T", "2015", "", "", "USA", "chief", ""]],
            [(2, "role", "is not a role: write host, participant or observer")],
        ),
    ],
)
def test_bad_rows_name_file_row_and_column_and_write_nothing(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    rows: list[list[str]],
    expected: list[tuple[int, str, str]],
) -> None:
    mapping, data = _write(tmp_path, rows)
    before = sqlite_dump_digest(store)
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    issues = raised.value.report.issues
    assert [(i.row, i.column, i.reason) for i in issues] == expected
    assert all(i.file == "data.csv" for i in issues)
    assert sqlite_dump_digest(store) == before


_LATIN_1 = "id,title,start,end,host,nation,role,personnel\nX1,Café,2015,,,Côte d'Ivoire,,\n".encode(
    "latin-1"
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"id,title,start\nX1,T,2015\n", "missing column(s) end, host, nation, role, personnel"),
        (_LATIN_1, "is not UTF-8 text"),
        (
            b"id,title,start,end,host,nation,role,personnel\nX1,T,2015,,,USA,,,,extra\n",
            "is not well-formed",
        ),
    ],
)
def test_broken_files(
    store: Store, operator: Viewer, tmp_path: Path, content: bytes, reason: str
) -> None:
    mapping, _ = _write(tmp_path, [])
    data = tmp_path / "broken.csv"
    data.write_bytes(content)
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, mapped_importer(mapping), [data], viewer=operator)
    first = raised.value.report.issues[0]
    assert first.file == "broken.csv" and reason in first.reason
    assert count_engagements(store, operator) == 0


def test_list_layout_and_json_and_parquet_formats(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    mapping = tmp_path / "visits.toml"
    mapping.write_text(
        """
[dataset]
name = "visits_log"
[columns]
id = "ref"
title = "what"
start = "when"
[participants]
layout = "list"
column = "who"
separator = "|"
[constants]
kind = "visit"
releasability = "REL USA,GBR"
[details]
level = "level"
""",
        encoding="utf-8",
    )
    records = [
        {
            "ref": "V1",
            "what": "Minister in London",
            "when": "2019-05-02",
            "who": "USA|GBR",
            "level": "minister",
        },
        {
            "ref": "V2",
            "what": "Chiefs in Canberra",
            "when": "2019-06",
            "who": "USA|Australia",
            "level": "chief_of_defence",
        },
    ]
    (tmp_path / "visits.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "visits.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records), encoding="utf-8"
    )
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "visits.parquet")
    for name in ("visits.json", "visits.jsonl", "visits.parquet"):
        report = import_dataset(store, mapped_importer(mapping), [tmp_path / name], viewer=operator)
        assert report.added + report.unchanged == 2, name
    found = {s.engagement.title: s.engagement for s in list_engagements(store, operator)}
    london = found["Minister in London"]
    assert london.nations == ("GBR", "USA") or set(london.nations) == {"GBR", "USA"}
    assert london.details is not None and london.details.level.value == "minister"
    assert str(london.releasability) == "REL GBR,USA"


def test_a_label_the_importer_could_not_read_is_refused(store: Store, tmp_path: Path) -> None:
    mapping, data = _write(tmp_path, GOOD, LONG + 'releasability = "REL USA"\n')
    french = Viewer(name="fr", nation="FRA", role=Role.PLANNER)
    with pytest.raises(ValidationError, match="must include your own nation"):
        import_dataset(store, mapped_importer(mapping), [data], viewer=french)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dataset\n", "is not valid TOML"),
        ("[dataset]\nname='x'\n", "columns: Field required"),
        (LONG.replace('kind = "training"', 'kind = "parade"'), "constants.kind: Input should be"),
        (LONG.replace('layout = "long"', 'layout = "list"'), "the list layout needs `column`"),
        (LONG.replace('kind = "training"', ""), "name the kind"),
        (LONG + "\n[wrong]\nx = 1\n", "wrong: Extra inputs are not permitted"),
    ],
)
def test_mapping_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRejectedError) as raised:
        read_mapping(path)
    assert message in raised.value.message
    assert "m.toml" in raised.value.message


def test_a_mapping_without_files_is_refused(store: Store, operator: Viewer, tmp_path: Path) -> None:
    mapping, _ = _write(tmp_path, GOOD)
    with pytest.raises(ImportRejectedError, match="has no bundled files"):
        import_dataset(store, mapped_importer(mapping), viewer=operator)


# --- The column-by-column checks agree with the model on random input --------------------------

_NATIONS = ["USA", "USA", "GBR", "GBR", "FRA", "UKR", "SUN", "ZZZ"]
_records = st.lists(
    st.fixed_dictionaries(
        {
            # Valid values are drawn more often, so that many records pass and are compared.
            "title": st.sampled_from(["A", "Talks", "Talks", "  padded  ", ""]),
            "start": st.sampled_from(
                ["1985", "1988-03", "1991-12-30", "1995-07-01", "1995", "1995", "bad"]
            ),
            "end": st.sampled_from(["", "", "", "1984", "1991", "1995-07", "1996"]),
            "host": st.sampled_from(["", "", "", "USA", "FRA", "SUN"]),
            "members": st.lists(
                st.tuples(
                    st.sampled_from(_NATIONS),
                    st.sampled_from(["", "", "", "host", "participant", "observer"]),
                    st.sampled_from(["", "0", "25", "25", "-3"]),
                ),
                min_size=1,
                max_size=4,
            ),
        }
    ),
    min_size=1,
    max_size=6,
)


def _model_view(key: str, record: dict[str, Any], line: int) -> dict[str, Any]:
    participants = []
    for nation, role, personnel in record["members"]:
        entry: dict[str, Any] = {"nation": nation}
        if role:
            entry["role"] = role
        if personnel:
            entry["personnel"] = int(personnel)
        participants.append(entry)
    return {
        "kind": "training",
        "title": record["title"].strip() or "",
        "start": record["start"],
        "end": record["end"] or None,
        "host": record["host"] or None,
        "participants": participants,
        "external_id": f"exchanges:{key}",
        "provenance": {"dataset": "exchanges", "version": "v", "row": str(line)},
    }


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=_records)
def test_column_checks_agree_with_the_model(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    rows, lines, line = [], {}, 2
    for index, record in enumerate(records):
        key = f"K{index}"
        lines[key] = line
        for nation, role, personnel in record["members"]:
            rows.append(
                [
                    key,
                    record["title"],
                    record["start"],
                    record["end"],
                    record["host"],
                    nation,
                    role,
                    personnel,
                ]
            )
            line += 1
    mapping, data = _write(tmp_path, rows)
    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "v")
    batch = MappedFile(read_mapping(mapping)).read([data], context)
    row_owner = {}
    for key, first in lines.items():
        count = len(records[int(key[1:])]["members"])
        for offset in range(count):
            row_owner[first + offset] = key
    rejected = {row_owner[i.row] for i in context.issues if i.row is not None}
    assert not batch.engagements  # the reader hands over columns
    accepted = {e.external_id.split(":")[1]: e for e in batch.columns or ()}
    for index, record in enumerate(records):
        key = f"K{index}"
        try:
            model = validate_engagement(_model_view(key, record, lines[key]), resolver.nations)
        except ValidationError:
            assert key in rejected, (key, record)
            continue
        assert key not in rejected, (key, record, context.issues)
        assert accepted[key] == prepare(model)
