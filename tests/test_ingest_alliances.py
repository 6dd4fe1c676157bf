"""ATOP and CoW alliance importers: directed dyad-years folded into undirected alliance spells."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from comity import services
from comity.access import Viewer
from comity.errors import ImportRejectedError, UnknownNationError
from comity.ingest.base import Importer
from comity.ingest.datasets import alliance_spells, atop_alliances, cow_alliances
from comity.model.engagements import Engagement
from comity.nations.resolver import default_resolver
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, open_store
from comity.store.imports import list_coverage

ATOP = atop_alliances.IMPORTER
COW = cow_alliances.IMPORTER
_ATOP_HEADER = "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul"
_COW_HEADER = "ccode1,ccode2,year,cow_defense,cow_neutral,cow_nonagg,cow_entente"
_FLAGS = {
    "atop_alliances": [
        "atop_defense",
        "atop_offense",
        "atop_neutral",
        "atop_nonagg",
        "atop_consul",
    ],
    "cow_alliances": ["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"],
}
# Codes of the bundled files that do not resolve, with the reason they are left out: none.
_UNRESOLVED_CODES: dict[int, str] = {}


def _write(tmp_path: Path, header: str, lines: list[str], name: str = "atop.csv.gz") -> Path:
    path = tmp_path / name
    text = "\n".join([header, *lines]) + "\n"
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _both_orders(code1: int, code2: int, years: range, flags: str) -> list[str]:
    """Rows of a pair in both orders, as the directed files list them."""
    return [
        f"{a},{b},{year},{flags}" for a, b in ((code1, code2), (code2, code1)) for year in years
    ]


def _spells(store: Store, viewer: Viewer, nation: str, partner: str) -> list[Engagement]:
    found = services.list_engagements(
        store, viewer, nation=nation, partner=partner, kinds=["alliance"]
    )
    return [stored.engagement for stored in found]


def _summary(engagement: Engagement) -> tuple[str, str, str, list[str]]:
    assert engagement.details is not None and engagement.details.kind == "alliance"
    return (
        engagement.external_id or "",
        str(engagement.start),
        str(engagement.end),
        [pledge.value for pledge in engagement.details.pledges],
    )


# Hand-built files: the spell rules exactly.


def test_both_orders_fold_into_one_undirected_pair(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write(tmp_path, _ATOP_HEADER, _both_orders(2, 200, range(1960, 1963), "1,0,0,0,1"))
    report = import_dataset(store, ATOP, [path], viewer=operator)
    assert (report.rows_read, report.added, dict(report.corrected)) == (6, 1, {})
    [spell] = _spells(store, operator, "USA", "GBR")
    assert _summary(spell) == (
        "atop_alliances:GBR-USA:1960",
        "1960",
        "1962",
        ["defence", "consultation"],
    )
    assert spell.title == "ATOP alliance: United Kingdom - United States (defence, consultation)"
    assert [(p.nation, p.role.value) for p in spell.participants] == [
        ("GBR", "participant"),
        ("USA", "participant"),
    ]
    assert spell.host is None
    assert spell.provenance is not None
    assert (spell.provenance.dataset, spell.provenance.row) == ("atop_alliances", "2")
    assert spell.provenance.version == report.version


def test_a_gap_of_a_year_splits_a_spell(store: Store, operator: Viewer, tmp_path: Path) -> None:
    lines = _both_orders(2, 740, range(1960, 1962), "1,0,0,0,0")
    lines += _both_orders(2, 740, range(1963, 1964), "1,0,0,0,0")
    import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    assert [_summary(e) for e in _spells(store, operator, "USA", "JPN")] == [
        ("atop_alliances:JPN-USA:1960", "1960", "1961", ["defence"]),
        ("atop_alliances:JPN-USA:1963", "1963", "1963", ["defence"]),
    ]


def test_a_change_of_pledges_splits_a_spell(store: Store, operator: Viewer, tmp_path: Path) -> None:
    lines = _both_orders(2, 740, range(1951, 1953), "1,0,0,0,1")
    lines += _both_orders(2, 740, range(1953, 1955), "1,0,0,1,1")
    import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    assert [_summary(e) for e in _spells(store, operator, "USA", "JPN")] == [
        ("atop_alliances:JPN-USA:1951", "1951", "1952", ["defence", "consultation"]),
        (
            "atop_alliances:JPN-USA:1953",
            "1953",
            "1954",
            ["defence", "non_aggression", "consultation"],
        ),
    ]


def test_a_soviet_pair_splits_into_soviet_union_and_russia(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    lines = _both_orders(290, 365, range(1990, 1994), "0,0,0,1,1")
    import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    assert [_summary(e) for e in _spells(store, operator, "POL", "SUN")] == [
        ("atop_alliances:POL-SUN:1990", "1990", "1991", ["non_aggression", "consultation"]),
    ]
    assert [_summary(e) for e in _spells(store, operator, "POL", "RUS")] == [
        ("atop_alliances:POL-RUS:1992", "1992", "1993", ["non_aggression", "consultation"]),
    ]


def test_a_row_with_no_pledge_is_excluded_and_counted(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    lines = _both_orders(2, 20, range(1960, 1962), "1,0,0,0,0")
    lines += _both_orders(140, 160, range(1860, 1861), "0,0,0,0,0")
    report = import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    assert report.excluded == {alliance_spells.EXCLUDED_NO_PLEDGE: 2}
    assert report.added == 1
    assert _spells(store, operator, "ARG", "BRA") == []


def test_orders_that_differ_take_the_union_and_are_counted(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # 1951: the United States pledges defence to Japan, not the reverse (ATOP codes direction).
    # 1952: the reverse order is missing altogether.
    lines = ["2,740,1951,1,0,0,0,1", "740,2,1951,0,0,0,0,1", "2,740,1952,1,0,0,0,1"]
    report = import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    assert report.corrected == {
        alliance_spells.CORRECTED_ORDERS_DIFFER: 1,
        alliance_spells.CORRECTED_ONE_ORDER: 1,
    }
    assert [_summary(e) for e in _spells(store, operator, "USA", "JPN")] == [
        ("atop_alliances:JPN-USA:1951", "1951", "1952", ["defence", "consultation"]),
    ]


def test_two_codes_of_one_nation_merge_and_never_pair_with_themselves(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # CoW lists West Germany (260) and Germany (255) side by side in 1990; both are DEU.
    lines = _both_orders(2, 260, range(1989, 1991), "1,0,1,1")
    lines += _both_orders(2, 255, range(1990, 1992), "1,0,0,1")
    lines += _both_orders(255, 260, range(1990, 1991), "1,0,1,1")
    path = _write(tmp_path, _COW_HEADER, lines, name="cow.csv")
    report = import_dataset(store, COW, [path], viewer=operator)
    assert report.excluded == {alliance_spells.EXCLUDED_SAME_NATION: 2}
    assert report.corrected == {alliance_spells.CORRECTED_SAME_ORDER: 2}
    assert [_summary(e) for e in _spells(store, operator, "USA", "DEU")] == [
        ("cow_alliances:DEU-USA:1989", "1989", "1990", ["defence", "non_aggression", "entente"]),
        ("cow_alliances:DEU-USA:1991", "1991", "1991", ["defence", "entente"]),
    ]


def test_a_spell_whose_member_was_never_a_state_is_excluded(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # ATOP lists the Czech Republic and Slovakia allied in 1992; both became states in 1993.
    lines = _both_orders(316, 317, range(1992, 1993), "1,0,0,0,1")
    lines += _both_orders(316, 317, range(1993, 1995), "0,0,0,1,1")
    report = import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    assert report.excluded == {alliance_spells.EXCLUDED_NOT_A_STATE: 1}
    assert [_summary(e) for e in _spells(store, operator, "CZE", "SVK")] == [
        ("atop_alliances:CZE-SVK:1993", "1993", "1994", ["non_aggression", "consultation"]),
    ]


def test_a_spell_in_force_in_the_last_year_has_no_end(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # ATOP ends in 2018, the USA-Philippines treaty does not: the spell is right-censored.
    lines = _both_orders(2, 840, range(2015, 2019), "1,0,0,0,1")
    lines += _both_orders(2, 740, range(2015, 2018), "1,0,0,0,1")
    import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    [philippines] = _spells(store, operator, "USA", "PHL")
    assert _summary(philippines) == (
        "atop_alliances:PHL-USA:2015",
        "2015",
        "None",
        ["defence", "consultation"],
    )
    assert philippines.last_day is None
    [japan] = _spells(store, operator, "USA", "JPN")
    assert _summary(japan)[1:3] == ("2015", "2017")


def test_a_censored_spell_keeps_its_id_when_imported_again(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _write(tmp_path, _ATOP_HEADER, _both_orders(2, 840, range(2010, 2019), "1,0,0,0,1"))
    first = import_dataset(store, ATOP, [path], viewer=operator)
    second = import_dataset(store, ATOP, [path], viewer=operator)
    assert (first.added, second.added, second.updated, second.unchanged) == (1, 0, 0, 1)


@pytest.mark.parametrize(
    ("importer", "header", "flags", "last"),
    [(ATOP, _ATOP_HEADER, "1,0,0,0,0", 2018), (COW, _COW_HEADER, "1,0,0,0", 2012)],
    ids=["atop", "cow"],
)
def test_each_dataset_covers_alliances_of_every_pair_to_its_last_year(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    importer: Importer,
    header: str,
    flags: str,
    last: int,
) -> None:
    path = _write(tmp_path, header, _both_orders(2, 200, range(last - 1, last + 1), flags))
    report = import_dataset(store, importer, [path], viewer=operator)
    first = 1815 if importer is ATOP else 1816
    assert report.coverage == [f"alliance {first}-{last}, every pair"]
    with store.connect() as connection:
        [span] = list_coverage(connection)[importer.info.name]
    assert (span.kind, span.nation, span.organisation) == ("alliance", None, None)
    [spell] = _spells(store, operator, "USA", "GBR")
    assert (str(spell.start), spell.end) == (str(last - 1), None)


def test_import_twice_changes_nothing_the_second_time(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    lines = _both_orders(2, 200, range(1949, 1960), "1,0,0,1,1")
    lines += _both_orders(290, 365, range(1990, 1994), "0,0,0,1,1")
    path = _write(tmp_path, _ATOP_HEADER, lines)
    first = import_dataset(store, ATOP, [path], viewer=operator)
    second = import_dataset(store, ATOP, [path], viewer=operator)
    assert first.added == 3
    assert (second.added, second.updated, second.unchanged) == (0, 0, first.added)


# Bad input: every problem is an issue naming its place, and nothing is written.

_BAD_FILES = {
    "non-numeric year": (
        ["2,200,1960,1,0,0,0,1", "200,2,19x0,1,0,0,0,1"],
        ("atop.csv.gz", 3, "year", "19x0"),
    ),
    "unknown code": (
        ["2,9999,1960,1,0,0,0,1", "9999,2,1960,1,0,0,0,1"],
        ("atop.csv.gz", 2, "ccode2", "9999"),
    ),
    "flag not 0 or 1": (["2,200,1960,1,0,2,0,1"], ("atop.csv.gz", 2, "atop_neutral", "2")),
}


@pytest.mark.parametrize("lines, where", list(_BAD_FILES.values()), ids=list(_BAD_FILES))
def test_import_rejects_a_bad_row_and_writes_nothing(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    lines: list[str],
    where: tuple[str, int, str, str],
) -> None:
    good = _write(
        tmp_path, _ATOP_HEADER, _both_orders(2, 20, range(1960, 1962), "1,0,0,0,0"), name="good.csv"
    )
    import_dataset(store, ATOP, [good], viewer=operator)
    before = services.count_engagements(store, operator)
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    report = raised.value.report
    assert report is not None
    [issue] = report.issues
    assert (issue.file, issue.row, issue.column, issue.value) == where
    assert services.count_engagements(store, operator) == before == 1


def test_an_unknown_code_is_one_issue_with_its_first_line(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    lines = _both_orders(2, 9999, range(1960, 1965), "1,0,0,0,0")
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, ATOP, [_write(tmp_path, _ATOP_HEADER, lines)], viewer=operator)
    report = raised.value.report
    assert report is not None and report.issue_count == 1
    assert str(report.issues[0]).startswith("atop.csv.gz, row 2, ccode2: '9999' ")


@pytest.mark.parametrize(
    "header, lines, row, reason",
    [
        (
            _ATOP_HEADER.removesuffix(",atop_consul"),
            ["2,200,1960,1,0,0,0"],
            1,
            "missing column(s) atop_consul; the header has ccode1, ccode2, year, atop_defense, "
            "atop_offense, atop_neutral, atop_nonagg",
        ),
        (_ATOP_HEADER, [], None, "has a header but no rows: expected allied dyad-years"),
    ],
    ids=["missing column", "header only"],
)
def test_import_rejects_a_file_of_the_wrong_shape(
    store: Store,
    operator: Viewer,
    tmp_path: Path,
    header: str,
    lines: list[str],
    row: int | None,
    reason: str,
) -> None:
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, ATOP, [_write(tmp_path, header, lines)], viewer=operator)
    report = raised.value.report
    assert report is not None
    [issue] = report.issues
    assert (issue.file, issue.row, issue.reason) == ("atop.csv.gz", row, reason)
    assert services.count_engagements(store, operator) == 0


def test_import_rejects_an_empty_file(store: Store, operator: Viewer, tmp_path: Path) -> None:
    path = tmp_path / "atop.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, ATOP, [path], viewer=operator)
    report = raised.value.report
    assert report is not None
    [issue] = report.issues
    assert (issue.file, issue.row, issue.reason) == (
        "atop.csv",
        None,
        "the file is empty: no header line",
    )
    assert services.count_engagements(store, operator) == 0


# The bundled files.


@pytest.fixture(scope="module")
def imported(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding both bundled alliance datasets, imported once for the read-only checks."""
    path = tmp_path_factory.mktemp("alliances") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    opened = open_store(f"sqlite:///{path}")
    viewer = Viewer.operator("tester")
    for importer in (ATOP, COW):
        report = import_dataset(opened, importer, viewer=viewer)
        assert report.issue_count == 0
    yield opened
    opened.dispose()


