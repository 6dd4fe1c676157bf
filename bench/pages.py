"""Pages users wait on: after one write, the first page after a start, the quality page.

In one run, over a SQLite store with every bundled dataset (built as
:func:`bench.network_view.build_store` does, not timed), with a planner of the United States
signed in on the web (pages) and through the API (writes):

- ``full_s``: the pair page right after a change that may move any pair (a coverage row
  written behind the server's back makes every cached result stale): the whole index of the
  viewer's scope computed again. The reference every other row is a ratio of;
- ``pair_after_write_s``: one engagement added through the API, then the pair page of its two
  nations (the index patched: only the pairs among the nations touched are computed again);
- ``network_after_write_s``: one more engagement, then the network page (which answers the
  network before the write, marked as being refreshed, while the new one is computed);
- ``network_ready_after_write_s``: from that write until the page's data show the new network
  (computed from the year the write moved on; information);
- ``quality_s``: ``/quality`` asked again (the report is kept per version of the records);
- ``first_dashboard_s``: the server is stopped and started again (with its warm-up) and the
  dashboard asked as soon as the server answers: read from the analytic store the last run
  wrote.

Each figure is the wall time of one HTTP request on loopback (best of :data:`REPEAT` where the
state allows). Runs ``pages`` with each figure, its target and its ratio to ``full_s``.

Usage: ``python -m bench.pages [SQLITE_FILE]``; progress goes to standard error.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from bench.common import Run, check, report
from bench.network_view import PASSWORD, USERNAME, _free_port, build_store

REPEAT = 3
API = "/api/v1"


def _log(message: str) -> None:
    print(f"[bench.pages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def serve(url: str, port: int) -> None:
    """Serve the app with its warm-up, rate limits lifted (the server process)."""
    import uvicorn

    from comity.access.ratelimit import RateLimiter
    from comity.server import build_app
    from comity.services.warm import warm_up_in_background
    from comity.store import open_store

    unlimited = RateLimiter(burst=1e12, per_second=1e12)
    store = open_store(url)
    app = build_app(
        store,
        secret_key="bench-pages-" + "k" * 32,
        rate_limiter=unlimited,
        login_limiter=unlimited,
    )
    warm_up_in_background(store)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its base URL, as soon as it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.pages", "--serve", url, str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=sys.stderr,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not answer within 120 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600, follow_redirects=True)
    form = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found is not None, "the sign-in form has no token"
    fields = {"username": USERNAME, "password": PASSWORD, "next": "/", "csrf_token": found[1]}
    answer = client.post("/login", data=fields)
    answer.raise_for_status()
    token = client.post(f"{API}/auth/token", json={"username": USERNAME, "password": PASSWORD})
    token.raise_for_status()
    client.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return client


def _get(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed


def _write(client: httpx.Client, partner: str, day: date) -> None:
    record = {
        "kind": "exercise",
        "title": f"Bench exercise {day.isoformat()}",
        "start": day.isoformat(),
        "participants": [{"nation": "USA"}, {"nation": partner}],
    }
    answer = client.post(f"{API}/engagements", json=record)
    answer.raise_for_status()


def _ready(client: httpx.Client, since: float) -> float:
    """Seconds from ``since`` until the network page's data no longer say ``refreshing``."""
    while client.get("/network/data").json().get("refreshing"):
        time.sleep(0.02)
    return time.perf_counter() - since


def _stale_everything(url: str) -> None:
    """A change that may move any pair, as an import makes (the server computes anew)."""
    from comity.store import open_store
    from comity.store.changes import bump_records

    store = open_store(url)
    with store.transaction() as connection:
        bump_records(connection)
    store.dispose()


def measure(url: str) -> list[Run]:
    process, base = start_server(url)
    try:
        client = _client(base)
        _log("warming the viewer's index")
        _get(client, "/pairs/USA/MNG")
        _get(client, "/network")
        _stale_everything(url)
        full = _get(client, "/pairs/USA/MNG")
        _log(f"pair page after a change to any pair: {full:.2f} s")
        after_write = []
        for n in range(REPEAT):
            _write(client, "MNG", date(2015, 3, 1 + n))
            after_write.append(_get(client, "/pairs/USA/MNG"))
        pair = min(after_write)
        _log(f"pair page after one write: {after_write}")
        network_times, ready_times = [], []
        for n in range(REPEAT):
            _write(client, "KAZ", date(2016, 4, 1 + n))
            written = time.perf_counter()
            network_times.append(_get(client, "/network"))
            ready_times.append(_ready(client, written))
        network = min(network_times)
        ready = min(ready_times)
        _log(f"network page after one write: {network_times}; new network ready: {ready_times}")
        _get(client, "/quality")
        quality = min(_get(client, "/quality") for _ in range(REPEAT))
        _log(f"quality page: {quality:.3f} s")
        client.close()
    finally:
        stop(process)
    process, base = start_server(url)
    try:
        client = _client(base)
        first = _get(client, "/")
        _log(f"first dashboard after a restart: {first:.2f} s")
        client.close()
    finally:
        stop(process)
    figures = [
        ("full_s", full, "info"),
        ("pair_after_write_s", pair, "<= 0.5"),
        ("network_after_write_s", network, "<= 0.5"),
        ("network_ready_after_write_s", ready, "info"),
        ("quality_s", quality, "<= 0.3"),
        ("first_dashboard_s", first, "<= 2"),
    ]
    runs = []
    for metric, value, target in figures:
        runs.append(Run("pages", metric, round(value, 3), target, check(value, target)))
        if metric != "full_s":
            ratio = value / full if full > 0 else -1.0
            runs.append(Run("pages", f"{metric}_over_full", round(ratio, 3), "info", True))
    return runs


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    source = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="comity-bench-pages-") as folder:
        os.environ["COMITY_ANALYTIC_DIR"] = str(Path(folder) / "analytic")
        url = build_store(Path(folder), source)
        report(measure(url))


if __name__ == "__main__":
    main()
