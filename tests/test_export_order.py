"""Pairs in ISO order or in code order (``ccode1 < ccode2``, as peacesciencer orders them)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from comity.export import PairOrder, order_directed_rows, order_pairs


def dyad_years(rows: list[tuple[Any, ...]]) -> pa.Table:
    """A dyad-year table: iso3_1, iso3_2, ccode1, ccode2, gwcode1, gwcode2, year, index, extra."""
    names = ["iso3_1", "iso3_2", "ccode1", "ccode2", "gwcode1", "gwcode2", "year", "index"]
    types = [
        pa.string(),
        pa.string(),
        pa.int32(),
        pa.int32(),
        pa.int32(),
        pa.int32(),
        pa.int64(),
        pa.float64(),
    ]
    pairs = enumerate(zip(names, types, strict=True))
    columns = {name: pa.array([r[i] for r in rows], kind) for i, (name, kind) in pairs}
    columns["projected_share"] = pa.array([0.25] * len(rows), pa.float64())
    return pa.table(columns)


ROWS = [
    # The United States (2) and the Philippines (840): ISO order PHL, USA; code order USA, PHL.
    ("PHL", "USA", 840, 2, 840, 2, 2015, 9.5),
    ("PHL", "USA", 840, 2, 840, 2, 2014, 4.0),
    # Canada (20) and the United States (2): swapped too.
    ("CAN", "USA", 20, 2, 20, 2, 2015, 30.0),
    # France (220) and Germany (255): already in code order.
    ("DEU", "FRA", 255, 220, 260, 220, 2015, 50.0),
    ("FRA", "GBR", 220, 200, 220, 200, 2015, 60.0),
    # A nation without a CoW code that year keeps the ISO order.
    ("AAA", "BBB", None, 5, None, 5, 2015, 1.0),
]


def test_iso_order_sorts_by_keys_and_year() -> None:
    table = order_pairs(dyad_years(ROWS), PairOrder.ISO3)
    assert [(r["iso3_1"], r["iso3_2"], r["year"]) for r in table.to_pylist()] == [
        ("AAA", "BBB", 2015),
        ("CAN", "USA", 2015),
        ("DEU", "FRA", 2015),
        ("FRA", "GBR", 2015),
        ("PHL", "USA", 2014),
        ("PHL", "USA", 2015),
    ]


def test_code_order_swaps_every_column_of_the_two_sides_together() -> None:
    table = order_pairs(dyad_years(ROWS), PairOrder.CCODE)
    assert table.column_names == dyad_years(ROWS).column_names
    rows = table.to_pylist()
    assert [
        (
            r["iso3_1"],
            r["iso3_2"],
            r["ccode1"],
            r["ccode2"],
            r["gwcode1"],
            r["gwcode2"],
            r["year"],
            r["index"],
        )
        for r in rows
    ] == [
        ("USA", "CAN", 2, 20, 2, 20, 2015, 30.0),
        ("USA", "PHL", 2, 840, 2, 840, 2014, 4.0),
        ("USA", "PHL", 2, 840, 2, 840, 2015, 9.5),
        ("GBR", "FRA", 200, 220, 200, 220, 2015, 60.0),
        ("FRA", "DEU", 220, 255, 220, 260, 2015, 50.0),
        ("AAA", "BBB", None, 5, None, 5, 2015, 1.0),
    ]
    assert all(r["ccode1"] < r["ccode2"] for r in rows if r["ccode1"] is not None)
    assert {r["projected_share"] for r in rows} == {0.25}


def test_gw_order_uses_the_gw_codes() -> None:
    # Germany is 255 in CoW and 260 in GW: still after France (220) in both.
    table = order_pairs(dyad_years(ROWS[3:4]), PairOrder.GWCODE)
    assert [(r["iso3_1"], r["gwcode1"], r["gwcode2"]) for r in table.to_pylist()] == [
        ("FRA", 220, 260)
    ]


def test_code_order_keeps_the_types_of_an_empty_table() -> None:
    empty = dyad_years([])
    assert order_pairs(empty, PairOrder.CCODE).schema == empty.schema


def test_directed_rows_are_sorted_never_swapped() -> None:
    table = pa.table(
        {
            "nation_from": ["USA", "PHL", "PHL", "AAA"],
            "nation_to": ["PHL", "USA", "USA", "USA"],
            "ccode_from": pa.array([2, 840, 840, None], pa.int32()),
            "ccode_to": pa.array([840, 2, 2, 2], pa.int32()),
            "year": pa.array([2015, 2016, 2015, 2015], pa.int64()),
        }
    )
    by_iso = order_directed_rows(table, PairOrder.ISO3).to_pylist()
    assert [(r["nation_from"], r["nation_to"], r["year"]) for r in by_iso] == [
        ("AAA", "USA", 2015),
        ("PHL", "USA", 2015),
        ("PHL", "USA", 2016),
        ("USA", "PHL", 2015),
    ]
    by_code = order_directed_rows(table, PairOrder.CCODE).to_pylist()
    assert [(r["nation_from"], r["ccode_from"], r["year"]) for r in by_code] == [
        ("USA", 2, 2015),
        ("PHL", 840, 2015),
        ("PHL", 840, 2016),
        ("AAA", None, 2015),
    ]
