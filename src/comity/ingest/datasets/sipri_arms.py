"""SIPRI Arms Transfers Database -> ``arms_transfer`` engagements, per supplier, recipient, year.

Two files of the same database, read together so that no year is counted twice:

- ``sipri_tiv_dyad_year.csv.gz``: SIPRI's table of TIV delivered by supplier, recipient and year,
  1950-2021 (360info's tidy copy of the tables generated on 28 July 2022). SIPRI allocates each
  deal's value to the years its weapons were actually delivered, so it is the exact yearly value.
- ``sipri_trade_register.csv.gz``: the deal-level register (a 2025 release: orders 1950-2024,
  deliveries to 2024). It lists a deal's delivery years but not what was delivered in each, so a
  yearly value from it is an estimate (the deal's delivered TIV spread evenly over its years).

The rule: **1950-2021 from the TIV table, 2022-2024 from the register**, never both for a year.
The table is exact where it exists; the register alone reaches past 2021. For every year the
register also gives the deals behind a record (their number, order years and weapons), which
are details, not values: the TIV of a year up to 2021 is always the table's.

One engagement per supplier, recipient and year of deliveries (``USA -> KOR 2005``): the supplier
is the host (it gives, in the directed view), the recipient the other participant; ``tiv`` in
its details is the year's TIV (millions; 0 means less than 0.5 million, a delivery all the
same), ``tiv_estimated`` is true for the register's years.

Quirks of the files, each handled by a rule below and counted in the report:

- Names are SIPRI's, resolved with the row's (delivery) year: "Russia" delivering in 1970-1991
  (a deal the Soviet Union began and Russia finished) is the Soviet Union then; "Turkiye",
  "UAE", "Viet Nam" resolve as they are. "East Germany (GDR)" is mapped in :data:`NAMES`.
- Non-state actors are marked ``*`` ("Mujahedin (Afghanistan)*"), organisations ``**`` ("NATO**",
  "United Nations**"), and some parties are unknown ("Unknown supplier(s)"): those rows are not
  transfers between nations and are excluded. So are secessionist entities SIPRI names without a
  mark (Biafra, Katanga) and a party that was not a state in the delivery year (Western Sahara;
  deliveries before independence): the resolver knows them only as places.
- The TIV table's country codes (``*_cown``, from R's countrycode, ``NA`` for Serbia) and map
  points are not read: nations come from the names.
- The register's TIV fields are empty or ``?`` for a few deals: they count as 0 delivered. A deal
  without delivery years (not yet delivered) adds nothing to any year.
- A supplier delivering to itself does not occur; any such row would be an issue.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.model.engagements import Engagement
from comity.model.measures import CoverageSpan

__all__ = ["IMPORTER", "NAMES", "REGISTER_FROM", "SipriArms"]

NAMES: dict[str, str] = {"East Germany (GDR)": "DDR"}
"""SIPRI spellings the resolver does not know: the German Democratic Republic, spelled with its
abbreviation in parentheses."""

REGISTER_FROM = 2022
"""The first year whose deliveries come from the register (the TIV table ends in 2021)."""

_FIRST_YEAR = 1950
_LAST_YEAR = 2024
_TIV_FILE = "sipri_tiv_dyad_year.csv.gz"
_REGISTER_FILE = "sipri_trade_register.csv.gz"
_TIV_COLUMNS = ("supplier", "recipient", "year", "value")
_REGISTER_COLUMNS = (
    "recipient",
    "supplier",
    "order_year",
    "weapon_designation",
    "delivery_years",
    "tiv_delivered",
)
_NOT_STATES = {"Biafra", "Katanga", "Western Sahara"}
_YEARS = re.compile(r"\d{4}")
_WEAPONS_SHOWN = 8


@dataclass
class _Year:
    """What one supplier delivered to one recipient in one year."""

    tiv: float = 0.0
    estimated: bool = False
    in_table: bool = False
    deals: int = 0
    order_years: set[int] = field(default_factory=set)
    weapons: list[str] = field(default_factory=list)
    row: str = ""


class SipriArms(Importer):
    """Importer of SIPRI's TIV table and trade register."""

    info = DatasetInfo(
        name="sipri_arms",
        title="SIPRI Arms Transfers Database: TIV of deliveries 1950-2021 and trade register",
        files=(_TIV_FILE, _REGISTER_FILE),
        citation=(
            "Stockholm International Peace Research Institute (SIPRI), SIPRI Arms Transfers "
            "Database, https://www.sipri.org/databases/armstransfers (TIV tables generated "
            "28 July 2022; trade register, 2025 release); tidy TIV table by 360info "
            "(https://github.com/360-info/report-arms-trade)."
        ),
        licence="SIPRI data with attribution; 360info's tidy table CC BY 4.0",
        version="360info e00d2d3 (TIV 1950-2021); register 2025 release",
        becomes="arms_transfer engagements (supplier to recipient, per year, in SIPRI TIV)",
    )
    extra_names = NAMES

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read both files into yearly arms-transfer engagements."""
        batch = Batch()
        by_name = {path.name: path for path in paths}
        years: dict[tuple[str, str, int], _Year] = defaultdict(_Year)
        resolved: dict[tuple[str, int], str | None] = {}
        table, register = by_name.get(_TIV_FILE), by_name.get(_REGISTER_FILE)
        if table is not None:
            self._read_table(table, context, batch, years, resolved)
        if register is not None:
            self._read_register(register, context, batch, years, resolved)
        for (supplier, recipient, year), value in sorted(years.items()):
            if year < REGISTER_FROM and not value.in_table:
                # Deals the register dates to a year the table has no delivery for: the table's
                # yearly allocation is SIPRI's, so the register adds no value there.
                continue
            engagement = self._engagement(supplier, recipient, year, value, context)
            if engagement is not None:
                batch.engagements.append(engagement)
        batch.coverage.append(
            CoverageSpan(
                dataset=self.info.name,
                first_year=_FIRST_YEAR,
                last_year=_LAST_YEAR,
                note=f"deliveries of major conventional arms; {REGISTER_FROM}-{_LAST_YEAR} "
                "estimated from the trade register (each deal spread evenly over its years)",
                kind="arms_transfer",
            )
        )
        return batch

    def _nation(
        self,
        name: str,
        year: int,
        where: tuple[str, int, str],
        context: ImportContext,
        resolved: dict[tuple[str, int], str | None],
    ) -> str | None:
        """The nation a SIPRI name means in ``year``; None (counted) when it is none."""
        key = (name, year)
        if key in resolved:
            return resolved[key]
        file, line, column = where
        nation: str | None
        if name.endswith("*"):
            nation = None
        elif name.lower().startswith("unknown"):
            nation = None
        elif name in _NOT_STATES:
            nation = None
        else:
            nation = context.resolve(name, file=file, row=line, column=column, year=year)
            known = context.nations.get(nation) if nation is not None else None
            if known is not None and not known.exists_in(year):
                nation = None
        resolved[key] = nation
        return nation

    def _exclusion(self, name: str) -> str:
        if name.endswith("**"):
            return "an organisation is a party (marked **), not a nation"
        if name.endswith("*"):
            return "a non-state actor is a party (marked *)"
        if name.lower().startswith("unknown"):
            return "a party is unknown"
        if name in _NOT_STATES:
            return "a party is not a state (Biafra, Katanga, Western Sahara)"
        return "a party was not a state in the year of delivery"

    def _parties(
        self,
        row: dict[str, str],
        year: int,
        file: str,
        line: int,
        context: ImportContext,
        resolved: dict[tuple[str, int], str | None],
    ) -> tuple[str, str] | None:
        issues = context.issue_count
        supplier = self._nation(row["supplier"], year, (file, line, "supplier"), context, resolved)
        recipient = self._nation(
            row["recipient"], year, (file, line, "recipient"), context, resolved
        )
        if context.issue_count > issues:
            return None
        if supplier is None or recipient is None:
            name = row["supplier"] if supplier is None else row["recipient"]
            context.exclude(self._exclusion(name.strip()))
            return None
        if supplier == recipient:
            context.issue(file, line, "supplier and recipient are one nation", "recipient")
            return None
        return supplier, recipient

    def _read_table(
        self,
        path: Path,
        context: ImportContext,
        batch: Batch,
        years: dict[tuple[str, str, int], _Year],
        resolved: dict[tuple[str, int], str | None],
    ) -> None:
        for line, row in read_delimited(path, context, required=_TIV_COLUMNS):
            batch.rows_read += 1
            context.advance()
            year = _integer(row["year"], path.name, line, "year", context)
            value = _integer(row["value"], path.name, line, "value", context)
            if year is None or value is None:
                continue
            if not _FIRST_YEAR <= year < REGISTER_FROM:
                context.issue(path.name, line, "is not a year of the table", "year", year)
                continue
            parties = self._parties(row, year, path.name, line, context, resolved)
            if parties is None:
                continue
            entry = years[(*parties, year)]
            if entry.in_table:
                context.issue(path.name, line, "repeats a supplier, recipient and year", "year")
                continue
            entry.tiv, entry.in_table, entry.row = float(value), True, f"{path.name}:{line}"

    def _read_register(
        self,
        path: Path,
        context: ImportContext,
        batch: Batch,
        years: dict[tuple[str, str, int], _Year],
        resolved: dict[tuple[str, int], str | None],
    ) -> None:
        for line, row in read_delimited(path, context, required=_REGISTER_COLUMNS):
            batch.rows_read += 1
            context.advance()
            order = _integer(row["order_year"], path.name, line, "order_year", context)
            delivered = [int(y) for y in _YEARS.findall(row["delivery_years"])]
            text = row["tiv_delivered"].strip()
            try:
                tiv = float(text) if text not in ("", "?") else 0.0
            except ValueError:
                context.issue(path.name, line, "is not a number", "tiv_delivered", text)
                continue
            if order is None:
                continue
            if not delivered:
                context.exclude("a deal with nothing delivered yet")
                continue
            if any(not 1900 <= y <= _LAST_YEAR for y in delivered):
                context.issue(path.name, line, "holds a year out of range", "delivery_years")
                continue
            last = max(delivered)
            parties = self._parties(row, last, path.name, line, context, resolved)
            if parties is None:
                continue
            weapon = row["weapon_designation"].strip()
            for year in delivered:
                entry = years[(*parties, year)]
                entry.deals += 1
                entry.order_years.add(order)
                if weapon and weapon not in entry.weapons:
                    entry.weapons.append(weapon)
                if year >= REGISTER_FROM:
                    entry.tiv += tiv / len(delivered)
                    entry.estimated = True
                    entry.row = entry.row or f"{path.name}:{line}"

    def _engagement(
        self, supplier: str, recipient: str, year: int, value: _Year, context: ImportContext
    ) -> Engagement | None:
        names = {k: context.nations[k].name if k in context.nations else k for k in (supplier,)}
        weapons = ", ".join(value.weapons[:_WEAPONS_SHOWN])
        if len(value.weapons) > _WEAPONS_SHOWN:
            weapons += f" and {len(value.weapons) - _WEAPONS_SHOWN} more"
        file, _, line = value.row.partition(":")
        recipient_name = context.nations[recipient].name if recipient in context.nations else ""
        return context.engagement(
            {
                "kind": "arms_transfer",
                "title": f"Arms from {names[supplier]} to {recipient_name or recipient} {year}",
                "start": date(year, 1, 1).isoformat(),
                "end": date(year, 12, 31).isoformat(),
                "host": supplier,
                "participants": [
                    {"nation": supplier, "role": "host"},
                    {"nation": recipient},
                ],
                "details": {
                    "tiv": round(value.tiv, 2),
                    "tiv_estimated": value.estimated,
                    "order_years": sorted(value.order_years),
                    "delivery_years": [year],
                    "deals": value.deals or None,
                    "weapons": weapons or None,
                },
                "external_id": f"{self.info.name}:{supplier}>{recipient}:{year}",
                "provenance": {
                    "dataset": self.info.name,
                    "version": context.version,
                    "row": value.row or None,
                },
            },
            file=file or _TIV_FILE,
            row=int(line) if line else None,
        )


def _integer(text: str, file: str, line: int, column: str, context: ImportContext) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        context.issue(file, line, "is not a whole number", column, text)
        return None


IMPORTER = SipriArms()
