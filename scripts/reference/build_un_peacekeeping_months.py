"""Rebuild src/comity/data/un_peacekeeping/months_reported.tsv from the bundled personnel file.

Usage: python scripts/reference/build_un_peacekeeping_months.py [--check]

The bundled file's values are ``round(sum of the months reported / 12)``: its authors averaged
every year over twelve months, a month missing from the UN's monthly file counting as 0. How many
months each year held is not in the file, so it is estimated from the file itself:

- For each pair of consecutive years, the ratio of the same country-mission's ``Total`` (later
  year over earlier), over the rows with ``Total`` >= MIN_TOTAL in the earlier year and present in
  both; its median is robust to the deployments that really grow, shrink, start or end.
- The chain is anchored at ANCHOR (2021 holds January alone: the UN's ranking of 31 January 2021
  matches the 2021 values x 12) and walks back: months(year) = months(year + 1) / median ratio,
  rounded half up to whole months and kept within 1..12. Each step starts from the previous
  year's whole months, so a real change in deployments does not carry over from year to year.
- The chain stops at FIRST_YEAR: 2010 holds 8 contributors (Albania to Benin), an incomplete
  year that the importer leaves out.

Without ``--check`` the script rewrites the TSV (review the diff before committing it); with it,
the script exits 1 when the TSV differs from what the file gives.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "src/comity/data/un_peacekeeping"
PERSONNEL = FOLDER / "country_mission_year_avg_personnel.csv.gz"
OUT = FOLDER / "months_reported.tsv"

MIN_TOTAL = 50
"""Rows smaller than this in the earlier year are left out of a ratio: rounding moves them."""
ANCHOR = (2021, 1)
FIRST_YEAR = 2011


def read_totals(path: Path) -> dict[int, dict[tuple[str, str], int]]:
    """The file's ``Total`` by year, then by (country, mission)."""
    totals: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            totals[int(row["Year"])][(row["Country"], row["Mission"])] = int(row["Total"])
    return totals


def derive_rows(totals: dict[int, dict[tuple[str, str], int]]) -> list[tuple[int, int, str]]:
    """The months reported per year, from ANCHOR back to FIRST_YEAR, as (year, months, basis)."""
    year, months = ANCHOR
    rows = [
        (
            year,
            months,
            f"anchor: January {year} alone (the UN's ranking of 31 Jan {year} matches Total x 12)",
        )
    ]
    for earlier in range(year - 1, FIRST_YEAR - 1, -1):
        later = totals[earlier + 1]
        ratios = [
            later[key] / value
            for key, value in totals[earlier].items()
            if value >= MIN_TOTAL and key in later
        ]
        if not ratios:
            raise SystemExit(f"no country-mission of {earlier} reaches {MIN_TOTAL} in both years")
        ratio = statistics.median(ratios)
        estimate = months / ratio
        whole = min(12, max(1, math.floor(estimate + 0.5)))
        capped = "" if whole == math.floor(estimate + 0.5) else f", kept to {whole}"
        basis = (
            f"{months} / {ratio:.4f} = {estimate:.2f}{capped} (median {earlier + 1}/{earlier} "
            f"ratio over {len(ratios)} country-missions with Total >= {MIN_TOTAL} in {earlier})"
        )
        rows.append((earlier, whole, basis))
        months = whole
    return sorted(rows)


def render(rows: list[tuple[int, int, str]]) -> str:
    """The TSV text of the rows, with its header."""
    lines = ["year\tmonths\tbasis"] + [f"{year}\t{months}\t{basis}" for year, months, basis in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Rewrite the months TSV, or check it with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    arguments = parser.parse_args()
    text = render(derive_rows(read_totals(PERSONNEL)))
    if arguments.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            sys.stderr.write(
                f"{OUT.relative_to(ROOT)} differs from what the personnel file gives; "
                f"expected:\n{text}"
            )
            raise SystemExit(1)
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 1} years to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
