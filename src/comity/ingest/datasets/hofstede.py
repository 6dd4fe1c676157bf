"""Hofstede's six cultural dimensions (dimension data matrix, 2015-08-16) -> nation scores.

Each national row gives up to six scores for one country; they become :class:`NationScore`
records with no year (the matrix is a cross-section), measures ``pdi``, ``idv``, ``mas``,
``uai``, ``ltowvs`` and ``ivr``.

Quirks of the file, each handled by a rule below and counted in the report:

- Semicolon-separated, CRLF line endings. PROVENANCE says "111 rows + header"; the file has 111
  lines, the header and 110 rows.
- ``ctr`` is Hofstede's own three-letter code, not ISO: GER is Germany, NET the Netherlands, CHI
  China, SLV Slovenia (ISO SLV is El Salvador, Hofstede's SAL), MNG Montenegro (ISO MNG is
  Mongolia), MAC North Macedonia (ISO MAC is Macao). Codes are mapped through the reviewable
  crosswalk ``comity/nations/crosswalk_hofstede.tsv`` (system ``hofstede``), never read as ISO; a
  code the crosswalk lacks is an issue.
- Three rows are regional aggregates (AFE Africa East, AFW Africa West, ARA Arab countries):
  excluded, they are not nations.
- Seven rows are sub-national (BEF and BEN Belgium French and Flemish, CAF Canada French, GEE
  Germany East, SAW South Africa white, SWF and SWG Switzerland French and German). Every one of
  these countries also has a national row, and only the national row is kept: a part does not
  stand for the whole. Were a country to have sub-national rows and no national row, it would
  get no score (rather than one guessed from a part); the rule is in :data:`SUB_NATIONAL_CODES`.
  Hofstede's CAF and BEN would read as ISO codes of the Central African Republic and Benin, a
  further reason not to fall back on ISO.
- South Africa's national row has only ``ltowvs`` and ``ivr``; the four IBM dimensions were
  measured on white South Africans (SAW) only and are not used for the nation.
- ``#NULL!`` marks a dimension not measured for a country: that value is excluded (the other
  dimensions of the row are kept); it is never read as zero.
- Hong Kong (HOK), Puerto Rico (PUE) and Taiwan (TAI) are scored although they are not (all)
  states in the state system; scores do not depend on state-system years.
- Scores run from 0 to 112 in this file; a value that is not a number, or lies outside 0-150,
  is an issue.

Coverage: the matrix has no years (the IBM surveys date from 1967-1973, later dimensions from the
World Values Survey); one span for every nation with the matrix's publication year, 2015.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.measures import CoverageSpan, NationScore

__all__ = ["IMPORTER", "MEASURES", "REGIONAL_CODES", "SUB_NATIONAL_CODES", "Hofstede"]

MEASURES = ("pdi", "idv", "mas", "uai", "ltowvs", "ivr")
"""The six dimensions, as the file's columns name them; each becomes a measure of that name."""

REGIONAL_CODES = {
    "AFE": "Africa East",
    "AFW": "Africa West",
    "ARA": "Arab countries",
}
"""Rows that score a region, not a nation: excluded."""

SUB_NATIONAL_CODES = {
    "BEF": "BEL",
    "BEN": "BEL",
    "CAF": "CAN",
    "GEE": "GER",
    "SAW": "SAF",
    "SWF": "SWI",
    "SWG": "SWI",
}
"""Rows that score part of a country, with the Hofstede code of that country's national row."""

_MISSING = "#NULL!"
_LOWEST, _HIGHEST = 0.0, 150.0
_COLUMNS = ("ctr", "country", *MEASURES)


class Hofstede(Importer):
    """Importer of Hofstede's dimension data matrix."""

    info = DatasetInfo(
        name="hofstede",
        title="Hofstede's six cultural dimensions (dimension data matrix, 2015-08-16)",
        files=("6-dimensions-for-website-2015-08-16.csv",),
        citation=(
            "Hofstede, G., Hofstede, G.J., & Minkov, M. (2010). Cultures and Organizations: "
            'Software of the Mind (3rd ed.). McGraw-Hill. Data: Geert Hofstede, "Dimension data '
            'matrix", https://geerthofstede.com/research-and-vsm/dimension-data-matrix/ '
            "(copy from github.com/HoaMacDanh/GEO)."
        ),
        licence=(
            "Free to use for academic research, as Hofstede's site states; not an open licence "
            "(commercial reuse unclear); the host repository has no licence file"
        ),
        version="2015-08-16 (HoaMacDanh/GEO 1930b2f)",
        becomes="nation scores without a year: pdi, idv, mas, uai, ltowvs, ivr",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the matrix into nation scores (national rows only)."""
        batch = Batch()
        rows: list[tuple[str, int, dict[str, str]]] = []
        for path in paths:
            rows_before, issues_before = len(rows), context.issue_count
            for line, row in read_delimited(path, context, required=_COLUMNS, delimiter=";"):
                batch.rows_read += 1
                context.advance()
                rows.append((path.name, line, row))
            if len(rows) == rows_before and context.issue_count == issues_before:
                context.issue(path.name, None, "has a header but no rows")
        national = {row["ctr"].strip().upper() for _, _, row in rows}
        scored: dict[str, int] = {}
        for file, line, row in rows:
            code = row["ctr"].strip().upper()
            if code in REGIONAL_CODES:
                context.exclude("regional aggregate, not a nation (AFE, AFW, ARA)")
                continue
            if code in SUB_NATIONAL_CODES:
                if SUB_NATIONAL_CODES[code] in national:
                    context.exclude("sub-national row: the country's national row is kept")
                else:
                    context.exclude("sub-national row of a country with no national row: no score")
                continue
            nation = context.resolve(code, file=file, row=line, column="ctr", system="hofstede")
            if nation is None:
                continue
            if nation in scored:
                context.issue(
                    file,
                    line,
                    f"{nation} is already scored by row {scored[nation]}",
                    column="ctr",
                    value=code,
                )
                continue
            scored[nation] = line
            batch.scores.extend(self._scores(nation, file, line, row, context))
        batch.coverage.append(
            CoverageSpan(
                dataset=self.info.name,
                first_year=2015,
                last_year=2015,
                note="a cross-section without years: Hofstede's dimension data matrix as "
                "published in 2015 (IBM surveys of 1967-1973, later replications and the World "
                "Values Survey); scores carry no year",
            )
        )
        return batch

    def _scores(
        self, nation: str, file: str, line: int, row: dict[str, str], context: ImportContext
    ) -> list[NationScore]:
        scores: list[NationScore] = []
        for measure in MEASURES:
            text = row[measure].strip()
            if text == _MISSING:
                context.exclude("dimension not measured (#NULL!)")
                continue
            try:
                value = float(text)
            except ValueError:
                context.issue(
                    file,
                    line,
                    "is not a number (or #NULL! for not measured)",
                    column=measure,
                    value=text,
                )
                continue
            if not math.isfinite(value) or not _LOWEST <= value <= _HIGHEST:
                context.issue(
                    file,
                    line,
                    f"is outside {_LOWEST:g}-{_HIGHEST:g}, the range of Hofstede's scores",
                    column=measure,
                    value=text,
                )
                continue
            scores.append(NationScore(self.info.name, measure, nation, None, value))
        return scores


IMPORTER = Hofstede()
