"""US forces stationed abroad, 1950-2025 (troopdata / DMDC) -> ``presence`` engagements.

One engagement per host nation and year (``US forces in Japan 2020``): the host hosts, the United
States takes part with the year's active-duty personnel (the size factor of the index weighs
it). Bases from Vine's list of US facilities abroad are the record's location.

Quirks of the files, each handled by a rule below and counted in the report:

- The quarterly file has one row per host and report month: before 2008 mostly one report a year,
  from 2008 four. The year's personnel is the **median of its non-missing reports** (troopdata's
  own annual rule takes the maximum), which PROVENANCE recommends because some quarters are
  wrong: 2022-2023 Army gaps read 0 in some quarters, and Japan June 2021 reads 109,928, about
  double the other quarters' ~56,000. A report of 0 while the year's median is not, and a report
  above 1.8 times the median, are counted as corrections (the median sets them aside).
- ``NA`` is the missing-value marker; a year whose reports are all missing or all 0 has no
  troops to record and is excluded.
- Hosts are read from ``ccode`` (Correlates of War) with the row's year, not from ``iso3c``:
  South Vietnam carries ``VNM`` there, and the CoW code 817 tells it from Vietnam (816).
- The United States itself is a row (``ccode`` 2): the provider's own territory is not a
  foreign presence and is excluded. So are US territories, which carry codes of 1000 and more
  (Guam, the US Virgin Islands, Wake, Midway, Johnston Island, the Marianas, American Samoa,
  Eniwetok). Other places with such codes (Greenland, Diego Garcia, Bermuda, the Azores,
  Antarctica) are not states of their own and are excluded too.
- A host that was not a state in the year (before independence, or after it ended) is excluded.
- **War deployments are not presence.** Stationing by a host's consent in peacetime is a tie
  between the two nations; forces fighting a war on the host's territory measure the war. The
  host-years of ``war_deployments.tsv`` (beside the data, read from the package: Korea
  1950-1953, South Vietnam 1965-1973, Afghanistan 2001-2021, Iraq 1991, 2003-2011 and 2014-2021,
  Syria 2014-2025 and a few short interventions, each with its source) are excluded.
- ``vine_basedata.csv`` (Vine's list, updated through 2018) has no years: its bases are the
  location of the records from 2015 (the list's publication in *Base Nation*) on, not earlier.
  Its rows in the United States and its territories (CoW code 2) are not read as bases abroad.
  The list was published in Latin-1 and is shipped converted to UTF-8.
- **An embassy is not a presence.** DMDC counts every US service member assigned in a country,
  including the Marine Security Guard detachment of its US embassy and consulates (the Marine
  Corps Embassy Security Group guards some 170 posts, a detachment usually of 5-20 Marines) and
  the defence attaché and security-cooperation offices: in 2020, 125 of 155 hosts had fewer than
  100 personnel (China 80, France 78, Russia 74). A host-year whose median is below
  :data:`STATIONED` (100) is excluded as embassy staff (attaché postings are their own kind).
  The cost: a few small real deployments (Kenya 54, Somalia 72 in 2020) are left out too.
- DMDC counts permanently assigned personnel: rotational and contingency forces are largely
  missing (Poland 2025: 369). The coverage note says so.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan

__all__ = ["IMPORTER", "STATIONED", "UsTroops", "WarDeployment", "read_war_deployments"]

PROVIDER = "USA"
BASES_FROM = 2015
"""The first year whose records take Vine's bases as their location."""
STATIONED = 100
"""The fewest personnel (the year's median) that are stationed forces, not an embassy's staff."""

_FIRST_YEAR, _LAST_YEAR = 1950, 2025
_QUARTERS = "troopdata_country_quarter.csv.gz"
_BASES = "vine_basedata.csv"
_COLUMNS = ("ccode", "iso3c", "countryname", "year", "month", "troops_ad")
_BASE_COLUMNS = ("ccode", "iso3c", "basename", "base")
_WAR_COLUMNS = ("host_iso3", "ccode", "first_year", "last_year", "war", "source")
_PROVIDER_CODE = 2
_TERRITORY_CODES = 1000
_US_TERRITORIES = {
    "Guam",
    "US Virgin Islands",
    "Wake Island",
    "Midway Islands",
    "Johnston Island",
    "Mariana Islands",
    "American Samoa",
    "Eniwetok (J.T.F. 7)",
    "Puerto Rico",
}
_DOUBLED = 1.8
# A doubled report is told from a build-up only in a year of quarterly reports, and from noise
# only at a hundred personnel or more.
_QUARTERLY = 3
_SMALL = 100
_LOCATION_CHARACTERS = 300


@dataclass(frozen=True)
class WarDeployment:
    """Years of a war the United States fought on a host's territory."""

    host: str
    ccode: int
    first_year: int
    last_year: int
    war: str
    source: str


