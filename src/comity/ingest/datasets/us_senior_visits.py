"""US senior defence leaders' foreign visits, 1992-2012 -> ``visit`` engagements.

Each row is one official's visit to one country: the visited country hosts, the United States
takes part (it is always the sender).

Quirks of the file, each handled by a rule below and counted in the report:

- ``State Visit`` is ISO alpha-3 except for a few places written as names: Nassau (Bahamas),
  Saint Thomas (US Virgin Islands), Wake Island (US Minor Outlying Islands), and ``GNL`` for
  Greenland (Narsarsuaq).
- Visits to US territories (Guam, the Virgin Islands, Wake Island) are not foreign visits and
  visits to Antarctica have no host nation: both are excluded.
- Five visits to Kosovo fall in 2000-2005, before Kosovo was a state (2008): they were visits to
  US forces in KFOR, not to a host government, and are excluded.
- Two rows are exact duplicates: the second is excluded. One visit is listed once per city it
  went to (Grafenwoehr and Kitzingen, 2005): the rows are merged into one visit.
- Two rows end before they start (Nassau 1994, Saint Thomas 1995): the end is dropped.
- The Commandant of the Marine Corps appears under two spellings; both are kept as written.
- Coverage differs by office (Secretary of the Army 1992-2012, of the Navy 2004-2012, the others
  2009-2012), so counts are not comparable across years. The coverage is declared for visits
  and the pairs with the United States only: the file says nothing of other nations' visits.

Levels: service secretaries and the Commandant are recorded as ``service_chief``; combatant
commanders (PACOM, STRATCOM) as ``other``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan

__all__ = ["IMPORTER", "UsSeniorVisits"]

_PLACES = {"Nassau": "BHS", "Saint Thomas": "VIR", "Wake Island": "UMI", "GNL": "GRL"}
_US_TERRITORIES = {"GUM", "VIR", "UMI", "ASM", "MNP", "PRI"}
_NOT_NATIONS = {"Antarctica"}
_LEVELS = {
    "Secretary of the Army": "service_chief",
    "Secretary of the Navy": "service_chief",
    "Secretary of the Air Force": "service_chief",
    "Commandant of the Marine Corps": "service_chief",
    "Commandant US Marine Corps": "service_chief",
}
_COLUMNS = (
    "Title",
    "Name",
    "Start Day",
    "Start Month",
    "Start Year",
    "City Visited",
    "State Visit",
    "End Day",
    "End Month",
    "End Year",
)


class UsSeniorVisits(Importer):
    """Importer of the US senior visits file."""

    info = DatasetInfo(
        name="us_senior_visits",
        title="US senior defense leaders' foreign visits, 1992-2012",
        files=("us_senior_visits_1992_2012.csv",),
        citation=(
            "Flynn, Michael E. troopdata R package, data-raw/visits.xls "
            "(https://github.com/meflynn/troopdata)."
        ),
        licence="GPL (>= 3), as the troopdata repository",
        version="troopdata 3946bcf",
        becomes="visit engagements (the United States visiting each host)",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the visits file into visit engagements."""
        batch = Batch()
        seen: set[tuple[str, ...]] = set()
        visits: dict[str, Engagement] = {}
        for path in paths:
            for line, row in read_delimited(path, context, required=_COLUMNS):
                batch.rows_read += 1
                context.advance()
                identity = tuple(row[c] for c in _COLUMNS)
                if identity in seen:
                    context.exclude("exact duplicate row")
                    continue
                seen.add(identity)
                engagement = self._visit(path.name, line, row, context)
                if engagement is None or engagement.external_id is None:
                    continue
                earlier = visits.get(engagement.external_id)
                if earlier is not None:
                    # The same visit listed again for another city: one visit, both places.
                    places = "; ".join(p for p in (earlier.location, engagement.location) if p)
                    visits[engagement.external_id] = earlier.model_copy(
                        update={"location": places or None}
                    )
                    context.correct("one visit listed once per city: rows merged")
                    continue
                visits[engagement.external_id] = engagement
        batch.engagements = list(visits.values())
        batch.coverage.append(
            CoverageSpan(
                dataset=self.info.name,
                nation="USA",
                first_year=1992,
                last_year=2012,
                note="visits by US service secretaries and commanders; offices covered differ "
                "by year",
                kind="visit",
            )
        )
        return batch

    def _visit(
        self, file: str, line: int, row: dict[str, str], context: ImportContext
    ) -> Engagement | None:
        place = row["State Visit"].strip()
        if place in _NOT_NATIONS:
            context.exclude("visit to a place that is not a nation (Antarctica)")
            return None
        code = _PLACES.get(place, place)
        if code in _US_TERRITORIES:
            context.exclude("visit to a US territory, not a foreign visit")
            return None
        start = _date(row, "Start", file, line, context)
        end = _date(row, "End", file, line, context)
        if start is None:
            return None
        year = start.year
        host = context.resolve(code, file=file, row=line, column="State Visit", year=year)
        if host is None:
            return None
        nation = context.nations.get(host)
        if nation is not None and not nation.exists_in(year) and host == "XKX":
            context.exclude("visit to Kosovo before it was a state (KFOR)")
            return None
        if end is not None and end < start:
            context.correct("end date before start date: end dropped")
            end = None
        title, name = row["Title"].strip(), row["Name"].strip()
        host_name = context.nations[host].name if host in context.nations else host
        return context.engagement(
            {
                "kind": "visit",
                "title": f"{title} {name} visits {host_name}",
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
                "host": host,
                "participants": [{"nation": host}, {"nation": "USA"}],
                "location": row["City Visited"].strip() or None,
                "details": {
                    "level": _LEVELS.get(title, "other"),
                    "visitor": name,
                    "visitor_title": title,
                },
                "external_id": f"{self.info.name}:{title}|{name}|{start.isoformat()}|{host}",
                "provenance": {
                    "dataset": self.info.name,
                    "version": context.version,
                    "row": str(line),
                },
            },
            file=file,
            row=line,
        )


def _date(
    row: dict[str, str], prefix: str, file: str, line: int, context: ImportContext
) -> date | None:
    texts = [row[f"{prefix} {part}"].strip() for part in ("Year", "Month", "Day")]
    try:
        year, month, day = (int(float(t)) for t in texts)
        return date(year, month, day)
    except ValueError:
        context.issue(
            file, line, "is not a date", column=f"{prefix} Day/Month/Year", value="-".join(texts)
        )
        return None


IMPORTER = UsSeniorVisits()
