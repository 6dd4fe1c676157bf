"""Copy the browser libraries the web app serves from ``assets/node_modules`` into the package.

Run by ``make install`` after ``npm ci`` (see ``assets/package.json``): pages load these files
from comity itself, never from the internet. Each library's licence is copied beside it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "assets" / "node_modules"
TARGET = ROOT / "src" / "comity" / "web" / "static" / "vendor"

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
    "cytoscape/dist/cytoscape.min.js": "cytoscape.min.js",
    "world-atlas/countries-110m.json": "countries-110m.json",
    "@picocss/pico/css/pico.min.css": "pico.min.css",
}
LICENCES = ["htmx.org", "vega", "vega-lite", "vega-embed", "cytoscape", "world-atlas",
            "@picocss/pico"]  # fmt: skip


def main() -> int:
    """Copy every file; fail naming the first one missing."""
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, name in FILES.items():
        path = MODULES / source
        if not path.is_file():
            print(f"Missing {path}: run `npm ci` in assets/ first.", file=sys.stderr)
            return 1
        shutil.copyfile(path, TARGET / name)
    for package in LICENCES:
        found = sorted((MODULES / package).glob("LICEN[CS]E*"))
        if found:
            shutil.copyfile(found[0], TARGET / f"{package.replace('/', '-')}.LICENSE.txt")
    print(f"Copied {len(FILES)} browser assets to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