def read_war_deployments() -> tuple[WarDeployment, ...]:
    """The war deployments of ``war_deployments.tsv``, shipped beside the data."""
    text = resources.files("comity.data").joinpath("us_troops/war_deployments.tsv")
    lines = text.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    if tuple(header) != _WAR_COLUMNS:
        raise ValueError(f"war_deployments.tsv has the columns {header}")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]
    return tuple(
        WarDeployment(
            r["host_iso3"],
            int(r["ccode"]),
            int(r["first_year"]),
            int(r["last_year"]),
            r["war"],
            r["source"],
        )
        for r in rows
    )


@dataclass
class _HostYear:
    """The reports of one host in one year."""

    ccode: int
    iso3: str
    name: str
    first_line: int
    rows: int = 0
    troops: list[float] = field(default_factory=list)


@dataclass
class _Bases:
    names: list[str] = field(default_factory=list)
    major: int = 0


class UsTroops(Importer):
    """Importer of troopdata's quarterly US deployments and Vine's bases."""

    info = DatasetInfo(
        name="us_troops",
        title="US military personnel stationed abroad, 1950-2025, and US bases abroad",
        files=(_QUARTERS, _BASES),
        citation=(
            'Allen, Michael A., Michael E. Flynn, and Carla Martinez Machain. 2022. "Global U.S. '
            'military deployment data: 1950-2020." Conflict Management and Peace Science 39(3): '
            "351-370 (troopdata, https://github.com/meflynn/troopdata; US Defense Manpower Data "
            "Center reports). Vine, David. 2015. Base Nation. New York: Metropolitan Books."
        ),
        licence="GPL (>= 3), as the troopdata repository; DMDC reports are US government works",
        version="troopdata 3946bcf",
        becomes="presence engagements (US forces stationed in each host, per year)",
    )
    # Vine writes Kosovo with the code KSV, which is no ISO code.
    extra_names = MappingProxyType({"KSV": "XKX"})

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the quarterly reports and the bases into yearly presence engagements."""
        batch = Batch()
        by_name = {path.name: path for path in paths}
        bases: dict[str, _Bases] = {}
        if _BASES in by_name:
            bases = self._read_bases(by_name[_BASES], context, batch)
        years: dict[tuple[int, int], _HostYear] = {}
        if _QUARTERS in by_name:
            years = self._read_quarters(by_name[_QUARTERS], context, batch)
        wars = read_war_deployments()
        resolved: dict[tuple[int, int], str | None] = {}
        found: dict[str, Engagement] = {}
        rows: dict[str, int] = {}
        for (_, year), host_year in sorted(years.items()):
            engagement = self._presence(host_year, year, wars, bases, context, resolved)
            if engagement is None or engagement.external_id is None:
                continue
            key = engagement.external_id
            rows[key] = rows.get(key, 0) + host_year.rows
            earlier = found.get(key)
            if earlier is not None:
                engagement = _summed(earlier, engagement)
                context.correct(
                    "two places of one nation in one year (Kosovo in Yugoslavia before 2008, "
                    "Serbia under two codes): their personnel summed"
                )
            found[key] = engagement
        for key, engagement in found.items():
            # Measured on the nation's year, its places summed.
            if sum(p.personnel or 0 for p in engagement.participants) >= STATIONED:
                batch.engagements.append(engagement)
            else:
                context.exclude(
                    f"fewer than {STATIONED} personnel: an embassy's Marine guards and defence "
                    "attaché office, not stationed forces",
                    count=rows[key],
                )
        batch.coverage.append(
            CoverageSpan(
                dataset=self.info.name,
                nation=PROVIDER,
                first_year=_FIRST_YEAR,
                last_year=_LAST_YEAR,
                note="US forces permanently assigned abroad (DMDC); rotational forces largely "
                "missing; war deployments left out",
                kind="presence",
            )
        )
        return batch

    def _read_quarters(
        self, path: Path, context: ImportContext, batch: Batch
    ) -> dict[tuple[int, int], _HostYear]:
        years: dict[tuple[int, int], _HostYear] = {}
        for line, row in read_delimited(path, context, required=_COLUMNS):
            batch.rows_read += 1
            context.advance()
            try:
                ccode, year = int(row["ccode"]), int(row["year"])
            except ValueError:
                context.issue(path.name, line, "is not a whole number", "ccode/year")
                continue
            if not _FIRST_YEAR <= year <= _LAST_YEAR:
                context.issue(path.name, line, "is not a year of the file", "year", year)
                continue
            text = row["troops_ad"].strip()
            troops: float | None = None
            if text not in ("", "NA"):
                try:
                    troops = float(text)
                except ValueError:
                    context.issue(path.name, line, "is not a number", "troops_ad", text)
                    continue
                if troops < 0:
                    context.issue(path.name, line, "is negative", "troops_ad", text)
                    continue
            entry = years.setdefault(
                (ccode, year),
                _HostYear(ccode, row["iso3c"].strip(), row["countryname"].strip(), line),
            )
            entry.rows += 1
            if troops is not None:
                entry.troops.append(troops)
        return years

    def _read_bases(self, path: Path, context: ImportContext, batch: Batch) -> dict[str, _Bases]:
        bases: dict[str, _Bases] = defaultdict(_Bases)
        for line, row in read_delimited(path, context, required=_BASE_COLUMNS):
            batch.rows_read += 1
            context.advance()
            if row["ccode"].strip() == str(_PROVIDER_CODE):
                context.exclude("a base in the United States or its territories, not abroad")
                continue
            host = context.resolve(row["iso3c"], file=path.name, row=line, column="iso3c")
            if host is None:
                continue
            entry = bases[host]
            entry.names.append(row["basename"].strip())
            entry.major += row["base"].strip() == "1"
        return dict(bases)

    def _host(
        self,
        host_year: _HostYear,
        year: int,
        context: ImportContext,
        resolved: dict[tuple[int, int], str | None],
    ) -> str | None:
        if host_year.ccode == _PROVIDER_CODE or host_year.name in _US_TERRITORIES:
            context.exclude(
                "the provider's own territory (the United States or a US territory)",
                count=host_year.rows,
            )
            return None
        if host_year.ccode >= _TERRITORY_CODES:
            context.exclude("a territory that is not a state of its own", count=host_year.rows)
            return None
        key = (host_year.ccode, year)
        if key not in resolved:
            host, reason = context.resolution(str(host_year.ccode), system="cow", year=year)
            if host is None and host_year.iso3 not in ("", "NA"):
                # CoW codes the registry does not hold (340, Serbia since 2006): the ISO code.
                host, reason = context.resolution(host_year.iso3, year=year)
            if reason is not None:
                context.issue(
                    _QUARTERS, host_year.first_line, reason, column="ccode", value=host_year.ccode
                )
            resolved[key] = host
        host = resolved[key]
        if host is None:
            return None
        nation = context.nations.get(host)
        if nation is not None and not nation.exists_in(year):
            context.exclude("the host was not a state that year", count=host_year.rows)
            return None
        return host

    def _personnel(self, host_year: _HostYear, context: ImportContext) -> int | None:
        troops = host_year.troops
        median = statistics.median(troops) if troops else 0.0
        if median <= 0:
            context.exclude("no troops in the year's median report", count=host_year.rows)
            return None
        for value in troops:
            if value == 0:
                context.correct("a report of 0 in a year whose median is not: the median is used")
            elif len(troops) >= _QUARTERLY and median >= _SMALL and value > _DOUBLED * median:
                context.correct(
                    "a report about double the year's others (Japan June 2021): the median is used"
                )
        return max(1, round(median))

    def _presence(
        self,
        host_year: _HostYear,
        year: int,
        wars: tuple[WarDeployment, ...],
        bases: dict[str, _Bases],
        context: ImportContext,
        resolved: dict[tuple[int, int], str | None],
    ) -> Engagement | None:
        if not any(host_year.troops):
            context.exclude("no troops reported that year", count=host_year.rows)
            return None
        issues = context.issue_count
        host = self._host(host_year, year, context, resolved)
        if host is None or context.issue_count > issues:
            return None
        war = next(
            (w for w in wars if w.host == host and w.first_year <= year <= w.last_year), None
        )
        if war is not None:
            context.exclude(
                "a war deployment, not stationing by consent in peacetime", count=host_year.rows
            )
            return None
        personnel = self._personnel(host_year, context)
        if personnel is None:
            return None
        sites = bases.get(host) if year >= BASES_FROM else None
        location = None
        if sites is not None:
            location = "; ".join(sites.names)
            if len(location) > _LOCATION_CHARACTERS:
                location = location[: _LOCATION_CHARACTERS - 4].rsplit("; ", 1)[0] + "; ..."
        name = context.nations[host].name if host in context.nations else host
        return context.engagement(
            {
                "kind": "presence",
                "title": f"US forces in {name} {year}",
                "start": date(year, 1, 1).isoformat(),
                # The last year of the source: in force, not ended.
                "end": None if year == _LAST_YEAR else date(year, 12, 31).isoformat(),
                "host": host,
                "participants": [
                    {"nation": host, "role": "host"},
                    {"nation": PROVIDER, "personnel": personnel},
                ],
                "location": location,
                "details": {
                    "reports": len(host_year.troops),
                    "bases": len(sites.names) if sites else None,
                    "major_bases": sites.major if sites else None,
                },
                "external_id": f"{self.info.name}:{host}:{year}",
                "provenance": {
                    "dataset": self.info.name,
                    "version": context.version,
                    "row": str(host_year.first_line),
                },
            },
            file=_QUARTERS,
            row=host_year.first_line,
        )


def _summed(earlier: Engagement, later: Engagement) -> Engagement:
    """One host-year from two rows: the sending nation's personnel added up."""
    total = sum(p.personnel or 0 for e in (earlier, later) for p in e.participants)
    participants = tuple(
        p.model_copy(update={"personnel": total}) if p.personnel else p
        for p in earlier.participants
    )
    return earlier.model_copy(update={"participants": participants})


IMPORTER = UsTroops()
