"""Bad input is refused in one line on every face: numbers beyond their cap, damaged files,
fields no record holds, values the database refuses, a password that cannot be asked for.

Each face is walked with the same values: the CLI, the API, the generic importer, a bundled
importer and an import job of the API. None may print a traceback, "Aborted." or a driver's
message about a block size.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from comity.access import Viewer
from comity.api.schemas import ParticipantIn
from comity.cli import app
from comity.errors import ImportRejectedError, NotFoundError
from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer
from comity.model.engagements import Participant
from comity.model.measures import NationScore
from comity.model.numbers import MAX_PERSONNEL
from comity.planning.candidates import Candidate
from comity.services import accounts
from comity.services.imports import import_dataset, mapped_importer
from comity.store import Store
from tests.api_world import World, serve

OPERATOR = Viewer.operator("tests")
HUGE = "99999999999999999999999"
TOO_MANY = "50000000"
MAPPING = """[dataset]
name = "exchanges"
[columns]
id = "id"
title = "title"
start = "start"
[participants]
layout = "long"
nation = "nation"
personnel = "personnel"
[constants]
kind = "exercise"
"""
TRUNCATED = (
    "Error: {name} cannot be read: it is truncated: the compressed data ends early (Compressed "
    "file ended before the end-of-stream marker was reached); nothing was written.\n"
    "  Hint: Copy or download the file again (`gzip -t {name}` checks it).\n"
)
LONG_FIELD = 20 * 1024 * 1024


def _rows(personnel: str = "500", title: str = "Naval exchange") -> str:
    return (
        "id,title,start,nation,personnel\n"
        f"1,{title},2015,USA,{personnel}\n"
        f"1,{title},2015,JPN,20\n"
        "2,Staff talks,2016,FRA,\n"
        "2,Staff talks,2016,USA,\n"
    )


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    """The mapping of a long-layout file with personnel."""
    path = tmp_path / "exchanges.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _truncated(path: Path, text: str) -> Path:
    """``text`` gzipped, then cut in the middle, as an interrupted download leaves it."""
    whole = gzip.compress(text.encode("utf-8"))
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _many_rows() -> str:
    return "id,title,start,nation,personnel\n" + "".join(
        f"{i},Exchange {i},2015,USA,5\n{i},Exchange {i},2015,JPN,5\n" for i in range(5000)
    )


# One cap per field.


@pytest.mark.parametrize("record", [Participant, ParticipantIn, Candidate])
def test_personnel_has_one_cap_on_every_face(record: Any) -> None:
    schema = record.model_json_schema()["properties"]["personnel"]["anyOf"][0]
    assert (schema["minimum"], schema["maximum"]) == (0, MAX_PERSONNEL) == (0, 10_000_000)


@pytest.mark.parametrize("personnel", [HUGE, TOO_MANY])
def test_cli_add_refuses_personnel_beyond_the_cap(cli: CliRunner, personnel: str) -> None:
    args = f"engagements add --kind exercise --title Big --start 2015 -p USA:{personnel} -p JPN"
    result = cli.invoke(app, args.split())
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "Error: Invalid engagement: participants.0.personnel: Input should be less than or equal "
        f"to 10000000 (got {personnel})\n"
    )


def test_cli_add_refuses_students_beyond_the_cap(cli: CliRunner) -> None:
    args = "engagements add --kind education --title Course --start 2015 -p USA -p JPN --detail"
    result = cli.invoke(app, [*args.split(), f"students={HUGE}"])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "Error: Invalid engagement: details.students: Input should be less than or equal to "
        f"100000000 (got {HUGE})\n"
    )


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    """The API over a fresh store."""
    with serve(store) as served:
        yield served


@pytest.mark.parametrize("personnel", [int(HUGE), int(TOO_MANY)])
def test_api_post_refuses_personnel_beyond_the_cap(world: World, personnel: int) -> None:
    participants = [{"nation": "USA", "personnel": personnel}, {"nation": "JPN"}]
    body = {"kind": "exercise", "title": "Big", "start": "2015", "participants": participants}
    answer = world.client.post("/api/v1/engagements", json=body, headers=world.headers("planner"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    fields = [(e["field"], e["reason"]) for e in answer.json()["errors"]]
    assert fields == [
        ("participants.0.personnel", "Input should be less than or equal to 10000000")
    ]


@pytest.mark.parametrize("personnel", [HUGE, TOO_MANY, "5e7", "1e400"])
def test_generic_import_refuses_personnel_beyond_the_cap(
    store: Store, mapping: Path, tmp_path: Path, personnel: str
) -> None:
    path = tmp_path / "exchanges.csv"
    path.write_text(_rows(personnel), encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, mapped_importer(mapping), [path], viewer=OPERATOR)
    issues = caught.value.report.issues  # type: ignore[attr-defined]
    reason = (
        "is not a whole number"
        if personnel == "1e400"
        else "Input should be less than or equal to 10000000"
    )
    assert [(i.file, i.row, i.column, i.value, i.reason) for i in issues] == [
        ("exchanges.csv", 2, "personnel", personnel, reason)
    ]


def test_generic_import_takes_personnel_up_to_the_cap(
    store: Store, mapping: Path, tmp_path: Path
) -> None:
    path = tmp_path / "exchanges.csv"
    path.write_text(_rows(str(MAX_PERSONNEL)), encoding="utf-8")
    report = import_dataset(store, mapped_importer(mapping), [path], viewer=OPERATOR)
    assert (report.added, report.issue_count) == (2, 0)


def test_cli_import_names_the_row_of_personnel_beyond_the_cap(
    cli: CliRunner, mapping: Path, tmp_path: Path
) -> None:
    path = tmp_path / "exchanges.csv"
    path.write_text(_rows(HUGE), encoding="utf-8")
    result = cli.invoke(app, ["import", "--mapping", str(mapping), str(path), "--json"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "OverflowError" not in result.output
    assert result.stderr.startswith("Error: exchanges: 1 problem(s) found; nothing was written.")
    assert '"reason": "Input should be less than or equal to 10000000"' in result.stdout


def _import_job(world: World, files: Sequence[tuple[str, bytes]], mapping: bytes) -> Any:
    response = world.client.post(
        "/api/v1/imports",
        headers=world.headers("planner"),
        files=[("mapping", ("m.toml", mapping)), *(("files", f) for f in files)],
    )
    assert response.status_code == 202, response.text
    return world.client.app.state.import_jobs.wait(response.json()["id"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("personnel", [HUGE, TOO_MANY])
def test_an_import_job_refuses_personnel_beyond_the_cap(world: World, personnel: str) -> None:
    job = _import_job(world, [("x.csv", _rows(personnel).encode())], MAPPING.encode())
    assert job.status == "rejected"
    # The import is keyed by the planner's nation (USA/exchanges): the message names it so.
    dataset, message = job.message.split(": ", 1)
    assert dataset.endswith("exchanges")
    assert message == (
        "1 problem(s) found; nothing was written. First: x.csv, row 2, personnel: "
        f"'{personnel}' Input should be less than or equal to 10000000"
    )


# Damaged compressed files.


@pytest.mark.parametrize("flags", [[], ["--json"], ["--dry-run"]])
def test_a_truncated_gzip_file_is_one_line_naming_it(
    cli: CliRunner, mapping: Path, tmp_path: Path, flags: list[str]
) -> None:
    path = _truncated(tmp_path / "exchanges.csv.gz", _many_rows())
    result = cli.invoke(app, ["import", "--mapping", str(mapping), str(path), *flags])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == TRUNCATED.format(name="exchanges.csv.gz")


def test_with_debug_the_traceback_ends_with_the_message(
    cli: CliRunner, mapping: Path, tmp_path: Path
) -> None:
    path = _truncated(tmp_path / "exchanges.csv.gz", _many_rows())
    result = cli.invoke(app, ["--debug", "import", "--mapping", str(mapping), str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportRejectedError)
    assert f"Error: {result.exception.message}\n  Hint: {result.exception.hint}\n" == (
        TRUNCATED.format(name="exchanges.csv.gz")
    )


def test_a_truncated_bundled_file_is_one_line_naming_it(cli: CliRunner, tmp_path: Path) -> None:
    bundled = Path(__file__).resolve().parents[1] / "src/comity/data/mme_exercises/mme_v7.csv.gz"
    text = gzip.decompress(bundled.read_bytes()).decode("utf-8")
    path = _truncated(tmp_path / "mme_v7.csv.gz", text)
    result = cli.invoke(app, ["import", "mme_exercises", str(path)])
    assert result.exit_code == 1
    assert result.stderr == TRUNCATED.format(name="mme_v7.csv.gz")


def test_a_corrupt_gzip_file_is_one_line_naming_it(
    cli: CliRunner, mapping: Path, tmp_path: Path
) -> None:
    whole = bytearray(gzip.compress(_many_rows().encode("utf-8")))
    whole[20:70] = bytes(50)
    path = tmp_path / "exchanges.csv.gz"
    path.write_bytes(bytes(whole))
    result = cli.invoke(app, ["import", "--mapping", str(mapping), str(path)])
    assert result.exit_code == 1
    first, hint = result.stderr.splitlines()
    assert first.startswith(
        "Error: exchanges.csv.gz cannot be read: its compressed data is damaged"
    )
    assert first.endswith("; nothing was written.")
    assert hint == "  Hint: Copy or download the file again (`gzip -t exchanges.csv.gz` checks it)."


def test_a_file_named_gz_that_is_not_gzip_is_one_line(
    cli: CliRunner, mapping: Path, tmp_path: Path
) -> None:
    path = tmp_path / "exchanges.csv.gz"
    path.write_text(_rows(), encoding="utf-8")
    result = cli.invoke(app, ["import", "--mapping", str(mapping), str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: exchanges.csv.gz cannot be read: its compressed data is damaged (Not a gzipped "
        "file (b'id')); nothing was written."
    )


def test_a_damaged_zip_of_events_is_one_line_naming_it(cli: CliRunner, tmp_path: Path) -> None:
    archive = tmp_path / "20160728.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("20160728.export.CSV", "x\t" * 60 + "x\n")
    archive.write_bytes(archive.read_bytes()[:-30])  # the central directory is cut off
    result = cli.invoke(app, ["import", "gdelt_sample", str(archive)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 20160728.export.CSV.zip cannot be read: its compressed data is damaged (File is "
        "not a zip file); nothing was written.\n"
        "  Hint: Copy or download the file again (`unzip -t 20160728.export.CSV.zip` checks it).\n"
    )


def test_an_import_job_of_a_truncated_file_fails_with_the_same_message(world: World) -> None:
    whole = gzip.compress(_many_rows().encode("utf-8"))
    job = _import_job(world, [("x.csv.gz", whole[: len(whole) // 2])], MAPPING.encode())
    assert job.status == "rejected"
    expected = TRUNCATED.format(name="x.csv.gz").splitlines()[0].removeprefix("Error: ")
    assert job.message == expected


# Fields no record holds.


def test_a_field_of_20_megabytes_names_its_file_row_and_column(
    cli: CliRunner, mapping: Path, tmp_path: Path
) -> None:
    path = tmp_path / "exchanges.csv"
    path.write_text(_rows(title="x" * LONG_FIELD), encoding="utf-8")
    result = cli.invoke(app, ["import", "--mapping", str(mapping), str(path)])
    assert result.exit_code == 1
    assert "straddling" not in result.output
    assert result.stderr == (
        "Error: exchanges.csv, row 2, title: a field holds 20,971,520 characters, more than the "
        "131,072 an import reads; nothing was written.\n"
        "  Hint: A quote left open makes the rest of the file one field: check the quotes on and "
        "before that row.\n"
    )


def test_a_long_field_in_a_column_not_read_is_no_problem(
    store: Store, mapping: Path, tmp_path: Path
) -> None:
    path = tmp_path / "exchanges.csv"
    lines = _rows().splitlines()
    lines = [lines[0] + ",notes", lines[1] + "," + "y" * LONG_FIELD, *(f"{x}," for x in lines[2:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_dataset(store, mapped_importer(mapping), [path], viewer=OPERATOR)
    assert (report.added, report.issue_count) == (2, 0)


def test_a_long_field_in_a_bundled_dataset_layout_names_its_row(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "hofstede.csv"
    path.write_text(
        "ctr;country;pdi;idv;mas;uai;ltowvs;ivr\nAUS;Australia;36;90;61;51;21;71\n"
        f"AUT;{'x' * LONG_FIELD};11;55;79;70;60;63\n",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["import", "hofstede", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: hofstede.csv, row 3: a field is longer than the 131,072 characters an import "
        "reads; nothing was written."
    )


def test_an_import_job_with_a_long_field_fails_with_the_same_message(world: World) -> None:
    job = _import_job(world, [("x.csv", _rows(title="x" * LONG_FIELD).encode())], MAPPING.encode())
    assert job.status == "rejected"
    assert job.message == (
        "x.csv, row 2, title: a field holds 20,971,520 characters, more than the 131,072 an "
        "import reads; nothing was written."
    )


# Values the database refuses.


class _Scores(Importer):
    """An importer whose scores the model never checked (as a bundled reader's are not)."""

    def __init__(self, scores: list[NationScore]) -> None:
        self.info = DatasetInfo(
            name="probe",
            title="Probe",
            files=(),
            citation="",
            licence="",
            version="1",
            becomes="scores",
        )
        self.scores = scores

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        return Batch(scores=self.scores, rows_read=len(self.scores))


def _refusal(store: Store, tmp_path: Path, score: NationScore) -> str:
    path = tmp_path / "scores.csv"
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, _Scores([score]), [path], viewer=OPERATOR)
    message = caught.value.message
    assert "\n" not in message and message.endswith("; nothing was written.")
    return message


