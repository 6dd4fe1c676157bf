"""The order of the two nations of a non-directed pair, and of the rows, in an exported table.

comity keys a pair by ISO alpha-3 (``iso3_1 < iso3_2``); peacesciencer's ``create_dyadyears()``
orders it by Correlates of War code (``ccode1 < ccode2``), so a table to be joined with its
output can be ordered that way. Swapping the two sides of a row swaps every pair of columns named
for side 1 and side 2 (``iso3_1``/``iso3_2``, ``ccode1``/``ccode2``, ``gwcode1``/``gwcode2`` and
any other added later), so a row stays one pair whatever the columns the table holds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["PairOrder", "order_directed_rows", "order_pairs"]


class PairOrder(StrEnum):
    """How the nations of a pair are ordered: by ISO alpha-3 key, CoW code or GW code."""

    ISO3 = "iso3"
    CCODE = "ccode"
    GWCODE = "gwcode"


def _sides(names: list[str]) -> list[tuple[str, str]]:
    """The pairs of columns for side 1 and side 2: ``x1``/``x2`` and ``x_1``/``x_2``."""
    return [
        (name, name[:-1] + "2") for name in names if name.endswith("1") and name[:-1] + "2" in names
    ]


def order_pairs(table: Any, order: PairOrder) -> Any:
    """A non-directed dyad-year table with each pair and the rows in ``order``.

    With :attr:`PairOrder.ISO3` the table is sorted by ``iso3_1``, ``iso3_2``, ``year``. With a
    code, each row whose two codes are known and in the wrong order has its sides swapped (every
    pair of side-1 and side-2 columns together); rows with a missing code keep the ISO order.
    Rows are then sorted by the two codes (missing codes last), the ISO keys and the year.

    Args:
        table: Arrow table with ``iso3_1``, ``iso3_2``, ``year`` and, for a code order,
            ``{code}1`` and ``{code}2``.
        order: The order.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = ["iso3_1", "iso3_2", "year"]
    if order is PairOrder.ISO3:
        return table.sort_by([(key, "ascending") for key in keys])
    first, second = table.column(f"{order.value}1"), table.column(f"{order.value}2")
    swap = pc.fill_null(pc.greater(first, second), False)
    columns = {name: table.column(name) for name in table.column_names}
    for one, two in _sides(table.column_names):
        columns[one] = pc.if_else(swap, table.column(two), table.column(one))
        columns[two] = pc.if_else(swap, table.column(one), table.column(two))
    swapped = pa.Table.from_arrays(list(columns.values()), schema=table.schema)
    sorting = [f"{order.value}1", f"{order.value}2", *keys]
    return swapped.sort_by([(key, "ascending") for key in sorting])


def order_directed_rows(table: Any, order: PairOrder) -> Any:
    """A directed dyad-year table sorted by ``order``: the origin, the destination, the year.

    An ordered pair is never swapped (it has a direction); only the rows are sorted: by
    ``nation_from``, ``nation_to`` and ``year``, or first by ``{code}_from`` and ``{code}_to``
    (missing codes last: Arrow sorts nulls at the end).
    """
    keys = ["nation_from", "nation_to", "year"]
    if order is not PairOrder.ISO3:
        keys = [f"{order.value}_from", f"{order.value}_to", *keys]
    return table.sort_by([(key, "ascending") for key in keys])