def _in_force(
    store: Store, viewer: Viewer, dataset: str, pair: tuple[str, str], year: int
) -> list[str]:
    """Pledges of the dataset's spell of the pair in force in ``year`` (empty if none)."""
    found = services.list_engagements(
        store,
        viewer,
        nation=pair[0],
        partner=pair[1],
        kinds=["alliance"],
        from_year=year,
        to_year=year,
    )
    spells = [s.engagement for s in found if (s.engagement.external_id or "").startswith(dataset)]
    assert len(spells) <= 1, "spells of one pair never overlap"
    return _summary(spells[0])[3] if spells else []


@pytest.mark.full_data
@pytest.mark.parametrize(
    "dataset, pair, year, pledges",
    [
        ("atop_alliances", ("USA", "GBR"), 1960, ["defence", "non_aggression", "consultation"]),
        ("atop_alliances", ("USA", "GBR"), 2010, ["defence", "non_aggression", "consultation"]),
        ("cow_alliances", ("USA", "GBR"), 1960, ["defence", "non_aggression", "entente"]),
        ("cow_alliances", ("USA", "GBR"), 2010, ["defence", "non_aggression", "entente"]),
        ("atop_alliances", ("USA", "JPN"), 1955, ["defence", "consultation"]),
        ("cow_alliances", ("USA", "JPN"), 1955, ["defence"]),
        ("atop_alliances", ("SUN", "DDR"), 1975, ["defence", "non_aggression", "consultation"]),
        ("cow_alliances", ("SUN", "DDR"), 1975, ["defence", "non_aggression", "entente"]),
        ("atop_alliances", ("SUN", "JPN"), 1943, ["neutrality"]),
        ("atop_alliances", ("DEU", "SUN"), 1940, ["neutrality", "non_aggression"]),
        ("cow_alliances", ("USA", "KOR"), 1990, ["defence", "entente"]),
        ("atop_alliances", ("RUS", "JPN"), 2010, ["non_aggression"]),
        ("atop_alliances", ("USA", "SUN"), 1960, []),
    ],
)
def test_bundled_alliances_in_force(
    imported: Store,
    operator: Viewer,
    dataset: str,
    pair: tuple[str, str],
    year: int,
    pledges: list[str],
) -> None:
    assert _in_force(imported, operator, dataset, pair, year) == pledges


