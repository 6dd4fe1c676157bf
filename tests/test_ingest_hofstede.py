"""The Hofstede importer: row accounting, real facts, the crosswalk, idempotency, bad input."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext
from comity.ingest.datasets.hofstede import IMPORTER, MEASURES, REGIONAL_CODES, SUB_NATIONAL_CODES
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, tables

HEADER = "ctr;country;pdi;idv;mas;uai;ltowvs;ivr"
USA = "USA;U.S.A.;40;91;62;46;26;68"


def _read(paths: list[Path] | None = None) -> tuple[Batch, ImportContext]:
    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "test")
    return IMPORTER.read(paths or bundled_paths(IMPORTER), context), context


def _scores(batch: Batch) -> dict[tuple[str, str], float]:
    return {(s.nation, s.measure): s.value for s in batch.scores}


def _file_rows() -> list[dict[str, str]]:
    path = bundled_paths(IMPORTER)[0]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _stored(store: Store) -> tuple[int, int]:
    with store.connect() as connection:
        scores = connection.execute(
            select(func.count())
            .select_from(tables.nation_scores)
            .where(tables.nation_scores.c.dataset == "hofstede")
        ).scalar_one()
        datasets = connection.execute(
            select(func.count())
            .select_from(tables.datasets)
            .where(tables.datasets.c.name == "hofstede")
        ).scalar_one()
    return int(scores), int(datasets)


def _write(tmp_path: Path, *lines: str, name: str = "hofstede.csv") -> Path:
    path = tmp_path / name
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode("utf-8"))
    return path


@pytest.mark.full_data
def test_every_row_is_accounted_for() -> None:
    batch, context = _read()
    assert batch.rows_read == len(_file_rows()) == 110  # PROVENANCE's "111 rows" counts the header
    assert context.issue_count == 0
    assert context.excluded == {
        # AFE, AFW, ARA
        "regional aggregate, not a nation (AFE, AFW, ARA)": 3,
        # BEF, BEN, CAF, GEE, SAW, SWF, SWG: each country also has a national row
        "sub-national row: the country's national row is kept": 7,
        # #NULL! among the 100 national rows x 6 dimensions
        "dimension not measured (#NULL!)": 141,
    }
    assert not context.corrected
    # 100 national rows x 6 dimensions - 141 not measured
    assert len(batch.scores) == batch.records == 600 - 141 == 459
    assert len({s.nation for s in batch.scores}) == 100
    assert {s.year for s in batch.scores} == {None}
    assert {s.measure for s in batch.scores} == set(MEASURES)


@pytest.mark.full_data
def test_scores_match_the_file() -> None:
    scores = _scores(_read()[0])
    assert (scores["USA", "pdi"], scores["USA", "idv"]) == (40, 91)
    assert scores["CHN", "ltowvs"] == 87  # CHI is China, not Chile
    assert scores["CHL", "pdi"] == 63  # CHL is Chile
    assert scores["DEU", "uai"] == 65  # GER, the national row, not GEE (Germany East)
    assert scores["KOR", "ltowvs"] == 100  # KOR, Korea South
    assert scores["NLD", "mas"] == 14  # NET
    assert scores["SVN", "pdi"] == 71  # Hofstede's SLV is Slovenia
    assert scores["SLV", "ivr"] == 89  # Hofstede's SAL is El Salvador
    assert scores["MNE", "ltowvs"] == 75  # Hofstede's MNG is Montenegro, not Mongolia
    assert scores["PAK", "ivr"] == 0  # a real zero, kept
    assert scores["GRC", "uai"] == 112  # above 100, kept


@pytest.mark.full_data
def test_not_measured_and_sub_national_values_are_not_scores() -> None:
    scores = _scores(_read()[0])
    assert ("ALB", "pdi") not in scores  # Albania;#NULL! for pdi
    assert scores["ALB", "ltowvs"] == 61
    assert ("ISR", "ivr") not in scores and scores["ISR", "pdi"] == 13
    # South Africa's national row has ltowvs and ivr only; SAW (white) is not the nation
    assert {m for n, m in scores if n == "ZAF"} == {"ltowvs", "ivr"}
    assert scores["CAN", "pdi"] == 39 and scores["BEL", "pdi"] == 65 and scores["CHE", "pdi"] == 34
    assert "BEN" not in {n for n, _ in scores}  # Hofstede's BEN is Flemish Belgium, not Benin
    assert "CAF" not in {n for n, _ in scores}  # nor CAF the Central African Republic


@pytest.mark.full_data
def test_every_code_maps_or_is_a_documented_exclusion() -> None:
    resolver = default_resolver()
    codes = [row["ctr"] for row in _file_rows()]
    excluded = set(REGIONAL_CODES) | set(SUB_NATIONAL_CODES)
    mapped = {c: resolver.resolve_key(c, system="hofstede") for c in codes if c not in excluded}
    assert len(mapped) == 100 and len(set(mapped.values())) == 100
    assert excluded <= set(codes)
    assert set(SUB_NATIONAL_CODES.values()) <= set(mapped)  # every part has a national row
    text = resources.files("comity.nations").joinpath("crosswalk_hofstede.tsv").read_text()
    crosswalk = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    assert {row["code"]: row["iso3"] for row in crosswalk} == mapped
    assert {row["system"] for row in crosswalk} == {"hofstede"}


@pytest.mark.full_data
def test_the_coverage_is_one_cross_section() -> None:
    (span,) = _read()[0].coverage
    assert (span.nation, span.first_year, span.last_year) == (None, 2015, 2015)
    assert span.note is not None and "cross-section" in span.note


def test_a_part_without_a_national_row_gives_no_score(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER, "CAF;Canada French;54;73;45;60;#NULL!;#NULL!", USA)
    batch, context = _read([path])
    assert context.issue_count == 0
    assert context.excluded == {
        "sub-national row of a country with no national row: no score": 1,
    }
    assert {s.nation for s in batch.scores} == {"USA"}


@pytest.mark.full_data
def test_importing_twice_changes_nothing(store: Store, operator: Viewer) -> None:
    first = import_dataset(store, IMPORTER, viewer=operator)
    second = import_dataset(store, IMPORTER, viewer=operator)
    assert first.added == 459
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.added


@pytest.mark.full_data
def test_one_changed_value_updates_one_score(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    original = bundled_paths(IMPORTER)[0]
    import_dataset(store, IMPORTER, viewer=operator)
    copy = tmp_path / original.name
    data = original.read_bytes()
    assert data.count(USA.encode()) == 1
    copy.write_bytes(data.replace(USA.encode(), b"USA;U.S.A.;41;91;62;46;26;68"))
    report = import_dataset(store, IMPORTER, [copy], viewer=operator)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 458, 0)


@pytest.mark.parametrize(
    ("lines", "row", "column", "reason"),
    [
        pytest.param(
            [HEADER, "XYZ;Nowhere;1;2;3;4;5;6"], 2, "ctr", "as a hofstede code", id="unknown-code"
        ),
        pytest.param(
            ["ctr;country;pdi;idv;mas;uai;ltowvs", "USA;U.S.A.;40;91;62;46;26"],
            1,
            None,
            "missing column(s) ivr",
            id="missing-column",
        ),
        pytest.param(
            [HEADER, "USA;U.S.A.;forty;91;62;46;26;68"],
            2,
            "pdi",
            "is not a number",
            id="malformed-number",
        ),
        pytest.param(
            [HEADER, "USA;U.S.A.;40;91;62;46;26;"], 2, "ivr", "is not a number", id="empty-value"
        ),
        pytest.param(
            [HEADER, "USA;U.S.A.;-4;91;62;46;26;68"], 2, "pdi", "outside 0-150", id="out-of-range"
        ),
        pytest.param([HEADER, USA, USA], 3, "ctr", "already scored by row 2", id="duplicate"),
        pytest.param([HEADER], None, None, "has a header but no rows", id="header-only"),
        pytest.param([], None, None, "the file is empty", id="empty-file"),
    ],
)
def test_bad_input_is_rejected_and_nothing_is_written(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    lines: list[str],
    row: int | None,
    column: str | None,
    reason: str,
) -> None:
    path = _write(tmp_path, *lines)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, [path], viewer=operator)
    report = caught.value.report
    assert report is not None
    issues = [(i.file, i.row, i.column) for i in report.issues]
    assert issues == [("hofstede.csv", row, column)]
    assert reason.casefold() in report.issues[0].reason.casefold()
    assert _stored(store) == (0, 0)


def test_a_rejected_file_leaves_the_earlier_import_alone(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    good = _write(tmp_path, HEADER, USA, name="good.csv")
    import_dataset(store, IMPORTER, [good], viewer=operator)
    assert _stored(store) == (6, 1)
    bad = _write(tmp_path, HEADER, "USA;U.S.A.;40;91;62;46;26;x", name="bad.csv")
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, [bad], viewer=operator)
    assert _stored(store) == (6, 1)
