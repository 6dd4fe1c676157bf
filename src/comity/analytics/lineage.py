"""Which state carries whose ties, and the years each state exists, as inputs of the index.

States begin, end and succeed one another (docs/methodology.md, "Succession"; the table is
``comity/nations/successions.tsv``). The index computes each pair's stock on *lineages*:

- a ``continuation`` joins two states into one lineage (the Soviet Union's ties go on as
  Russia's; Yugoslavia's as Serbia's): the stock passes on;
- a ``dissolution`` passes the predecessor's ties to each successor in full (Czechoslovakia's
  to Czechia and to Slovakia), as treaties in force continue for each successor state (Vienna
  Convention on Succession of States in respect of Treaties, 1978, art. 34);
- an ``absorption`` or a ``secession`` passes nothing: the absorbed state's ties lapse with it
  (the GDR's alliances ended before unification), a seceding state starts with its own records.

Then each row is labelled with the state of the lineage that exists that year, and years in
which a state does not exist have no row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Lineage", "create_lineage"]

_OPEN = 9999
"""The last year of a state that still exists."""


class _Succession(Protocol):
    @property
    def predecessor(self) -> str: ...

    @property
    def successors(self) -> tuple[str, ...]: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class Lineage:
    """The lineage inputs of the index.

    Attributes:
        lineage: Arrow table (nation, lineage): each state whose ties another carries on, once
            per successor that does.
        labels: Arrow table (lineage, label, first_year, last_year, is_primary): the years in
            which each state of a lineage exists; ``is_primary`` 0 for the rows of a dissolved
            state under its second and later successors (shown once, under the first).
        heirs: The states that carry on each state's ties, for every state that has any.
    """

    lineage: Any
    labels: Any
    heirs: dict[str, tuple[str, ...]]

    @property
    def keys(self) -> dict[str, str]:
        """The lineage key of each state with heirs (the first, for a dissolved state)."""
        return {nation: heirs[0] for nation, heirs in self.heirs.items()}

    def members(self, nation: str) -> set[str]:
        """A state, the states whose ties it carries on, and those that carry on its own."""
        found = {nation, *self.heirs.get(nation, ())}
        return found | {n for n, heirs in self.heirs.items() if found & set(heirs)}


def _groups(successions: list[_Succession]) -> dict[str, str]:
    """The key of each state's continuation group: the successor of its latest continuation."""
    parent: dict[str, str] = {}

    def find(nation: str) -> str:
        while parent.get(nation, nation) != nation:
            nation = parent[nation]
        return nation

    continuations = [s for s in successions if s.kind == "continuation" and s.successors]
    for succession in continuations:
        for nation in (succession.predecessor, succession.successors[0]):
            parent.setdefault(nation, nation)
        parent[find(succession.predecessor)] = find(succession.successors[0])
    members: dict[str, list[str]] = defaultdict(list)
    for nation in parent:
        members[find(nation)].append(nation)
    # The key is the successor of the group's last continuation in the table's order (the
    # table lists successions by date): YUG -> SRB in 2006 after SRB -> YUG in 1918.
    key_of: dict[str, str] = {}
    for succession in continuations:
        root = find(succession.predecessor)
        for nation in members[root]:
            key_of[nation] = succession.successors[0]
    return key_of


def create_lineage(
    successions: Iterable[_Succession],
    existence: Iterable[tuple[str, int, int | None]],
) -> Lineage:
    """Build the lineage inputs from the successor table and the years states exist.

    Args:
        successions: The successions (predecessor, successors, kind), in date order.
        existence: Each state's spells of existence in whole years (first, last or None while
            it exists); a state with no spell exists every year.
    """
    import pyarrow as pa

    ordered = list(successions)
    key_of = _groups(ordered)
    targets: dict[str, list[str]] = {n: [k] for n, k in key_of.items() if n != k}
    for succession in ordered:
        if succession.kind != "dissolution" or not succession.successors:
            continue
        heirs = [key_of.get(s, s) for s in succession.successors]
        own = key_of.get(succession.predecessor, succession.predecessor)
        for nation in [n for n, k in key_of.items() if k == own] or [succession.predecessor]:
            targets[nation] = heirs
    spells: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for nation, first, last in existence:
        spells[nation].append((first, _OPEN if last is None else last))
    members: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for nation, heirs in targets.items():
        for index, heir in enumerate(heirs):
            members[heir].append((nation, index == 0))
    rows: list[tuple[str, str, int, int, int]] = []
    for key in sorted(set(spells) | set(members)):
        found = [(key, True), *members.get(key, [])]
        spans = sorted(
            (first, last, nation, primary)
            for nation, primary in found
            for first, last in spells.get(nation, [])
        )
        rows.extend(_without_overlaps(key, spans))
    lineage_rows = sorted((n, h) for n, heirs in targets.items() for h in heirs)
    lineage = pa.table(
        {
            "nation": pa.array([r[0] for r in lineage_rows], type=pa.string()),
            "lineage": pa.array([r[1] for r in lineage_rows], type=pa.string()),
        }
    )
    labels = pa.table(
        {
            "lineage": pa.array([r[0] for r in rows], type=pa.string()),
            "label": pa.array([r[1] for r in rows], type=pa.string()),
            "first_year": pa.array([r[2] for r in rows], type=pa.int32()),
            "last_year": pa.array([r[3] for r in rows], type=pa.int32()),
            "is_primary": pa.array([r[4] for r in rows], type=pa.int8()),
        }
    )
    return Lineage(lineage, labels, {n: tuple(heirs) for n, heirs in targets.items()})


def _without_overlaps(
    key: str, spans: list[tuple[int, int, str, bool]]
) -> list[tuple[str, str, int, int, int]]:
    """Label rows of one lineage, a year shared by two of its states given to the earlier one."""
    rows: list[tuple[str, str, int, int, int]] = []
    last_taken = -1
    for first, last, nation, primary in spans:
        first = max(first, last_taken + 1)
        if first > last:
            continue
        rows.append((key, nation, first, last, int(primary)))
        last_taken = max(last_taken, last)
    return rows