@pytest.mark.full_data
def test_bundled_defence_pacts_of_the_united_states_in_asia(
    imported: Store, operator: Viewer
) -> None:
    japan = [_summary(e) for e in _spells(imported, operator, "USA", "JPN")]
    assert ("atop_alliances:JPN-USA:1951", "1951", "1959", ["defence", "consultation"]) in japan
    assert ("cow_alliances:JPN-USA:1951", "1951", "None", ["defence"]) in japan
    korea = [_summary(e) for e in _spells(imported, operator, "USA", "KOR")]
    assert ("cow_alliances:KOR-USA:1953", "1953", "None", ["defence", "entente"]) in korea
    philippines = [_summary(e) for e in _spells(imported, operator, "USA", "PHL")]
    pledges = ["defence", "non_aggression", "consultation"]
    assert ("atop_alliances:PHL-USA:1951", "1951", "None", pledges) in philippines


@pytest.mark.full_data
def test_bundled_soviet_alliance_of_east_germany_ends_with_it(
    imported: Store, operator: Viewer
) -> None:
    assert [_summary(e) for e in _spells(imported, operator, "SUN", "DDR")] == [
        (
            "atop_alliances:DDR-SUN:1955",
            "1955",
            "1990",
            ["defence", "non_aggression", "consultation"],
        ),
        ("cow_alliances:DDR-SUN:1955", "1955", "1989", ["defence", "non_aggression", "entente"]),
    ]


