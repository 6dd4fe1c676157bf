"""The reference registry of nations, built from pycountry, country_converter and bundled tables.

Sources, each reviewable as data:

- current states and territories: pycountry (ISO 3166-1) with country_converter's short names,
  official names, UN regions and continents, plus Kosovo (XKX) from country_converter;
- historical states: ``extra_nations.tsv`` (ISO 3166-3 codes where they exist, ``X..`` otherwise);
- CoW, CoW abbreviation and Gleditsch-Ward codes with their validity dates, and the years in which
  an ISO code stands for another state (``crosswalk.tsv``, rebuilt by
  ``scripts/reference/build_crosswalk.py``), and one ``crosswalk_<system>.tsv`` per further code
  system (Hofstede, CAMEO);
- state-system spells: the bundled Correlates of War state list (v2016), cut by the crosswalk's
  dates (so the CoW spell of code 365 becomes Russia to 1921, the USSR 1922-1991, Russia again);
- extra spellings: ``aliases.tsv``.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from comity.model.nations import CodeSystem, Nation, NationCode, StateSpell

__all__ = ["Reference", "load_reference"]

_COW_DATA_END = date(2016, 12, 31)
"""The last day the bundled CoW list covers: a spell ending then is still running."""


@dataclass(frozen=True)
class Reference:
    """Everything the registry and the resolver start from.

    Attributes:
        nations: Every nation, current and historical, by key.
        codes: Every code of every system, with validity dates.
        aliases: Extra spellings (as written) and the key each stands for.
        names: Official and common names from pycountry and country_converter, per key.
        patterns: country_converter's regular expressions for free-text names, per key.
    """

    nations: dict[str, Nation]
    codes: tuple[NationCode, ...]
    aliases: tuple[tuple[str, str], ...]
    names: dict[str, tuple[str, ...]]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]


def _read_tsv(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("comity.nations").joinpath(name).read_text(encoding="utf-8")
    yield from csv.DictReader(text.splitlines(), delimiter="\t")


def _read_cow_spells() -> dict[int, list[tuple[date, date]]]:
    path = resources.files("comity").joinpath("data/cow_states/cow_states_2016.csv")
    spells: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines()):
        start = date(int(row["styear"]), int(row["stmonth"]), int(row["stday"]))
        end = date(int(row["endyear"]), int(row["endmonth"]), int(row["endday"]))
        spells[int(row["ccode"])].append((start, end))
    return spells


def _optional_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _crosswalk_files() -> list[str]:
    # crosswalk.tsv holds the CoW/GW/ISO codes; crosswalk_<system>.tsv files add one system each.
    folder = resources.files("comity.nations")
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.startswith("crosswalk") and entry.name.endswith(".tsv")
    )


def _read_codes() -> tuple[NationCode, ...]:
    return tuple(
        NationCode(
            system=CodeSystem(row["system"]),
            code=row["code"],
            nation=row["iso3"],
            valid_from=_optional_date(row["valid_from"]),
            valid_to=_optional_date(row["valid_to"]),
        )
        for name in _crosswalk_files()
        for row in _read_tsv(name)
    )


def _spells_by_nation(codes: tuple[NationCode, ...]) -> dict[str, tuple[StateSpell, ...]]:
    cow_spells = _read_cow_spells()
    pieces: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for code in codes:
        if code.system is not CodeSystem.COW:
            continue
        for start, end in cow_spells[int(code.code)]:
            first = max(start, code.valid_from or date.min)
            last = min(end, code.valid_to or date.max)
            if first <= last:
                pieces[code.nation].append((first, last))
    merged: dict[str, tuple[StateSpell, ...]] = {}
    for nation, spans in pieces.items():
        spans.sort()
        out: list[list[date]] = []
        for first, last in spans:
            if out and first <= out[-1][1] + timedelta(days=1):
                out[-1][1] = max(out[-1][1], last)
            else:
                out.append([first, last])
        merged[nation] = tuple(
            StateSpell(start=first, end=None if last >= _COW_DATA_END else last)
            for first, last in out
        )
    return merged


def _latest_codes(codes: tuple[NationCode, ...]) -> dict[tuple[str, CodeSystem], str]:
    latest: dict[tuple[str, CodeSystem], tuple[date, str]] = {}
    for code in codes:
        if code.system is CodeSystem.ISO3:
            continue
        key = (code.nation, code.system)
        until = code.valid_to or date.max
        if key not in latest or until >= latest[key][0]:
            latest[key] = (until, code.code)
    return {key: value for key, (_, value) in latest.items()}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


_CONVERTER_UNIQUE = ("name_short", "name_official", "regex")
"""Columns country_converter keeps unique, the last row of a value winning."""


def converter_rows() -> dict[str, dict[str, str]]:
    """country_converter's current countries by ISO3, read from the data file it ships.

    The rows its ``CountryConverter().data`` holds (obsolete rows left out, the last of rows
    sharing a name or pattern kept), read with the standard library: loading the class imports
    pandas, which would double the time of every command that names a nation.
    """
    from importlib.util import find_spec

    # Found without importing the package (whose import loads pandas).
    spec = find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("country_converter is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if not _text(r.get("obsolete"))]
    for column in _CONVERTER_UNIQUE:
        last = {row[column]: i for i, row in enumerate(rows)}
        rows = [row for i, row in enumerate(rows) if last[row[column]] == i]
    return {row["ISO3"]: row for row in rows}


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    """Build the reference registry (cached: it is read-only)."""
    import pycountry

    rows_by_iso3 = converter_rows()

    codes = _read_codes()
    spells = _spells_by_nation(codes)
    latest = _latest_codes(codes)

    def build(iso3: str, fields: dict[str, Any]) -> Nation:
        cow = latest.get((iso3, CodeSystem.COW))
        gw = latest.get((iso3, CodeSystem.GW))
        return Nation(
            iso3=iso3,
            cow_code=int(cow) if cow else None,
            cow_abbrev=latest.get((iso3, CodeSystem.COW_ABBREV)),
            gw_code=int(gw) if gw else None,
            spells=spells.get(iso3, ()),
            **fields,
        )

    nations: dict[str, Nation] = {}
    names: dict[str, tuple[str, ...]] = {}
    patterns: list[tuple[str, re.Pattern[str]]] = []
    current: list[tuple[str, Any]] = [(c.alpha_3, c) for c in pycountry.countries]
    current.append(("XKX", None))  # Kosovo: not in ISO 3166, coded XKX by convention
    for iso3, country in current:
        row: dict[str, Any] = rows_by_iso3.get(iso3, {})
        pycountry_names = (
            [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
            if country is not None
            else []
        )
        fields = {
            "name": _text(row.get("name_short")) or pycountry_names[0],
            "official_name": _text(row.get("name_official"))
            or (pycountry_names[1] if pycountry_names else None),
            "iso2": getattr(country, "alpha_2", None) or _text(row.get("ISO2")),
            "iso_numeric": int(country.numeric) if country is not None else None,
            "region": _text(row.get("UNregion")),
            "continent": _text(row.get("continent")),
        }
        nations[iso3] = build(iso3, fields)
        spellings = [_text(n) for n in [*pycountry_names, row.get("name_short")]]
        spellings.append(_text(row.get("name_official")))
        names[iso3] = tuple(dict.fromkeys(s for s in spellings if s))
        regex = _text(row.get("regex"))
        if regex:
            patterns.append((iso3, re.compile(regex, re.IGNORECASE)))

    for row in _read_tsv("extra_nations.tsv"):
        iso3 = row["iso3"]
        fields = {
            "name": row["name"],
            "official_name": row["official_name"] or None,
            "iso2": row["iso2"] or None,
            "iso_numeric": int(row["iso_numeric"]) if row["iso_numeric"] else None,
            "region": row["region"] or None,
            "continent": row["continent"] or None,
            "historical": row["historical"] == "1",
        }
        nations[iso3] = build(iso3, fields)
        names[iso3] = tuple(dict.fromkeys(n for n in (row["name"], row["official_name"]) if n))

    aliases = tuple((row["alias"], row["iso3"]) for row in _read_tsv("aliases.tsv"))
    return Reference(
        nations=nations, codes=codes, aliases=aliases, names=names, patterns=tuple(patterns)
    )