def test_a_broken_reference_names_the_dataset_and_table(any_store: Store, tmp_path: Path) -> None:
    message = _refusal(any_store, tmp_path, NationScore("probe", "m", "ZZZ", 2000, 1.0))
    assert message.startswith("probe: the store refused a record of nation_scores: ")
    if not any_store.is_sqlite:
        assert "(Key (nation)=(ZZZ) is not present in table" in message


def test_a_number_too_large_for_the_store_is_one_line(any_store: Store, tmp_path: Path) -> None:
    message = _refusal(any_store, tmp_path, NationScore("probe", "m", "USA", 10**20, 1.0))
    assert message == (
        "probe: the store refused a number too large for an integer column (Python int too "
        "large to convert to SQLite INTEGER); nothing was written."
        if any_store.is_sqlite
        else "probe: the store refused nation_scores.year = 100000000000000000000: integer out "
        "of range; nothing was written."
    )


@pytest.mark.postgres
def test_a_text_too_long_for_its_column_names_the_field(pg_store: Store, tmp_path: Path) -> None:
    message = _refusal(pg_store, tmp_path, NationScore("probe", "m" * 50, "USA", 2000, 1.0))
    assert message == (
        f"probe: the store refused nation_scores.measure = '{'m' * 50}': value too long for type "
        "character varying(40); nothing was written."
    )


