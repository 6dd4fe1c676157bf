"""Rebuild src/comity/nations/crosswalk.tsv from the bundled CoW state list.

Usage: python scripts/reference/build_crosswalk.py

Every CoW state is matched to an ISO alpha-3 key by country_converter on its CoW name; the
states ISO does not know, and the codes whose meaning changes over time (Russia/USSR,
Serbia/Yugoslavia, the two Germanies and Yemens), are set by hand in OVERRIDES below. The
Gleditsch-Ward rows repeat the CoW rows except where Gleditsch and Ward (1999) code differently
(GW_DIFFERENCES). The ``iso3`` rows redirect an ISO code to
another key in the years another state stood in its place (ISO3_REDIRECTS).
The script rewrites the TSV; review the diff before committing it.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import country_converter as coco

ROOT = Path(__file__).resolve().parents[2]
STATES = ROOT / "src/comity/data/cow_states/cow_states_2016.csv"
OUT = ROOT / "src/comity/nations/crosswalk.tsv"

# ccode -> list of (iso3, valid_from, valid_to, note); dates are ISO, empty = open.
OVERRIDES: dict[int, list[tuple[str, str, str, str]]] = {
    240: [("XHN", "", "", "Hanover: no ISO code; user-assigned")],
    245: [("XBV", "", "", "Bavaria: no ISO code; user-assigned")],
    # CoW gives the Federal Republic 260 in 1955-1990, so 255 is not Germany's in those years.
    255: [
        ("DEU", "", "1945-05-08", "Germany (Prussia) to 1945"),
        ("DEU", "1990-10-03", "", "Unified Germany from 1990-10-03"),
    ],
    260: [("DEU", "1955-05-05", "1990-10-02", "German Federal Republic; ISO DEU continues it")],
    265: [("DDR", "", "", "German Democratic Republic; ISO 3166-3 DDR")],
    267: [("XBD", "", "", "Baden: no ISO code; user-assigned")],
    269: [("XSX", "", "", "Saxony: no ISO code; user-assigned")],
    271: [("XWT", "", "", "Wuerttemberg: no ISO code; user-assigned")],
    273: [("XHE", "", "", "Hesse Electoral: no ISO code; user-assigned")],
    275: [("XHG", "", "", "Hesse Grand Ducal: no ISO code; user-assigned")],
    280: [("XMC", "", "", "Mecklenburg-Schwerin: no ISO code; user-assigned")],
    300: [("XAH", "", "", "Austria-Hungary: no ISO code; user-assigned")],
    315: [("CSK", "", "", "Czechoslovakia; ISO 3166-3 CSK")],
    327: [("XPS", "", "", "Papal States (not the Vatican City State); user-assigned")],
    329: [("XSC", "", "", "Two Sicilies: no ISO code; user-assigned")],
    332: [("XMD", "", "", "Modena: no ISO code; user-assigned")],
    335: [("XPM", "", "", "Parma: no ISO code; user-assigned")],
    337: [("XTS", "", "", "Tuscany: no ISO code; user-assigned")],
    345: [
        ("SRB", "", "1918-11-30", "Kingdom of Serbia (CoW codes it 345 throughout)"),
        ("YUG", "1918-12-01", "2006-06-04", "Yugoslavia, then Serbia and Montenegro"),
        ("SRB", "2006-06-05", "", "Serbia after Montenegro's independence"),
    ],
    365: [
        ("RUS", "", "1921-12-31", "Russian Empire / Soviet Russia"),
        ("SUN", "1922-01-01", "1991-12-25", "Soviet Union; ISO 3166-3 SUN"),
        ("RUS", "1991-12-26", "", "Russian Federation"),
    ],
    511: [("XZN", "", "", "Zanzibar: no ISO code; user-assigned")],
    678: [("YEM", "", "1990-05-21", "Yemen Arab Republic; unified Yemen (679) continues it")],
    680: [("YMD", "", "", "Yemen People's Republic (South Yemen); ISO 3166-3 YMD")],
    730: [("XKR", "", "", "Korea (Joseon / Korean Empire), 1887-1905; user-assigned")],
    817: [("XVN", "", "", "Republic of Vietnam (South Vietnam); user-assigned")],
}

# Gleditsch-Ward codes that differ from CoW: gwcode -> list of (iso3, from, to, note).
GW_DIFFERENCES: dict[int, list[tuple[str, str, str, str]]] = {
    255: [("DEU", "", "1945-05-08", "Germany (Prussia) to 1945")],
    260: [("DEU", "1949-05-23", "", "German Federal Republic, and unified Germany from 1990")],
    265: [("DDR", "1949-10-07", "1990-10-02", "German Democratic Republic")],
    340: [
        ("SRB", "", "1918-11-30", "Serbia"),
        ("SRB", "2006-06-05", "", "Serbia after Montenegro's independence"),
    ],
    345: [("YUG", "1918-12-01", "2006-06-04", "Yugoslavia, then Serbia and Montenegro")],
    678: [("YEM", "", "", "Yemen (Arab Republic), continued by unified Yemen")],
    679: [],
    970: [("KIR", "", "", "Kiribati (CoW 946; CoW 970 is Nauru)")],
    971: [("NRU", "", "", "Nauru (CoW 970)")],
    972: [("TON", "", "", "Tonga (CoW 955)")],
    973: [("TUV", "", "", "Tuvalu (CoW 947)")],
    946: [],
    947: [],
    955: [],
}

# ISO alpha-3 codes (and the names that resolve to them) whose state, in some years, is another
# key: "Russia" in 1985 is the Soviet Union. iso3 -> list of (key, from, to, note).
ISO3_REDIRECTS: dict[str, list[tuple[str, str, str, str]]] = {
    "RUS": [("SUN", "1922-01-01", "1991-12-25", "Russia within the Soviet Union")],
    "SRB": [("YUG", "1918-12-01", "2006-06-04", "Serbia within Yugoslavia")],
    "SCG": [("YUG", "", "", "Serbia and Montenegro: CoW continues Yugoslavia (345)")],
    "VDR": [("VNM", "", "", "Democratic Republic of Viet-Nam: CoW continues it as 816")],
}


def main() -> None:
    """Rewrite the crosswalk TSV."""
    logging.disable(logging.WARNING)
    converter = coco.CountryConverter()
    with STATES.open(newline="", encoding="utf-8") as handle:
        states = list(csv.DictReader(handle))
    first: dict[int, dict[str, str]] = {}
    for row in states:
        first.setdefault(int(row["ccode"]), row)

    rows: list[tuple[str, str, str, str, str, str]] = []
    cow_rows: dict[int, list[tuple[str, str, str, str]]] = {}
    for ccode, row in first.items():
        if ccode in OVERRIDES:
            entries = OVERRIDES[ccode]
        else:
            iso3 = converter.convert(row["statenme"], to="ISO3", not_found=None)
            if not isinstance(iso3, str):
                raise SystemExit(f"no ISO3 for CoW {ccode} {row['statenme']}: add an override")
            entries = [(iso3, "", "", "")]
        cow_rows[ccode] = entries
        for iso3, start, end, note in entries:
            rows.append(("cow", str(ccode), iso3, start, end, note))
            rows.append(("cow_abbrev", row["stateabb"], iso3, start, end, note))

    gw = {code: list(entries) for code, entries in cow_rows.items()}
    gw.update(GW_DIFFERENCES)
    for code in sorted(gw):
        for iso3, start, end, note in gw[code]:
            rows.append(("gw", str(code), iso3, start, end, note))

    for code, entries in ISO3_REDIRECTS.items():
        for iso3, start, end, note in entries:
            rows.append(("iso3", code, iso3, start, end, note))

    order = {"iso3": 0, "cow": 1, "cow_abbrev": 2, "gw": 3}
    rows.sort(key=lambda r: (order[r[0]], int(r[1]) if r[1].isdigit() else 0, r[1], r[3]))
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["system", "code", "iso3", "valid_from", "valid_to", "note"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
