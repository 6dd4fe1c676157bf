"""The network view in a browser: one step of the year slider until the graph is redrawn.

In one run:

- data: a fresh SQLite store with every bundled dataset imported (not timed), or a copy of the
  SQLite file given as the first argument (``python -m bench.network_view comity.db``), with a
  planner of the United States (their view exercises the releasability filter);
- server: uvicorn, one process on a free loopback port, serving the app of ``comity serve``
  (:func:`comity.server.build_app`) over the store, rate limits lifted, access log off;
- browser: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, headless, 1280 x 900;
  every request that leaves the loopback server is refused and fails the run;
- warm-up: sign in and open ``/network?year=START`` (the first load computes the viewer's index,
  network and layout), then one step forward and back;
- measured: :data:`STEPS` steps of the slider with the arrow key, one year each, a pause between
  them as a reader would make. A step runs from the key press (a ``keydown`` listener in the
  page) to the first frame after the graph says it shows the new year (``data-year`` and
  ``data-rendered="true"`` on ``#network-graph``): fetching the year, drawing the graph and
  rewriting the legend and table;
- reference: the server's part of each step's ``GET /network/data`` request, from the page's
  Resource Timing (request sent to first byte received, on loopback).

Runs ``network_view``: ``step_s`` (median step, target <= 0.2 s), ``best_step_s`` and
``worst_step_s`` (information), ``server_ms`` (median server time of the JSON request,
information) and ``first_draw_s`` (the warm page's load until drawn, information).

Usage: ``python -m bench.network_view [SQLITE_FILE]``; progress goes to standard error.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import Run, check, report

START = 2000
STEPS = 10
PAUSE_S = 0.4
"""Seconds between two steps: a reader looks before pressing the key again."""
USERNAME = "planner.usa"
PASSWORD = "bench-password-long-enough"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Resolves with the time of the first frame after the graph reports `year` drawn.
_DRAWN = """(year) => new Promise((resolve) => {
  const graph = document.getElementById("network-graph");
  const done = () => graph.dataset.year === String(year) && graph.dataset.rendered === "true";
  const finish = () => requestAnimationFrame(() => resolve(performance.now()));
  if (done()) { finish(); return; }
  const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); finish(); } });
  watch.observe(graph, { attributes: true });
})"""
_LISTEN = """() => {
  document.getElementById("network-year").addEventListener(
    "keydown", () => { window.benchPressed = performance.now(); }, { capture: true });
}"""
_SERVER_MS = """(year) => {
  const found = performance.getEntriesByType("resource").filter(
    (e) => e.name.includes("/network/data?") && e.name.includes("year=" + year));
  const last = found[found.length - 1];
  return last ? last.responseStart - last.requestStart : null;
}"""


def _log(message: str) -> None:
    print(
        f"[bench.network_view {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True
    )


def build_store(folder: Path, source: str | None) -> str:
    """The store's URL: a copy of ``source``, or a new store with every bundled dataset."""
    from comity import services
    from comity.access import Viewer
    from comity.errors import ConflictError
    from comity.ingest.catalog import IMPORTERS
    from comity.services.accounts import create_user
    from comity.services.imports import import_dataset
    from comity.store import open_store

    path = folder / "comity.db"
    operator = Viewer.operator("bench")
    if source:
        shutil.copyfile(source, path)
        store = open_store(f"sqlite:///{path}")
    else:
        store = open_store(f"sqlite:///{path}")
        services.initialise(store)
        for name in IMPORTERS:
            _log(f"importing {name}")
            import_dataset(store, name, viewer=operator)
    try:
        create_user(
            store, operator, username=USERNAME, password=PASSWORD, nation="USA", role="planner"
        )
    except ConflictError:
        pass  # a store this function built before: its planner is there
    store.dispose()
    return f"sqlite:///{path}"


def serve(url: str, port: int) -> None:
    """Serve the app over the store at ``url`` on 127.0.0.1:``port`` (the server process)."""
    import uvicorn

    from comity.access.ratelimit import RateLimiter
    from comity.server import build_app
    from comity.store import open_store

    unlimited = RateLimiter(burst=1e12, per_second=1e12)
    app = build_app(
        open_store(url),
        secret_key="bench-network-view-" + "k" * 32,
        rate_limiter=unlimited,
        login_limiter=unlimited,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its base URL, once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.network_view", "--serve", url, str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=sys.stderr,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not answer within 60 s")


def measure(base: str) -> list[Run]:
    """Drive Chromium through the slider steps (see the module docstring)."""
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith(base + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
        context.set_default_timeout(180_000)
        context.route("**/*", guard)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        _log(f"first load of {START} (computes the analytics of the viewer's scope)")
        page.goto(f"/network?year={START}")
        page.evaluate(_DRAWN, START)
        slider = page.locator("#network-year")
        for key, year in (("ArrowRight", START + 1), ("ArrowLeft", START)):
            slider.focus()
            slider.press(key)
            page.evaluate(_DRAWN, year)
        started = time.perf_counter()
        page.reload()
        page.evaluate(_DRAWN, START)
        first_draw = time.perf_counter() - started
        page.evaluate(_LISTEN)
        steps: list[float] = []
        server: list[float] = []
        for year in range(START + 1, START + STEPS + 1):
            time.sleep(PAUSE_S)
            slider.focus()
            slider.press("ArrowRight")
            drawn = page.evaluate(_DRAWN, year)
            pressed = page.evaluate("() => window.benchPressed")
            steps.append((drawn - pressed) / 1000)
            found = page.evaluate(_SERVER_MS, year)
            if found is not None:
                server.append(found)
            _log(f"{year}: {steps[-1]:.3f} s (server {found} ms)")
        context.close()
        browser.close()
    if blocked:
        raise RuntimeError(f"the page tried to leave the loopback server: {blocked}")
    median = statistics.median(steps)
    figures: list[tuple[str, float, str]] = [
        ("step_s", round(median, 3), "<= 0.2"),
        ("best_step_s", round(min(steps), 3), "info"),
        ("worst_step_s", round(max(steps), 3), "info"),
        ("server_ms", round(statistics.median(server), 1) if server else -1.0, "info"),
        ("first_draw_s", round(first_draw, 3), "info"),
    ]
    return [Run("network_view", m, v, t, check(v, t)) for m, v, t in figures]


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
        return
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium package.")
    source = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="comity-bench-network-view-") as temporary:
        folder = Path(temporary)
        # The store's analytic files, secret key and audit checkpoints stay in the folder.
        os.environ["COMITY_ANALYTIC_DIR"] = str(folder / "analytic")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        url = build_store(folder, source)
        process, base = start_server(url)
        try:
            runs = measure(base)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    report(runs)


if __name__ == "__main__":
    main()
