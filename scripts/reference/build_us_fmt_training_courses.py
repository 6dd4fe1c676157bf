"""Rebuild src/comity/data/us_fmt_training/fmt_courses.csv.gz from the FMTR training items.

Usage: python scripts/reference/build_us_fmt_training_courses.py ITEMS [--check]

ITEMS is ``fmt_training_items.csv.gz`` (254,697 training items as printed in the US Foreign
Military Training Reports FY1999-FY2020, rebuilt from Security Force Monitor's fmtrpt_data by the
``derive.py`` kept beside it; see the bundled PROVENANCE.md). comity groups items into far larger
engagements, so it ships the items summed per course line instead of the items themselves:

- one output row per (report, training_fy, primary, country, iso3_sfm, program, course_title,
  us_unit), every value as printed (whitespace already collapsed by derive.py); the quirks the
  importer handles (``primary`` 0 rows, SFM's own codes, unmapped names, the "No activities
  reported" rows) are kept, so that its report accounts for them;
- ``items`` counts the items, ``students`` sums ``quantity`` and ``total_cost_usd`` sums the
  cost, each over the items that have one; ``items_missing_quantity`` and
  ``items_missing_cost`` count those without;
- columns the importer does not use are dropped: region, student_unit, location, the dates (the
  report's fiscal year dates every item; start dates are missing before FY2001 and hold impossible
  years such as 2107), page_number and source_file.

The output is sorted and gzipped with a zero timestamp, so the same input gives the same bytes.
With ``--check`` the script exits 1 when the bundled file differs from what ITEMS gives.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src/comity/data/us_fmt_training/fmt_courses.csv.gz"

KEY = (
    "report",
    "training_fy",
    "primary",
    "country",
    "iso3_sfm",
    "program",
    "course_title",
    "us_unit",
)
COLUMNS = (
    *KEY,
    "items",
    "students",
    "items_missing_quantity",
    "total_cost_usd",
    "items_missing_cost",
)


def build(items: Path) -> bytes:
    """The bundled file's bytes, from the items file."""
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    with gzip.open(items, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            total = sums[tuple(row[column] for column in KEY)]
            total[0] += 1
            if row["quantity"]:
                total[1] += int(row["quantity"])
            else:
                total[2] += 1
            if row["total_cost_usd"]:
                total[3] += int(row["total_cost_usd"])
            else:
                total[4] += 1
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for key in sorted(sums):
        writer.writerow([*key, *sums[key]])
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        handle.write(text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def main() -> int:
    """Write (or with --check, compare) the bundled file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", type=Path, help="fmt_training_items.csv.gz")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    arguments = parser.parse_args()
    data = build(arguments.items)
    if arguments.check:
        same = OUT.exists() and gzip.decompress(OUT.read_bytes()) == gzip.decompress(data)
        print("up to date" if same else f"{OUT} differs from what {arguments.items} gives")
        return 0 if same else 1
    OUT.write_bytes(data)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
