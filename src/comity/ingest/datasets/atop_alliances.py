"""ATOP v5.1 alliance obligations (directed dyad-years, via peacesciencer) -> ``alliance`` spells.

The file lists, for every ordered pair of Correlates of War codes and year from 1815 to 2018, five
0/1 flags: the pair shared an alliance with a defence, offence, neutrality, non-aggression or
consultation obligation. Only allied dyad-years are listed. The shared rules of
:mod:`comity.ingest.datasets.alliance_spells` turn it into undirected spells; ATOP's quirks:

- ATOP codes obligations per direction: a state may pledge to defend another without a pledge in
  return (the 1951 US-Japan treaty until 1960; Britain and France guaranteeing Italy and Germany
  at Locarno, 1925-1936). Both orders of a pair are folded into one pair whose pledges are the
  union of both; such pair-years are counted as corrected (526 with different pledges, 124 listed
  in one order only, the other order having no flag set).
- 170 rows have no flag set (an alliance with none of the five obligations in that direction,
  e.g. the 1847 Portugal intervention, Argentina-Brazil 1859-1864): excluded.
- 1990 lists both West Germany (260) and Germany (255), and North Yemen (678) and Yemen (679),
  each resolving to one nation (DEU, YEM): their rows with a common partner are merged (102).
- ATOP follows its own membership, wider than the Correlates of War state system comity's
  registry uses: it starts in 1815 (the system in 1816) and lists Uruguay before 1882, the Central
  American states before their entry, Monaco and San Marino in the CSCE from 1975, Montenegro
  1912-1915, the Czech Republic and Slovakia in 1992. A spell in which a member was never a state
  by the registry is excluded (249 pair-years); spells that overlap its years in part are kept.
- Codes are resolved for their year: 365 is the Soviet Union 1922-1991, so a Russia pair changes
  nation key in 1992 and its spell ends there.
- The file ends in 2018, its alliances do not: a spell still listed in 2018 is written with no end
  (in force; right-censored), as USA-PHL "1951 - in force; source ends 2018". The coverage says
  alliances of every pair, 1815-2018.

Pledges map as atop_defense -> defence, atop_offense -> offence, atop_neutral -> neutrality,
atop_nonagg -> non_aggression, atop_consul -> consultation. A pair with several alliances in force
carries every pledge of any of them; the tie index counts an alliance by its strongest pledge in
force each year, over every alliance record of the pair, so overlapping pledges and an ATOP and a
CoW record of the same pair never count twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer
from comity.ingest.datasets.alliance_spells import AllianceScheme, read_alliance_spells
from comity.model.details import AlliancePledge

__all__ = ["IMPORTER", "AtopAlliances"]

_SCHEME = AllianceScheme(
    dataset="atop_alliances",
    label="ATOP",
    columns=(
        ("atop_defense", AlliancePledge.DEFENCE),
        ("atop_offense", AlliancePledge.OFFENCE),
        ("atop_neutral", AlliancePledge.NEUTRALITY),
        ("atop_nonagg", AlliancePledge.NON_AGGRESSION),
        ("atop_consul", AlliancePledge.CONSULTATION),
    ),
    first_year=1815,
    last_year=2018,
)


class AtopAlliances(Importer):
    """Importer of the ATOP v5.1 directed dyad-year file."""

    info = DatasetInfo(
        name="atop_alliances",
        title="Alliance Treaty Obligations and Provisions (ATOP) v5.1, dyad-years 1815-2018",
        files=("atop5_ddyr_peacesciencer.csv.gz",),
        citation=(
            "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell, and Andrew G. Long. "
            '2002. "Alliance Treaty Obligations and Provisions, 1815-1944." International '
            "Interactions 28: 237-260; ATOP v5.1 codebook, http://www.atopdata.org. Via Miller, "
            'S.V. 2022. "peacesciencer: An R Package for Quantitative Peace Science Research." '
            "Conflict Management and Peace Science (data/atop_alliance.rda, peacesciencer 1.2.9)."
        ),
        licence="ATOP data free for research with citation; peacesciencer GPL-2",
        version="ATOP 5.1",
        becomes="alliance standing ties with their pledges",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the dyad-years into one alliance engagement per undirected spell."""
        result = read_alliance_spells(paths, context, _SCHEME)
        batch = Batch(
            rows_read=result.rows_read,
            coverage=[
                _SCHEME.coverage("allied dyad-years only: a pair not listed had no ATOP alliance")
            ],
        )
        batch.engagements.extend(result.engagements)
        return batch


IMPORTER = AtopAlliances()
