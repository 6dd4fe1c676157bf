"""Correlates of War Formal Alliances v4.1 (directed dyad-years, via peacesciencer) -> spells.

The file lists, for every ordered pair of Correlates of War codes and year from 1816 to 2012, four
0/1 flags: the pair shared a defence pact, a neutrality pact, a non-aggression pact or an entente.
Only allied dyad-years are listed. The shared rules of
:mod:`~comity.ingest.datasets.alliance_spells` turn it into undirected spells; CoW's quirks:

- CoW codes pledges nested: a defence pact usually also carries non-aggression and entente = 1,
  and a neutrality pact non-aggression. The flags are kept as coded (a NATO pair is "defence,
  non-aggression, entente"); the tie index counts an alliance by its strongest pledge in force
  each year, over every alliance record of the pair, so nesting inflates nothing and an ATOP and
  a CoW record of the same pair never count twice.
- The two orders of every pair agree in this file.
- 10 rows have no flag set: excluded.
- West Germany (260) and Germany (255) both resolve to DEU. In 1990 CoW lists both codes, and a
  pair of the two (excluded, as are North Yemen 678 and Yemen 679 in 1990: a nation is not
  allied with itself); from 1991 to 2012 it keeps West Germany's Western European Union ties
  (nine partners, defence and entente) under 260 beside unified Germany's under 255. Rows of one
  pair, year and order are merged, their pledges united (462 rows).
- CoW lists Costa Rica in the 1907 Central American treaty before it joined the state system in
  1920: those spells (48 pair-years) are excluded, as a member was never a state during them.
- Codes are resolved for their year: 365 is the Soviet Union 1922-1991, so a Russia pair changes
  nation key in 1992 and its spell ends there.
- The file ends in 2012, its alliances do not: a spell still listed in 2012 is written with no end
  (in force; right-censored), as USA-KOR "1953 - in force; source ends 2012". The coverage says
  alliances of every pair, 1816-2012.

Pledges map as cow_defense -> defence, cow_neutral -> neutrality, cow_nonagg -> non_aggression,
cow_entente -> entente.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer
from comity.ingest.datasets.alliance_spells import AllianceScheme, read_alliance_spells
from comity.model.details import AlliancePledge

__all__ = ["IMPORTER", "CowAlliances"]

_SCHEME = AllianceScheme(
    dataset="cow_alliances",
    label="CoW",
    columns=(
        ("cow_defense", AlliancePledge.DEFENCE),
        ("cow_neutral", AlliancePledge.NEUTRALITY),
        ("cow_nonagg", AlliancePledge.NON_AGGRESSION),
        ("cow_entente", AlliancePledge.ENTENTE),
    ),
    first_year=1816,
    last_year=2012,
)


class CowAlliances(Importer):
    """Importer of the Correlates of War Formal Alliances v4.1 directed dyad-year file."""

    info = DatasetInfo(
        name="cow_alliances",
        title="Correlates of War Formal Alliances v4.1, dyad-years 1816-2012",
        files=("cow_alliance_v4.1_ddyr_peacesciencer.csv.gz",),
        citation=(
            "Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. CQ Press. "
            "Correlates of War Formal Alliances v4.1, "
            "https://correlatesofwar.org/data-sets/formal-alliances/. Via Miller, S.V. 2022. "
            '"peacesciencer: An R Package for Quantitative Peace Science Research." Conflict '
            "Management and Peace Science (data/cow_alliance.rda at 6df46f4)."
        ),
        licence="CoW data free for research with citation; peacesciencer GPL-2",
        version="CoW 4.1",
        becomes="alliance standing ties with their pledges",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the dyad-years into one alliance engagement per undirected spell."""
        result = read_alliance_spells(paths, context, _SCHEME)
        batch = Batch(
            rows_read=result.rows_read,
            coverage=[
                _SCHEME.coverage("allied dyad-years only: a pair not listed had no CoW alliance")
            ],
        )
        batch.engagements.extend(result.engagements)
        return batch


IMPORTER = CowAlliances()
