"""Correlates of War state system membership and major powers (v2016).

The state list is the backbone of the nation registry: ``comity init`` already builds every
nation's state-system spells from it (see :mod:`comity.nations.reference`). Importing the dataset
checks that every state in the file maps to a nation, records the coverage (1816-2016), and adds
the major-power spells as a nation-year measure ``major_power`` (1 in every year a state held
that status, at any day of the year).

Quirks: spell dates are split into year, month and day columns; a spell ending on 2016-12-31 is
still running when the data end; CoW code 365 is Russia, the Soviet Union and Russia again, so
each year of a major-power spell is resolved for its own year (the USSR was a major power from
1922 to 1991). Germany's major-power spells (1816-1918, 1925-1945, 1991-) are under DEU.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.measures import CoverageSpan, NationScore

__all__ = ["IMPORTER", "CowStates"]

_STATE_COLUMNS = ("stateabb", "ccode", "statenme", "styear", "endyear")
_MAJOR_COLUMNS = ("ccode", "styear", "endyear")


class CowStates(Importer):
    """Importer of the CoW state list and major powers."""

    info = DatasetInfo(
        name="cow_states",
        title="Correlates of War state system membership and major powers, v2016",
        files=("cow_states_2016.csv", "cow_majors_2016.csv"),
        citation=(
            'Correlates of War Project. 2017. "State System Membership List, v2016." '
            "https://correlatesofwar.org/data-sets/state-system-membership/"
        ),
        licence="free for academic use with citation (CoW); peacesciencer GPL-2",
        version="2016",
        becomes="the registry's state-system years; nation-year major-power status",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Check the state list against the registry and read the major-power spells."""
        batch = Batch()
        for path in paths:
            is_majors = "major" in path.name
            required = _MAJOR_COLUMNS if is_majors else _STATE_COLUMNS
            for line, row in read_delimited(path, context, required=required):
                batch.rows_read += 1
                context.advance()
                years = _years(row, path.name, line, context)
                if years is None:
                    continue
                first, last = years
                if not is_majors:
                    # Resolving at both ends checks the crosswalk covers the whole spell.
                    for year in {first, last}:
                        context.resolve(
                            row["ccode"],
                            system="cow",
                            year=year,
                            file=path.name,
                            row=line,
                            column="ccode",
                        )
                    continue
                for year in range(first, last + 1):
                    key = context.resolve(
                        row["ccode"],
                        system="cow",
                        year=year,
                        file=path.name,
                        row=line,
                        column="ccode",
                    )
                    if key is None:
                        break
                    batch.scores.append(NationScore(self.info.name, "major_power", key, year, 1.0))
        batch.coverage.append(
            CoverageSpan(self.info.name, 1816, 2016, note="state system membership, v2016")
        )
        return batch


def _years(
    row: dict[str, str], file: str, line: int, context: ImportContext
) -> tuple[int, int] | None:
    try:
        first, last = int(row["styear"]), int(row["endyear"])
    except ValueError:
        context.issue(
            file,
            line,
            "is not a year",
            column="styear/endyear",
            value=f"{row['styear']}-{row['endyear']}",
        )
        return None
    if last < first:
        context.issue(
            file, line, f"ends ({last}) before it starts ({first})", column="endyear", value=last
        )
        return None
    return first, last


IMPORTER = CowStates()