def _raw_pairs(importer: Importer, year: int) -> int:
    """Distinct undirected code pairs with a pledge in ``year``, counted from the raw file."""
    [path] = bundled_paths(importer)
    frame = pd.read_csv(path)
    frame = frame[(frame["year"] == year) & (frame[_FLAGS[importer.info.name]].sum(axis=1) > 0)]
    return len({frozenset(pair) for pair in zip(frame["ccode1"], frame["ccode2"], strict=True)})


@pytest.mark.full_data
@pytest.mark.parametrize(
    "importer, year",
    [(ATOP, 1880), (ATOP, 1960), (ATOP, 2010), (COW, 1930), (COW, 1960), (COW, 1985)],
    ids=["atop-1880", "atop-1960", "atop-2010", "cow-1930", "cow-1960", "cow-1985"],
)
def test_bundled_pairs_in_force_match_the_raw_file(
    imported: Store, operator: Viewer, importer: Importer, year: int
) -> None:
    found = services.list_engagements(
        imported, operator, kinds=["alliance"], from_year=year, to_year=year
    )
    prefix = importer.info.name + ":"
    ours = [s for s in found if (s.engagement.external_id or "").startswith(prefix)]
    assert len(ours) == _raw_pairs(importer, year)


@pytest.mark.full_data
@pytest.mark.parametrize("importer", [ATOP, COW], ids=["atop", "cow"])
def test_bundled_codes_all_resolve_for_their_years(importer: Importer) -> None:
    [path] = bundled_paths(importer)
    frame = pd.read_csv(path, usecols=["ccode1", "ccode2", "year"])
    pairs = set(zip(frame["ccode1"], frame["year"], strict=True))
    pairs |= set(zip(frame["ccode2"], frame["year"], strict=True))
    resolver = default_resolver()
    unresolved: set[int] = set()
    for code, year in pairs:
        try:
            resolver.resolve_key(str(code), system="cow", year=int(year))
        except UnknownNationError:
            unresolved.add(int(code))
    assert unresolved <= set(_UNRESOLVED_CODES)


@pytest.mark.full_data
@pytest.mark.parametrize(
    "importer, counts",
    [
        (
            ATOP,
            (
                273_296,
                7_701,
                {
                    alliance_spells.EXCLUDED_NO_PLEDGE: 170,
                    alliance_spells.EXCLUDED_NOT_A_STATE: 249,
                },
            ),
        ),
        (
            COW,
            (
                120_784,
                2_889,
                {
                    alliance_spells.EXCLUDED_NO_PLEDGE: 10,
                    alliance_spells.EXCLUDED_SAME_NATION: 4,
                    alliance_spells.EXCLUDED_NOT_A_STATE: 48,
                },
            ),
        ),
    ],
    ids=["atop", "cow"],
)
def test_bundled_import_is_complete_and_idempotent(
    store: Store,
    operator: Viewer,
    importer: Importer,
    counts: tuple[int, int, dict[str, int]],
) -> None:
    first = import_dataset(store, importer, viewer=operator)
    assert (first.rows_read, first.added, dict(first.excluded)) == counts
    second = import_dataset(store, importer, viewer=operator)
    assert (second.added, second.updated, second.unchanged) == (0, 0, first.added)
