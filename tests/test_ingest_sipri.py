"""The SIPRI arms-transfers importer: one file per year range, row accounting, facts, bad input."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from comity import services
from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.base import Batch, ImportContext, ImportReport
from comity.ingest.datasets.sipri_arms import IMPORTER, NAMES, REGISTER_FROM
from comity.model.details import ArmsTransferDetails
from comity.model.engagements import Engagement
from comity.nations.resolver import NationResolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store
from tests.helpers import stored_from

TIV_HEADER = "supplier,recipient,year,value,supplier_cown,recipient_cown"
REGISTER_HEADER = (
    "recipient,supplier,order_year,order_year_uncertain,n_ordered,n_ordered_uncertain,"
    "weapon_designation,weapon_description,n_delivered,n_delivered_uncertain,delivery_years,"
    "status,comments,tiv_per_unit,tiv_total_order,tiv_delivered"
)
DEAL = 'Poland,United States,2020,,4,,F-35A,FGA aircraft,4,,"2022; 2023",New,,80,320,320'


def _context() -> ImportContext:
    resolver = NationResolver(extra_aliases=NAMES)
    return ImportContext(resolver, resolver.nations, "test")


def _details(engagement: Engagement) -> ArmsTransferDetails:
    assert isinstance(engagement.details, ArmsTransferDetails)
    return engagement.details


def _recipient(engagement: Engagement) -> str:
    return next(p.nation for p in engagement.participants if p.nation != engagement.host)


def _tiv(batch: Batch) -> dict[tuple[str, str, int], float]:
    return {
        (str(e.host), _recipient(e), e.start_year): _details(e).tiv or 0.0
        for e in batch.engagements
        if isinstance(e, Engagement)
    }


def _write(folder: Path, tiv: list[str], register: list[str] | None = None) -> list[Path]:
    folder.mkdir(exist_ok=True)
    table = folder / "sipri_tiv_dyad_year.csv.gz"
    table.write_bytes(gzip.compress(("\n".join([TIV_HEADER, *tiv]) + "\n").encode()))
    deals = folder / "sipri_trade_register.csv.gz"
    text = "\n".join([REGISTER_HEADER, *(register or [])]) + "\n"
    deals.write_bytes(gzip.compress(text.encode()))
    return [table, deals]


def _stored(store: Store) -> int:
    return stored_from(store, "sipri_arms")


@pytest.fixture(scope="module")
def bundled() -> tuple[Batch, ImportContext]:
    """The bundled files, read once."""
    context = _context()
    return IMPORTER.read(bundled_paths(IMPORTER), context), context


@pytest.mark.full_data
def test_every_row_is_accounted_for(bundled: tuple[Batch, ImportContext]) -> None:
    batch, context = bundled
    assert batch.rows_read == 21_324 + 29_503
    assert context.issue_count == 0
    assert context.excluded == {
        "a party is unknown": 658,
        "a non-state actor is a party (marked *)": 332,
        "an organisation is a party (marked **), not a nation": 139,
        "a party is not a state (Biafra, Katanga, Western Sahara)": 26,
        "a party was not a state in the year of delivery": 154,
        "a deal with nothing delivered yet": 1155,
    }
    assert context.corrected == {}
    assert len(batch.engagements) == 21_902


@pytest.mark.full_data
def test_the_table_gives_1950_to_2021_and_the_register_the_years_after(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, _ = bundled
    estimated = Counter(
        (e.start_year >= REGISTER_FROM, _details(e).tiv_estimated)
        for e in batch.engagements
        if isinstance(e, Engagement)
    )
    # Never both: every year up to 2021 is the table's value, every later one the register's.
    assert set(estimated) == {(False, False), (True, True)}
    years = [e.start_year for e in batch.engagements]
    assert (min(years), max(years)) == (1950, 2024)
    [coverage] = batch.coverage
    assert (coverage.kind, coverage.first_year, coverage.last_year) == ("arms_transfer", 1950, 2024)


@pytest.mark.full_data
def test_facts_of_the_provenance_hold(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    tiv = _tiv(batch)
    # 1. United States -> Australia; 2. China -> Pakistan; 4. United States -> Ukraine.
    assert [tiv[("USA", "AUS", y)] for y in (2019, 2020, 2021)] == [1004, 1131, 929]
    assert [tiv[("CHN", "PAK", y)] for y in (2019, 2020, 2021)] == [455, 541, 753]
    assert [tiv[("USA", "UKR", y)] for y in (2019, 2020, 2021)] == [2, 5, 20]
    # 3. Totals delivered in 2021 by supplier (to nations: organisations and rebels left out).
    totals: dict[str, float] = {}
    for (supplier, _, year), value in tiv.items():
        if year == 2021:
            totals[supplier] = totals.get(supplier, 0.0) + value
    assert totals["USA"] <= 10_609 and totals["USA"] >= 10_500
    assert sorted(totals, key=totals.__getitem__, reverse=True)[:5] == [
        "USA",
        "FRA",
        "RUS",
        "ITA",
        "CHN",
    ]
    # The register's years: 2024 deliveries by supplier, about those PROVENANCE estimates.
    late: dict[str, float] = {}
    for (supplier, _, year), value in tiv.items():
        if year == 2024:
            late[supplier] = late.get(supplier, 0.0) + value
    assert sorted(late, key=late.__getitem__, reverse=True)[:4] == ["USA", "FRA", "DEU", "RUS"]
    assert round(late["USA"]) == pytest.approx(12_344, rel=0.02)


@pytest.mark.full_data
def test_the_largest_partners_are_the_known_ones(bundled: tuple[Batch, ImportContext]) -> None:
    batch, _ = bundled
    tiv = _tiv(batch)
    usa: dict[str, float] = {}
    russia_2010: dict[str, float] = {}
    for (supplier, recipient, year), value in tiv.items():
        if supplier == "USA" and 2000 <= year <= 2010:
            usa[recipient] = usa.get(recipient, 0.0) + value
        if supplier == "RUS" and year == 2010:
            russia_2010[recipient] = russia_2010.get(recipient, 0.0) + value
    assert sorted(usa, key=usa.__getitem__, reverse=True)[:3] == ["KOR", "ISR", "EGY"]
    assert max(russia_2010, key=russia_2010.__getitem__) == "IND"
    assert russia_2010["IND"] == 2294


@pytest.mark.full_data
def test_historic_names_resolve_by_the_year_of_delivery(
    bundled: tuple[Batch, ImportContext],
) -> None:
    batch, _ = bundled
    suppliers = {str(e.host) for e in batch.engagements if e.start_year == 1985}
    assert {"SUN", "CSK"} <= suppliers and "RUS" not in suppliers


@pytest.mark.full_data
def test_a_second_import_changes_nothing(full_store: Store, operator: Viewer) -> None:
    # The template imported the bundled files once: every read record was added.
    assert services.count_engagements(full_store, operator, kinds=["arms_transfer"]) == 21_902
    second = import_dataset(full_store, IMPORTER, viewer=operator)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == 21_902


def test_a_register_year_spreads_a_deal_evenly(tmp_path: Path) -> None:
    paths = _write(tmp_path, ["United States,Poland,2021,10,2,290"], [DEAL])
    batch = IMPORTER.read(paths, _context())
    assert _tiv(batch) == {
        ("USA", "POL", 2021): 10.0,
        ("USA", "POL", 2022): 160.0,
        ("USA", "POL", 2023): 160.0,
    }
    engagement = batch.engagements[1]
    assert isinstance(engagement, Engagement)
    details = _details(engagement)
    assert (details.order_years, details.deals, details.weapons) == ((2020,), 1, "F-35A")


@pytest.mark.parametrize(
    ("tiv", "reason"),
    [
        (["Atlantis,Poland,2021,10,NA,290"], "unknown nation"),
        (["United States,Poland,2021,ten,2,290"], "is not a whole number"),
        (["United States,Poland,2023,10,2,290"], "is not a year of the table"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    store: Store, operator: Viewer, tmp_path: Path, tiv: list[str], reason: str
) -> None:
    before = _stored(store)
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, _write(tmp_path, tiv), viewer=operator)
    report = caught.value.report
    assert isinstance(report, ImportReport)
    assert reason in report.issues[0].reason
    assert _stored(store) == before


def test_a_missing_column_is_refused(store: Store, operator: Viewer, tmp_path: Path) -> None:
    paths = _write(tmp_path, [])
    paths[0].write_bytes(gzip.compress(b"supplier,recipient,year\nUnited States,Poland,2021\n"))
    with pytest.raises(ImportRejectedError) as caught:
        import_dataset(store, IMPORTER, paths, viewer=operator)
    report = caught.value.report
    assert isinstance(report, ImportReport) and "value" in str(report.issues[0])
    assert _stored(store) == 0


def test_a_truncated_or_wrongly_encoded_file_is_refused(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    paths = _write(tmp_path, ["United States,Poland,2021,10,2,290"] * 1)
    whole = paths[0].read_bytes()
    paths[0].write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, paths, viewer=operator)
    text = "\n".join([TIV_HEADER, "Côte d'Ivoire,Poland,2021,10,437,290"]) + "\n"
    paths[0].write_bytes(gzip.compress(text.encode("latin-1")))
    with pytest.raises(ImportRejectedError):
        import_dataset(store, IMPORTER, paths, viewer=operator)
    assert _stored(store) == 0
