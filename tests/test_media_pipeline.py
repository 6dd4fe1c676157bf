"""The media-event pipeline on DuckDB: formats, de-duplication, sources, coverage, errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from comity.analytics.engines import DuckDBEngine
from comity.errors import ComityError
from comity.ingest.base import ImportContext
from comity.ingest.media.gdelt_files import GDELT2_COLUMNS
from comity.ingest.media.pipeline import (
    MediaRun,
    dyad_year_events,
    read_media_output,
    run_media_pipeline,
)
from comity.nations import load_reference
from comity.nations.resolver import default_resolver
from tests.gdelt_rows import event, write_events


def _context() -> ImportContext:
    return ImportContext(default_resolver(), load_reference().nations, "test")


def _run(patterns: list[str], output: Path, min_sources: int = 1) -> tuple[MediaRun, ImportContext]:
    context = _context()
    run = run_media_pipeline(
        patterns, DuckDBEngine(), context, output=output, min_sources=min_sources
    )
    return run, context


def test_gdelt2_has_sixty_one_columns_with_an_adm2_code_per_geography() -> None:
    assert len(GDELT2_COLUMNS) == 61
    assert GDELT2_COLUMNS[-2:] == ("dateadded", "sourceurl")
    assert [c for c in GDELT2_COLUMNS if c.endswith("adm2code")] == [
        "actor1geo_adm2code",
        "actor2geo_adm2code",
        "actiongeo_adm2code",
    ]


def test_dyad_years_count_events_and_average_goldstein_and_tone(tmp_path: Path) -> None:
    rows = [
        event(1, goldsteinscale="7.4", avgtone="2.0"),
        event(
            2,
            actor1countrycode="GBR",
            actor2countrycode="USA",
            eventcode="057",
            goldsteinscale="8.0",
            avgtone="-1.0",
        ),
        event(3, actor2countrycode="JPN", day="20150101", avgtone="4.0"),
    ]
    run, _ = _run([str(write_events(tmp_path / "e.tsv", rows))], tmp_path / "out")
    assert (run.rows_read, run.events, run.dyad_years, run.written) == (3, 3, 2, True)
    table = read_media_output(tmp_path / "out").dyad_years.to_pylist()
    # GBR-USA 2016: two events (either direction), Goldstein (7.4 + 8.0) / 2, tone (2 - 1) / 2.
    assert table[0] == {
        "nation1": "GBR",
        "nation2": "USA",
        "year": 2016,
        "events": 2,
        "goldstein": pytest.approx(7.7),
        "tone": pytest.approx(0.5),
    }
    assert table[1]["nation1"] == "JPN" and table[1]["year"] == 2015


def test_re_reported_events_count_once(tmp_path: Path) -> None:
    rows = [
        event(1, numsources="2"),
        event(1, numsources="5", avgtone="9.0"),  # the same id again: the best-sourced is kept
        event(2, sourceurl="https://news.example.org/1", numsources="3"),  # same content as 1
        event(3, eventcode="064"),
    ]
    run, context = _run([str(write_events(tmp_path / "e.tsv", rows))], tmp_path / "out")
    assert run.events == 2
    assert context.excluded["re-reported event (same id, or same actors, code, day and URL)"] == 2
    events = pq.ParquetDataset(sorted((tmp_path / "out" / "events").glob("*.parquet"))).read()
    kept = {r["event_id"]: (r["sources"], r["tone"]) for r in events.to_pylist()}
    assert kept == {1: (5, 9.0), 3: (2, 1.5)}


def test_min_sources_leaves_out_thinly_reported_events(tmp_path: Path) -> None:
    rows = [event(1, numsources="1"), event(2, numsources="2"), event(3, numsources="4")]
    path = str(write_events(tmp_path / "e.tsv", rows))
    run, context = _run([path], tmp_path / "out", min_sources=3)
    assert run.events == 1
    assert context.excluded["reported by fewer than 3 sources"] == 2
    assert _run([path], tmp_path / "all", min_sources=1)[0].events == 3


def test_codes_regions_and_one_nation_events_are_excluded_with_reasons(tmp_path: Path) -> None:
    rows = [
        event(1),
        event(2, eventcode="190"),
        event(3, actor2countrycode="EUR"),
        event(4, actor2countrycode=""),
        event(5, actor2countrycode="USA"),
    ]
    run, context = _run([str(write_events(tmp_path / "e.tsv", rows))], tmp_path / "out")
    assert run.events == 1
    assert dict(context.excluded) == {
        "event code not among the military-cooperation codes": 1,
        "an actor country code is a region or not a nation (e.g. AFR, EUR, WST)": 1,
        "an actor has no country code": 1,
        "both actors in one nation": 1,
    }


def test_gdelt2_files_zipped_as_published_give_the_same_dyad_years(tmp_path: Path) -> None:
    rows = [event(1), event(2, actor2countrycode="FRA", avgtone="-3.0")]
    one = write_events(tmp_path / "v1.tsv", rows)
    two_rows = [{**r, "dateadded": r["dateadded"] + "101500"} for r in rows]
    two = write_events(tmp_path / "20160728101500.export.CSV", two_rows, version=2)
    archive = tmp_path / "20160728101500.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.write(two, two.name)
    first, _ = _run([str(one)], tmp_path / "a")
    second, _ = _run([str(archive)], tmp_path / "b")
    assert second.files == ["20160728101500.export.CSV.zip:20160728101500.export.CSV"]
    assert second.coverage == first.coverage == [(2016, 1)]
    assert read_media_output(tmp_path / "a").dyad_years.equals(
        read_media_output(tmp_path / "b").dyad_years
    )


def test_parquet_and_header_files_with_gdelt_column_names(tmp_path: Path) -> None:
    rows = [event(1), event(2, actor2countrycode="FRA")]
    text, _ = _run([str(write_events(tmp_path / "e.tsv", rows))], tmp_path / "text")
    named = {("SQLDATE" if k == "day" else k.upper()): [r[k] for r in rows] for k in rows[0]}
    named["GLOBALEVENTID"] = [int(v) for v in named["GLOBALEVENTID"]]  # typed, as BigQuery has it
    pq.write_table(pa.table(named), tmp_path / "events.parquet")
    header = tmp_path / "export.csv"
    header.write_text(
        ",".join(named)
        + "\n"
        + "".join(",".join(str(v[i]) for v in named.values()) + "\n" for i in range(2)),
        encoding="utf-8",
    )
    expected = read_media_output(tmp_path / "text").dyad_years
    for source, name in ((tmp_path / "events.parquet", "p"), (header, "h")):
        run, context = _run([str(source)], tmp_path / name)
        assert context.issues == [] and run.events == 2
        assert read_media_output(tmp_path / name).dyad_years.equals(expected)


def test_globs_read_every_matching_file(tmp_path: Path) -> None:
    write_events(tmp_path / "20160728.export.tsv.gz", [event(1)])
    write_events(
        tmp_path / "20160729.export.tsv",
        [event(2, day="20160729", dateadded="20160729", actor2countrycode="JPN")],
    )
    run, _ = _run([str(tmp_path / "2016072*.export.tsv*")], tmp_path / "out")
    assert sorted(run.files) == ["20160728.export.tsv.gz", "20160729.export.tsv"]
    assert (run.events, run.coverage) == (2, [(2016, 2)])


def test_a_pattern_matching_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ComityError, match="No file matches"):
        _run([str(tmp_path / "none*.tsv")], tmp_path / "out")


def test_years_outside_the_coverage_are_missing_not_zero(tmp_path: Path) -> None:
    # Back-dated: an event of 2014 published in 2016; 2016 is covered, 2014 and 2015 are not.
    rows = [event(1, day="20140301"), event(2, actor2countrycode="FRA")]
    _run([str(write_events(tmp_path / "e.tsv", rows))], tmp_path / "out")
    output = read_media_output(tmp_path / "out")
    assert output.covered_years() == {2016}
    assert dyad_year_events(output, "USA", "FRA", 2016) == 1
    assert dyad_year_events(output, "USA", "JPN", 2016) == 0
    assert dyad_year_events(output, "USA", "JPN", 2015) is None
    assert dyad_year_events(output, "GBR", "USA", 2014) == 1  # counted: a lower bound


def test_a_malformed_value_names_file_line_and_field(tmp_path: Path) -> None:
    rows = [event(1), event(2), event(3, day="2016XX28")]
    path = write_events(tmp_path / "bad.tsv", rows)
    run, context = _run([str(path)], tmp_path / "out")
    assert not run.written and not (tmp_path / "out").exists()
    issue = context.issues[0]
    assert (issue.file, issue.row, issue.column) == ("bad.tsv", 3, "day")
    assert issue.reason == "is not a date (YYYYMMDD) (value '2016XX28')"


def test_a_row_with_the_wrong_number_of_fields_names_its_line(tmp_path: Path) -> None:
    path = write_events(tmp_path / "bad.tsv", [event(1), event(2)], version=2)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\t".join(["x"] * 59) + "\n")
    run, context = _run([str(path)], tmp_path / "out")
    assert not run.written
    issue = context.issues[0]
    assert (issue.file, issue.row) == ("bad.tsv", 3)
    assert issue.reason.startswith("does not have 61 tab-separated fields")


def test_a_file_of_another_shape_is_named(tmp_path: Path) -> None:
    other = tmp_path / "other.tsv"
    other.write_text("a\tb\tc\n", encoding="utf-8")
    run, context = _run([str(other)], tmp_path / "out")
    assert not run.written
    assert str(context.issues[0]) == (
        "other.tsv, row 1: has 3 tab-separated fields: not a GDELT 1.0 (57 or 58) or 2.0 (61) "
        "event file, nor a file with a header of GDELT column names"
    )


def test_a_file_that_cannot_be_read_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    whole = write_events(tmp_path / "whole.tsv.gz", [event(n) for n in range(1, 3000)])
    cut = tmp_path / "cut.tsv.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # a truncated download
    run, context = _run([str(cut)], tmp_path / "out")
    assert not run.written and not (tmp_path / "out").exists()
    assert str(context.issues[0]).startswith("cut.tsv.gz: cannot be read as GDELT event files: ")
    assert "GZIP" in context.issues[0].reason


def test_duckdb_streams_the_files_and_holds_only_what_is_read_again(tmp_path: Path) -> None:
    rows = [event(1), event(2, eventcode="190"), event(3, actor2countrycode="FRA")]
    engine = DuckDBEngine()
    run = run_media_pipeline(
        [str(write_events(tmp_path / "e.tsv", rows))], engine, _context(), output=tmp_path / "out"
    )
    assert run.written and run.events == 2
    # The raw and typed rows are views over the file; the kept events were dropped once read.
    held = {row[0] for row in engine.rows("SELECT table_name FROM duckdb_tables()")}
    assert held - {"reject_scans", "reject_errors"} == {"checked", "deduplicated"}
    assert engine.rows("SELECT COUNT(*) FROM typed") == [(3,)]  # read from the file again
