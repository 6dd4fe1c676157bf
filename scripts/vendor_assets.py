"""Copy the browser libraries the web app serves from ``assets/node_modules`` into the package.

Run by ``make install`` after ``npm ci`` (see ``assets/package.json``): pages load these files
from comity itself, never from the internet. Each library's licence is copied beside it.

The pages' Content-Security-Policy refuses inline styles, so the rules vega-embed and
vega-tooltip would inject in ``<style>`` elements are written out as ``vega-embed.css`` and
``vega-tooltip.css`` (``app.js`` tells both libraries not to inject them). Vega's expressions
run through vega-interpreter, which ``vega-embed.min.js`` bundles and uses when given
``ast: true`` (the browser tests fail if a later bundle stops doing so); its licence is copied.
Likewise ``sigma.min.js`` bundles ``events`` and ``graphology-utils``, whose licences are copied.

``axe.min.js`` (axe-core) is for the accessibility tests only: no page loads it. It bundles
other projects' code, whose licences axe-core gathers in ``LICENSE-3RD-PARTY.txt``; that file is
copied beside its own licence.
"""

from __future__ import annotations

import re
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
    "graphology/dist/graphology.umd.min.js": "graphology.umd.min.js",
    "sigma/dist/sigma.min.js": "sigma.min.js",
    "world-atlas/countries-110m.json": "countries-110m.json",
    "@picocss/pico/css/pico.min.css": "pico.min.css",
    "axe-core/axe.min.js": "axe.min.js",
    "axe-core/LICENSE-3RD-PARTY.txt": "axe-core.LICENSE-3RD-PARTY.txt",
}
# Stylesheets held in a library's source as a template string: (file, variable) -> name.
STYLES = {
    ("vega-embed/build/embed.js", "embedStyle"): "vega-embed.css",
    ("vega-tooltip/build/index.js", "defaultStyle"): "vega-tooltip.css",
}
RETIRED = ["cytoscape.min.js", "cytoscape.LICENSE.txt"]
"""Files an earlier version of this script copied, removed so that pages cannot load them."""
LICENCES = [
    "htmx.org",
    "vega",
    "vega-lite",
    "vega-embed",
    "vega-interpreter",
    "vega-tooltip",
    "graphology",
    "sigma",
    "events",
    "graphology-utils",
    "world-atlas",
    "@picocss/pico",
    "axe-core",
]


def main() -> int:
    """Copy every file; fail naming the first one missing."""
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in RETIRED:
        (TARGET / name).unlink(missing_ok=True)
    for source, name in FILES.items():
        path = MODULES / source
        if not path.is_file():
            print(f"Missing {path}: run `npm ci` in assets/ first.", file=sys.stderr)
            return 1
        shutil.copyfile(path, TARGET / name)
    for (source, variable), name in STYLES.items():
        css = _template_string(MODULES / source, variable)
        if css is None:
            print(
                f"No `{variable}` in {MODULES / source}: has the library changed?", file=sys.stderr
            )
            return 1
        (TARGET / name).write_text(css, encoding="utf-8")
    for package in LICENCES:
        found = sorted((MODULES / package).glob("LICEN[CS]E*"))
        if found:
            shutil.copyfile(found[0], TARGET / f"{package.replace('/', '-')}.LICENSE.txt")
    count = len(FILES) + len(STYLES)
    print(f"Copied {count} browser assets to {TARGET.relative_to(ROOT)}")
    return 0


def _template_string(path: Path, variable: str) -> str | None:
    """The text of ``var <variable> = `...`;`` in a JavaScript file, or None."""
    found = re.search(rf"var {variable} = `(.*?)`;", path.read_text("utf-8"), re.S)
    if found is None or "${" in found.group(1):
        return None
    return found.group(1)


if __name__ == "__main__":
    sys.exit(main())
