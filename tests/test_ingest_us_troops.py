"""The US troops importer: yearly presence, war deployments and own territory, bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext, ImportReport
from comity.ingest.datasets.us_troops import IMPORTER, read_war_deployments
from comity.model.engagements import Engagement
from comity.nations.resolver import NationResolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store
from tests.helpers import stored_from

HEADER = "ccode,iso3c,countryname,year,month,troops_ad"
BASES = "countryname,ccode,iso3c,basename,lat,lon,base,lilypad,fundedsite\n"


def _context() -> ImportContext:
    resolver = NationResolver(extra_aliases=IMPORTER.extra_names)
    return ImportContext(resolver, resolver.nations, "test")


def _personnel(batch: Batch) -> dict[tuple[str, int], int]:
    return {
        (str(e.host), e.start_year): next(p.personnel or 0 for p in e.participants if p.personnel)
        for e in batch.engagements
        if isinstance(e, Engagement)
    }


def _top(batch: Batch, year: int) -> list[str]:
    found = sorted(
        ((n, host) for (host, y), n in _personnel(batch).items() if y == year), reverse=True
    )
    return [host for _, host in found[:3]]


def _write(folder: Path, lines: list[str], encoding: str = "utf-8") -> list[Path]:
    quarters = folder / "troopdata_country_quarter.csv.gz"
    text = "\n".join([HEADER, *lines]) + "\n"
    quarters.write_bytes(gzip.compress(text.encode(encoding)))
    bases = folder / "vine_basedata.csv"
    bases.write_text(BASES, encoding="utf-8")
    return [quarters, bases]


def _stored(store: Store) -> int:
    return stored_from(store, "us_troops")


@pytest.fixture(scope="module")
def bundled() -> tuple[Batch, ImportContext]:
    """The bundled files, read once."""
    context = _context()
    return IMPORTER.read(bundled_paths(IMPORTER), context), context


@pytest.mark.full_data
def test_every_row_is_accounted_for(bundled: tuple[Batch, ImportContext]) -> None:
    batch, context = bundled
    assert batch.rows_read == 29_629 + 414
    assert context.issue_count == 0
    # 8,824 host-years have troops; 6,606 of them fewer than 100 personnel (an embassy's staff).
    assert len(batch.engagements) == 2218
    assert set(context.excluded) == {
        "a base in the United States or its territories, not abroad",
        "the provider's own territory (the United States or a US territory)",
        "a territory that is not a state of its own",
        "the host was not a state that year",
        "a war deployment, not stationing by consent in peacetime",
        "no troops reported that year",
        "no troops in the year's median report",
        "fewer than 100 personnel: an embassy's Marine guards and defence attaché office, "
        "not stationed forces",
    }
    assert context.excluded["a base in the United States or its territories, not abroad"] == 31
    assert set(context.corrected) == {
        "a report of 0 in a year whose median is not: the median is used",
        "a report about double the year's others (Japan June 2021): the median is used",
        "two places of one nation in one year (Kosovo in Yugoslavia before 2008, "
        "Serbia under two codes): their personnel summed",
    }
    [coverage] = batch.coverage
    assert (coverage.kind, coverage.nation, coverage.first_year, coverage.last_year) == (
        "presence",
        "USA",
        1950,
        2025,
    )


@pytest.mark.full_data
def test_facts_of_the_provenance_hold(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    personnel = _personnel(batch)
    # 1. Japan 2025 median 53,701; Japan 2021 median 56,419 (the doubled June set aside).
    assert personnel[("JPN", 2025)] == 53_701
    assert personnel[("JPN", 2021)] == 56_419
    # 2. Germany 2025 median 36,160; South Korea 2025 median 47,137.
    assert personnel[("DEU", 2025)] == 36_160
    assert personnel[("KOR", 2025)] == 47_137
    # 4. Vine: Germany has 44 facilities, Japan 42, South Korea 32.
    bases = {
        str(e.host): e.details.bases  # type: ignore[union-attr]
        for e in batch.engagements
        if e.start_year == 2020
    }
    assert (bases["DEU"], bases["JPN"], bases["KOR"]) == (44, 42, 32)
    # Before the list's year the records have no bases.
    assert all(e.location is None for e in batch.engagements if e.start_year < 2015)


@pytest.mark.full_data
def test_the_largest_presences_are_the_known_ones(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    assert set(_top(batch, 2020)) == {"JPN", "KOR", "DEU"}
    assert _top(batch, 2020) == ["JPN", "KOR", "DEU"]
    assert _top(batch, 1990) == ["DEU", "KOR", "JPN"]


@pytest.mark.full_data
def test_war_deployments_and_own_territory_are_not_presence(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, _ = bundled
    personnel = _personnel(batch)
    hosts = {host for host, _ in personnel}
    assert "USA" not in hosts
    for war in read_war_deployments():
        for year in range(war.first_year, war.last_year + 1):
            assert (war.host, year) not in personnel
    # Korea after the armistice, Iraq between its wars' years and Afghanistan before 2001 count.
    assert personnel[("KOR", 1954)] > 0 and ("AFG", 2010) not in personnel
    assert ("XVN", 1970) not in personnel and ("IRQ", 2012) in personnel
    # An embassy's Marines and attachés are not a presence: China, Russia, France in 2020.
    assert {("CHN", 2020), ("RUS", 2020), ("FRA", 2020)}.isdisjoint(personnel)
    assert personnel[("ISR", 2020)] == 100 and personnel[("THA", 2020)] == 106
    # Only the last year of the source stays in force.
    ends = {(e.start_year, e.end is None) for e in batch.engagements if isinstance(e, Engagement)}
    assert {(2025, True), (2024, False)} <= ends and (2025, False) not in ends


@pytest.mark.full_data
def test_a_second_import_changes_nothing(store: Store, operator: Viewer) -> None:
    first = import_dataset(store, IMPORTER, viewer=operator)
    second = import_dataset(store, IMPORTER, viewer=operator)
    assert first.added == 2218
    assert (second.added, second.updated, second.removed) == (0, 0, 0)


def test_a_doubled_and_a_zero_quarter_give_way_to_the_median(tmp_path: Path) -> None:
    lines = [
        f"740,JPN,Japan,2021,{month},{troops}"
        for month, troops in (
            ("March", 56000),
            ("June", 109928),
            ("September", 0),
            ("December", 56419),
        )
    ]
    context = _context()
    batch = IMPORTER.read(_write(tmp_path, lines), context)
    assert _personnel(batch) == {("JPN", 2021): 56_210}
    assert sum(context.corrected.values()) == 2


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("999,ATL,Atlantis,2020,June,10", "unknown nation"),
        ("740,JPN,Japan,2020,June,many", "is not a number"),
        ("740,JPN,Japan,1949,June,10", "is not a year of the file"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    store: Store, operator: Viewer, tmp_path: Path, line: str, reason: str
) -> None:
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, _write(tmp_path, [line]), viewer=operator)
    report = caught.value.report
    assert isinstance(report, ImportReport)
    assert reason in report.issues[0].reason
    assert _stored(store) == 0


def test_a_missing_column_a_truncated_or_wrongly_encoded_file_is_refused(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    paths = _write(tmp_path, ["740,JPN,Japan,2020,June,10"])
    paths[0].write_bytes(gzip.compress(b"ccode,iso3c,year\n740,JPN,2020\n"))
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, paths, viewer=operator)
    paths = _write(tmp_path, ["740,JPN,Japan,2020,June,10"] * 50)
    whole = paths[0].read_bytes()
    paths[0].write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, paths, viewer=operator)
    paths = _write(tmp_path, ["385,NOR,Norvège,2020,June,10"], encoding="latin-1")
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, paths, viewer=operator)
    assert _stored(store) == 0
