"""The DCAD importer: row accounting, real facts, censoring and successions, idempotency, input."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from comity import services
from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext
from comity.ingest.datasets.dcad import (
    CORRECTED_CODE,
    CORRECTED_EIF_BEFORE_SIGNATURE,
    CORRECTED_EIF_WITHOUT_YEAR,
    CORRECTED_STATE_ENDED,
    CORRECTED_SUCCESSION,
    EXCLUDED_SAME_STATE,
    IMPORTER,
)
from comity.model.engagements import Engagement
from comity.nations.resolver import default_resolver
from comity.services.analytics import compute_dyad_years
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store

HEADER = (
    "ccode1,cowName1,ccode2,cowName2,signDay,signMonth,signYear,EIFDay,EIFMonth,EIFYear,type,"
    "category1,category2,category3,span,renewType,renewYears,terminated,durationActual,"
    "endYearEstimate,asymmetry,categoryConf,UNTS,fullText,sourceType,source,factivaConf,"
    "factivaSign,factivaEIF,DCAid"
)
# USA-Singapore, general DCA signed 1990, in force to DCAD's end (2010): censored.
CENSORED = "2,USA,830,SIN,13,11,1990,13,11,1990,general,DCA,,,,,,0,,2010,1,high,,Y,treaty,T,,,,X-1"
# USA-Canada procurement agreement signed March 1985, no entry into force, ended 1995.
ENDED = (
    "2,USA,20,CAN,,3,1985,,,,sector,PROCUREMENT,TREX,,5,-66,-66,1,,1995,0,med,,Y,treaty,T,,,,X-2"
)


def _read(paths: list[Path] | None = None) -> tuple[Batch, ImportContext]:
    resolver = default_resolver()
    context = ImportContext(resolver, resolver.nations, "test")
    return IMPORTER.read(paths or bundled_paths(IMPORTER), context), context


def _by_id(batch: Batch) -> dict[str, Engagement]:
    return {e.external_id or "": e for e in batch.engagements if isinstance(e, Engagement)}


def _write(tmp_path: Path, lines: list[str], name: str = "dcad.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _summary(engagement: Engagement) -> tuple[tuple[str, ...], str, str | None, str, str | None]:
    details = engagement.details
    assert details is not None and details.kind == "agreement"
    return (
        engagement.nations,
        str(engagement.start),
        None if engagement.end is None else str(engagement.end),
        details.category or "",
        None if details.signed is None else str(details.signed),
    )


# The bundled file.


@pytest.mark.full_data
def test_every_row_is_accounted_for() -> None:
    batch, context = _read()
    assert context.issue_count == 0, context.issues[:5]
    assert batch.rows_read == 1871
    assert context.excluded == Counter({EXCLUDED_SAME_STATE: 2})
    assert context.corrected == Counter(
        {
            CORRECTED_SUCCESSION: 11,
            CORRECTED_EIF_BEFORE_SIGNATURE: 5,
            CORRECTED_STATE_ENDED: 5,
            CORRECTED_CODE: 2,
            CORRECTED_EIF_WITHOUT_YEAR: 1,
        }
    )
    # 1,869 agreements, 11 of them carried on by Serbia after Yugoslavia in a second record.
    assert len(batch.engagements) == 1871 - 2 + 11 == 1880
    assert [span.kind for span in batch.coverage] == ["agreement"]
    assert (batch.coverage[0].first_year, batch.coverage[0].last_year) == (1980, 2010)
    assert batch.coverage[0].nation is None


@pytest.mark.full_data
def test_first_and_last_agreements_match_the_source() -> None:
    found = _by_id(_read()[0])
    first = found["dcad:DCADv1.0-0001"]
    assert _summary(first) == (("CAN", "USA"), "1984-04-01", None, "PROCUREMENT", "1984-04-01")
    assert first.details is not None and first.details.kind == "agreement"
    assert first.details.scope is not None and first.details.scope.value == "sector"
    last = found["dcad:DCADv1.0-1909"]
    assert _summary(last) == (("IDN", "PNG"), "2010-03-12", None, "DCA", "2010-03-12")
    assert last.details is not None and last.details.kind == "agreement"
    assert last.details.scope is not None and last.details.scope.value == "general"


@pytest.mark.full_data
def test_nations_with_most_agreements() -> None:
    counts: Counter[str] = Counter()
    for engagement in _read()[0].engagements:
        assert isinstance(engagement, Engagement)
        if ":" in (engagement.external_id or "").removeprefix("dcad:"):
            continue  # a successor's record of an agreement already counted
        counts.update(engagement.nations)
    # PROVENANCE: RUS 171, USA 153, TUR 141, UKR 140, SPN 110 (the Soviet Union's are RUS's).
    assert counts["RUS"] + counts["SUN"] == 171
    assert (counts["USA"], counts["TUR"], counts["UKR"], counts["ESP"]) == (153, 141, 140, 110)


@pytest.mark.full_data
def test_united_states_and_india() -> None:
    found = sorted(
        (
            e
            for e in _read()[0].engagements
            if isinstance(e, Engagement) and e.nations == ("IND", "USA")
        ),
        key=lambda e: str(
            e.details.signed if e.details is not None and e.details.kind == "agreement" else ""
        ),
    )
    summaries = [(_summary(e)[4] or "")[:4] + " " + _summary(e)[3] for e in found]
    assert summaries == ["1991 TREX", "1995 DIC", "2004 RESEARCH", "2005 DIC", "2006 RESEARCH"]
    assert [_summary(e)[2] for e in found[:2]] == ["1997", "2001"]


@pytest.mark.full_data
def test_china_and_russia() -> None:
    found = [e for e in _read()[0].engagements if isinstance(e, Engagement)]
    pair = sorted(
        (_summary(e)[4] or "", _summary(e)[3]) for e in found if e.nations == ("CHN", "RUS")
    )
    assert len(pair) == 10
    assert [(signed[:4], category) for signed, category in pair[:2]] == [
        ("1992", "PROCUREMENT"),
        ("1992", "PROCUREMENT"),
    ]


@pytest.mark.full_data
def test_known_errors_of_the_file_are_put_right() -> None:
    found = _by_id(_read()[0])
    # Code 652 (Syria) written with Egypt's abbreviation, and Bolivia paired with itself.
    assert found["dcad:DCADv1.0-0108"].nations == ("EGY", "USA")
    assert found["dcad:DCADv1.0-0297"].nations == ("BOL", "VEN")
    # In force before signature: from signature.
    assert str(found["dcad:DCADv1.0-0688"].start) == "2004-03-08"
    # A row with no partner: left out.
    assert "dcad:DCADv1.0-1625" not in found and "dcad:DCADv1.0-1847" not in found


@pytest.mark.full_data
def test_an_agreement_in_force_when_a_state_ends() -> None:
    found = _by_id(_read()[0])
    # Yugoslavia's agreement with the United Kingdom passes to Serbia with CoW code 345.
    assert _summary(found["dcad:DCADv1.0-0373"])[:3] == (
        ("GBR", "YUG"),
        "2002-03-08",
        "2006-06-04",
    )
    assert _summary(found["dcad:DCADv1.0-0373:GBR-SRB"])[:3] == (("GBR", "SRB"), "2006-06-05", None)
    # Czechoslovakia's ends with it, though DCAD estimates it in force to 2010.
    assert _summary(found["dcad:DCADv1.0-0500"])[:3] == (("CSK", "FRA"), "1992-04-03", "1992-12-31")


@pytest.mark.full_data
def test_agreements_in_force_at_the_end_of_coverage_have_no_end() -> None:
    found = [e for e in _read()[0].engagements if isinstance(e, Engagement)]
    open_ended = [e for e in found if e.end is None]
    # 1,202 rows end in 2010: less India's with itself and the 3 Czechoslovak ones ending with
    # their state; 10 Yugoslav ones end in 2006 and go on as Serbia's, with no end.
    assert len(open_ended) == 1202 - 1 - 3 - 10 + 10
    assert all(e.end is None or e.end.year < 2010 for e in found)
    # Signed by 2010, in force only from 2011-2013: they start then, beyond the coverage.
    later = [e for e in found if e.start.year > 2010]
    assert len(later) == 44 and all(e.end is None for e in later)


# Small files: censoring, bad input, idempotence.


def test_a_standing_agreement_is_carried_to_the_end_of_coverage_and_no_further(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    report = import_dataset(store, IMPORTER, [_write(tmp_path, [CENSORED, ENDED])], viewer=operator)
    assert (report.added, report.rows_read) == (2, 2)
    assert report.coverage == ["agreement 1980-2010, every pair"]
    found = {
        s.engagement.external_id: s.engagement
        for s in services.list_engagements(store, operator, kinds=["agreement"])
    }
    censored, ended = found["dcad:X-1"], found["dcad:X-2"]
    assert (str(censored.start), censored.end) == ("1990-11-13", None)
    assert (str(ended.start), str(ended.end)) == ("1985-03", "1995")
    assert ended.details is not None and ended.details.kind == "agreement"
    assert (ended.details.scope, ended.details.category) == ("sector", "PROCUREMENT")
    assert ended.description is not None and "PROCUREMENT, TREX" in ended.description
    # In force every year to the end of the coverage; after it, observed no more.
    table = compute_dyad_years(store, operator, horizon=2015, use_cache=False).table.to_pandas()
    rows = table[(table["iso3_1"] == "SGP") & (table["iso3_2"] == "USA")].set_index("year")
    assert list(rows.index) == list(range(1990, 2016))
    assert (rows.loc[1990:2010, "projected_share"] == 0).all()
    assert (rows.loc[2011:2015, "projected_share"] > 0).all()
    assert (rows.loc[2011:2015, "last_observed_year"] == 2010).all()


def test_import_twice_changes_nothing_the_second_time(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write(tmp_path, [CENSORED, ENDED])
    first = import_dataset(store, IMPORTER, [path], viewer=operator)
    second = import_dataset(store, IMPORTER, [path], viewer=operator)
    assert first.added == 2
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)


_OTHER = CENSORED.replace(",X-1", ",X-3")
_BAD_ROWS = {
    "unknown country": (_OTHER.replace("830,SIN", "9999,XXX"), "ccode2", "9999"),
    "abbreviation of another state": (_OTHER.replace("830,SIN", "830,JPN"), "cowName2", "JPN"),
    "not a year": (ENDED.replace(",1995,", ",19x5,"), "endYearEstimate", "19x5"),
    "unknown category": (ENDED.replace("PROCUREMENT", "ARMS"), "category1", "ARMS"),
    "not general or sector": (ENDED.replace("sector", "bilateral"), "type", "bilateral"),
    "not a day": (_OTHER.replace("13,11,1990,13", "31,11,1990,13"), "signDay", "31"),
}


@pytest.mark.parametrize("line, column, value", list(_BAD_ROWS.values()), ids=list(_BAD_ROWS))
def test_import_rejects_a_bad_row_and_leaves_the_store_unchanged(
    store: Store, operator: Viewer, tmp_path: Path, line: str, column: str, value: str
) -> None:
    import_dataset(store, IMPORTER, [_write(tmp_path, [ENDED], name="good.csv")], viewer=operator)
    before = services.count_engagements(store, operator)
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, IMPORTER, [_write(tmp_path, [CENSORED, line])], viewer=operator)
    report = raised.value.report
    assert report is not None
    [issue] = report.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("dcad.csv", 3, column, value)
    assert services.count_engagements(store, operator) == before == 1


def test_import_rejects_a_missing_column(store: Store, operator: Viewer, tmp_path: Path) -> None:
    header = HEADER.replace(",endYearEstimate", ",endYear")
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(
            store, IMPORTER, [_write(tmp_path, [CENSORED], header=header)], viewer=operator
        )
    report = raised.value.report
    assert report is not None
    [issue] = report.issues
    assert (issue.row, issue.reason.split(";")[0]) == (1, "missing column(s) endYearEstimate")
    assert services.count_engagements(store, operator) == 0


def test_import_rejects_a_file_that_is_not_utf8(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = tmp_path / "dcad.csv"
    path.write_bytes(
        ("\n".join([HEADER, CENSORED.replace("treaty,T", "traité,T")]) + "\n").encode("latin-1")
    )
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, IMPORTER, [path], viewer=operator)
    report = raised.value.report
    assert report is not None
    [issue] = report.issues
    assert issue.reason.startswith("is not UTF-8 text (byte 0xe9")
    assert services.count_engagements(store, operator) == 0


def test_import_rejects_a_truncated_file(store: Store, operator: Viewer, tmp_path: Path) -> None:
    whole = gzip.compress(("\n".join([HEADER, CENSORED, ENDED]) + "\n").encode("utf-8"))
    path = tmp_path / "DCAD-v1.0-main.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, [path], viewer=operator)
    assert services.count_engagements(store, operator) == 0