# A password that cannot be asked for.


@pytest.mark.parametrize("typed", [None, "piped password\npiped password\n"])
def test_init_admin_without_a_terminal_names_both_ways_to_give_a_password(
    cli: CliRunner, store: Store, monkeypatch: pytest.MonkeyPatch, typed: str | None
) -> None:
    monkeypatch.delenv("COMITY_ADMIN_PASSWORD", raising=False)
    result = cli.invoke(app, ["init", "--admin", "root", "--admin-nation", "USA"], input=typed)
    assert result.exit_code == 1
    assert "Aborted" not in result.output and "GetPassWarning" not in result.output
    assert result.stderr == (
        "Error: No password for the administrator root: there is no terminal to ask on; set "
        "COMITY_ADMIN_PASSWORD or give --generate-password.\n"
    )
    with pytest.raises(NotFoundError):
        accounts.get_user(store, username="root")


# --- Numbers given on the command line ---------------------------------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("args", "bound"),
    [
        (["engagements", "show", HUGE], "2147483647"),
        (["engagements", "delete", HUGE, "--yes"], "2147483647"),
        (["engagements", "list", "--limit", HUGE], "1000000000"),
        (["engagements", "list", "--offset", HUGE], "1000000000"),
        (["notes", "delete", HUGE], "2147483647"),
        (["network", "--year", HUGE], "3000"),
        (["ties", "USA", "--year", HUGE], "3000"),
        (["export", "network", "--year", HUGE], "3000"),
        (["orgs", "NATO", "--year", HUGE], "3000"),
    ],
)
def test_a_number_beyond_its_range_is_a_usage_error_naming_the_bound(
    cli: CliRunner, args: list[str], bound: str
) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert bound in result.output and "Traceback" not in result.output
