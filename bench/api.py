"""API latency: a nation profile and an engagement list page, 20 clients, 1M engagements.

For each engine (SQLite, then PostgreSQL), in one run:

- data: 1,000,000 engagements (2-4 participants each, drawn among the nations of the seeded
  registry that were states all that year, the usual partners ten times as often; years
  1950-2025; eleven kinds; 15 % carry a releasability label such as ``REL NATO``) generated with a
  fixed seed and written through the store's bulk path
  (:func:`comity.store.engagements.insert_engagements`, one transaction). A sample is checked to
  be exactly what validation and :func:`comity.model.prepared.prepare` would store. PostgreSQL
  gets a ``VACUUM (ANALYZE)`` after the load (its autovacuum would otherwise run both within
  seconds of it, beside the first profile); SQLite is left as comity leaves it. Loading is not
  timed;
- server: uvicorn, one worker process, on a free loopback port, serving
  :func:`comity.api.create_api` over the store; access log off; the per-token rate limiter is
  lifted (it is a policy: by default it answers 429 to a client faster than 20 requests/s), and
  so is the sign-in limiter (ten attempts a minute per address, and the 20 sign in at once); its
  address space is fenced at 3/4 of the machine's memory, so that piled-up work fails requests
  rather than the machine;
- clients: 20 signed-in analysts of the United States (their view exercises the releasability
  filter), one ``httpx.AsyncClient`` each in one asyncio loop (the other core). Each asks in
  turn for ``GET /api/v1/nations/{X}/profile`` and ``GET /api/v1/engagements?nation=X&limit=50``
  (half of them list first), X cycling through 20 nations, and follows ``next_cursor`` every
  fourth page;
- warm-up: the first profile call computes and caches the analytics of the viewer's scope
  (``cold_profile_s``); a second nation's profile, alone, gives ``warm_profile_s``;
- baseline: ``GET /api/v1/health`` under the same 20 clients (the floor of the HTTP stack);
- measured: the latency of every request sent during ``DURATION`` seconds (in-flight ones are
  waited for), the baseline and the load taking turns in :data:`ROUNDS` windows each. Any
  non-2xx answer or transport error is an error; a client gives up after :data:`TIMEOUT`
  seconds, and such a request counts with that time (a lower bound).

Runs ``api_sqlite_1m`` and ``api_postgres_1m``: p95 (target < 100 ms, and no errors), p50, p99,
requests per second, errors, cold profile seconds (target <= 15) and warm, p95 per endpoint,
``ratio_to_limit`` (p95 of profile and list together over p95 of health, target <= 1.5) and the
server's peak memory (< 2 GiB). When PostgreSQL cannot start, its run is not met and says why
in ``note``.

Usage: ``python -m bench.api [ENGAGEMENTS [SECONDS]]``; progress goes to standard error.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.common import Run, report
from comity import services
from comity.access import Viewer
from comity.model.kinds import KINDS as KIND_SPECS
from comity.model.nations import Nation
from comity.model.prepared import PreparedEngagement, prepare
from comity.model.releasability import PUBLIC, Releasability
from comity.model.validation import validate_engagement
from comity.services.accounts import create_user
from comity.store import Store, open_store
from comity.store import nations as nation_store
from comity.store.engagements import insert_engagements

ENGAGEMENTS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
DURATION = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1].isdigit() else 20.0
SEED = 20261124
CLIENTS = 20
CHUNK = 50_000
ROUNDS = 4
"""The baseline and the measured load take turns, ``DURATION / ROUNDS`` seconds each, so that a
change of the machine's speed during the run (other work on a shared host) weighs on both."""
TIMEOUT = 30.0
"""Seconds a client waits for an answer before it gives up (an error)."""
FIRST_YEAR, LAST_YEAR = 1950, 2025
PASSWORD = "bench-password-long-enough"
QUERIED = (
    "USA",
    "GBR",
    "FRA",
    "DEU",
    "ITA",
    "CAN",
    "JPN",
    "KOR",
    "AUS",
    "IND",
    "CHN",
    "RUS",
    "BRA",
    "TUR",
    "POL",
    "ESP",
    "NLD",
    "NOR",
    "THA",
    "ZAF",
)
USUAL = QUERIED + (
    "NZL",
    "ARG",
    "CHL",
    "NGA",
    "EGY",
    "GRC",
    "PRT",
    "BEL",
    "DNK",
    "SWE",
    "FIN",
    "SGP",
    "IDN",
    "MYS",
    "PHL",
    "VNM",
)
"""Nations drawn ten times as often as the others (among those that were states that year)."""
KINDS = {
    "exercise": 30,
    "training": 20,
    "visit": 14,
    "port_call": 10,
    "education": 10,
    "cultural_event": 6,
    "peacekeeping": 5,
    "humanitarian": 5,
    # The kinds the bundled arms transfers, agreements and troop counts brought.
    "arms_transfer": 6,
    "agreement": 2,
    "presence": 1,
}
LABELS = {"PUBLIC": 85, "REL NATO": 10, "REL AUS,GBR,USA": 3, "REL FRA": 2}
API = "/api/v1"


@dataclass
class NotedRun(Run):
    """A figure with a note (why it could not be measured)."""

    note: str = ""


def _log(message: str) -> None:
    print(f"[bench.api {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- data -------------------------------------------------------------------------------------


def _pools(directory: dict[str, Nation]) -> dict[int, tuple[list[str], list[int]]]:
    """For each year: the nations that were states all year, with cumulative draw weights."""
    pools = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        first, last = date(year, 1, 1), date(year, 12, 31)
        alive = sorted(
            key
            for key, nation in directory.items()
            if nation.exists_during(first, first) and nation.exists_during(last, last)
        )
        weights = np.cumsum([10 if key in USUAL else 1 for key in alive]).tolist()
        pools[year] = (alive, weights)
    return pools


def generate(directory: dict[str, Nation], count: int) -> Iterator[list[PreparedEngagement]]:
    """The engagements in chunks of :data:`CHUNK`, ready for the store (fixed seed)."""
    rng = random.Random(SEED)
    pools = _pools(directory)
    kinds, kind_weights = list(KINDS), np.cumsum(list(KINDS.values())).tolist()
    labels = [Releasability.parse(text) if text != "PUBLIC" else PUBLIC for text in LABELS]
    label_weights = np.cumsum(list(LABELS.values())).tolist()
    chunk: list[PreparedEngagement] = []
    for number in range(1, count + 1):
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        month = rng.randint(1, 12)
        keys, weights = pools[year]
        size = rng.randint(2, 4)
        members: list[str] = []
        while len(members) < size:
            (drawn,) = rng.choices(keys, cum_weights=weights)
            if drawn not in members:
                members.append(drawn)
        host = members[0]
        (kind,) = rng.choices(kinds, cum_weights=kind_weights)
        (label,) = rng.choices(labels, cum_weights=label_weights)
        participants = tuple(
            (nation, "host" if nation == host else "participant", rng.randint(5, 3000))
            for nation in members
        )
        title = f"Bench {kind} {number}"
        # Not the model's content digest (that needs the validated record); one of the same form.
        digest = hashlib.sha256(repr((kind, title, year, month, participants)).encode()).hexdigest()
        chunk.append(
            PreparedEngagement(
                kind=kind,
                title=title,
                start_date=date(year, month, 1),
                start_precision="month",
                end_date=None,
                end_precision=None,
                start_year=year,
                # A standing tie without an end is in force: no last year.
                end_year=None if KIND_SPECS[kind].standing else year,
                host=host,
                location=None,
                latitude=None,
                longitude=None,
                programme=None,
                objectives=(),
                description=None,
                details=None,
                releasability=label,
                external_id=None,
                source_dataset=None,
                source_version=None,
                source_row=None,
                content_hash=digest,
                participants=participants,
            )
        )
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_sample(directory: dict[str, Nation], records: list[PreparedEngagement]) -> None:
    """Fail unless each record is what validating its fields and preparing them would store."""
    for record in records:
        data = {
            "kind": record.kind,
            "title": record.title,
            "start": f"{record.start_year}-{record.start_date.month:02d}",
            "host": record.host,
            "participants": [
                {"nation": n, "role": r, "personnel": p} for n, r, p in record.participants
            ],
            "releasability": str(record.releasability),
        }
        expected = prepare(validate_engagement(data, directory))
        assert replace(record, content_hash=expected.content_hash) == expected, (record, expected)


def load(store: Store, count: int) -> None:
    """Initialise the store and write ``count`` generated engagements in one transaction."""
    services.initialise(store)
    with store.connect() as connection:
        directory = nation_store.load_nations(connection)
    start = time.perf_counter()
    written = 0
    with store.transaction() as connection:
        for chunk in generate(directory, count):
            if written == 0:
                check_sample(directory, chunk[:500])
            insert_engagements(connection, chunk, "bench")
            written += len(chunk)
            rate = written / (time.perf_counter() - start)
            _log(f"loaded {written:,}/{count:,} engagements ({rate:,.0f}/s)")
    if not store.is_sqlite:
        # VACUUM as well as ANALYZE: a million inserted engagements set off PostgreSQL's
        # autovacuum of both tables within seconds of the load, which then ran beside the
        # first profile being measured.
        autocommit = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    for number in range(1, CLIENTS + 1):
        create_user(
            store,
            Viewer.operator("bench"),
            username=f"bench{number:02d}",
            password=PASSWORD,
            nation="USA",
            role="analyst",
        )
    _log(f"store ready in {time.perf_counter() - start:.0f} s")


# --- server -----------------------------------------------------------------------------------


def serve(url: str, port: int) -> None:
    """Serve the API over the store at ``url`` on 127.0.0.1:``port`` (the server process)."""
    import uvicorn

    from comity.api import create_api
    from comity.api.security import RateLimiter

    # A fence, not a tuning: a server that piles up concurrent work fails its requests with
    # MemoryError rather than having the kernel kill whatever else runs on the machine.
    fence = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 3 // 4
    resource.setrlimit(resource.RLIMIT_AS, (fence, fence))
    unlimited = RateLimiter(burst=1e12, per_second=1e12)
    # Twenty analysts sign in from one address at once: lift the sign-in limiter too.
    app = create_api(open_store(url), rate_limiter=unlimited, login_limiter=unlimited)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """The API server process."""

    process: subprocess.Popen[bytes]
    base: str

    @classmethod
    def start(cls, url: str, analytic: Path) -> Server:
        """Start it over the store at ``url`` and wait until /health answers."""
        port = _free_port()
        environment = {**os.environ, "COMITY_ANALYTIC_DIR": str(analytic)}
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.api", "--serve", url, str(port)],
            env=environment,
            cwd=Path(__file__).resolve().parent.parent,
        )
        server = cls(process, f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the API server exited with {process.returncode}")
            try:
                if httpx.get(f"{server.base}{API}/health", timeout=2).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        server.stop()
        raise RuntimeError("the API server did not answer /health within 60 s")

    def peak_mib(self) -> float:
        """The server process's peak resident memory so far, in MiB (-1 once it has exited)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
            line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            return -1.0
        return int(line.split()[1]) / 1024

    def stop(self) -> None:
        """Stop it: gracefully, or by force after 10 s (work of abandoned requests is dropped)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- clients ----------------------------------------------------------------------------------


@dataclass
class Samples:
    """What the clients saw: latency (s) of every request by endpoint, answers and errors."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    answered: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    @classmethod
    def merged(cls, parts: list[Samples]) -> Samples:
        """The samples of several windows as one (their durations added up)."""
        whole = cls(finished=sum(p.finished - p.started for p in parts))
        for part in parts:
            for endpoint, values in part.latencies.items():
                whole.latencies.setdefault(endpoint, []).extend(values)
            whole.answered += part.answered
            whole.errors += part.errors
            whole.examples += part.examples[: 5 - len(whole.examples)]
        return whole

    def all(self) -> list[float]:
        """Every latency, of every endpoint."""
        return [value for values in self.latencies.values() for value in values]

    def per_second(self) -> float:
        """Successful answers per second, from the first request to the last answer."""
        return self.answered / max(self.finished - self.started, 1e-9)


async def _get(
    http: httpx.AsyncClient,
    endpoint: str,
    path: str,
    samples: Samples,
    *,
    parse: bool = False,
    **params: str,
) -> dict[str, Any] | None:
    """GET ``path``; record its latency (a timeout counts with its timeout, a lower bound).

    Every body is read whole; it is parsed only when ``parse`` (the client needs what it says):
    the clients share one core, and parsing a 58 KB profile there (0.7 ms) would be counted in
    the latency of every other request waiting for that core.
    """
    start = time.perf_counter()
    answered = False
    try:
        response = await http.get(path, params=params)
    except httpx.HTTPError as error:
        problem = f"{endpoint} {path}: {type(error).__name__} {error}"
    else:
        problem = f"{endpoint} {path}: {response.status_code} {response.text[:200]}"
        answered = response.is_success
    now = time.perf_counter()
    samples.latencies.setdefault(endpoint, []).append(now - start)
    samples.finished = max(samples.finished, now)
    if answered:
        samples.answered += 1
        return response.json() if parse else {}
    samples.errors += 1
    if len(samples.examples) < 5:
        samples.examples.append(problem)
    return None


async def _client(
    http: httpx.AsyncClient, number: int, mixed: bool, deadline: float, samples: Samples
) -> None:
    """Send requests until ``deadline``: health only, or profile and list page in turn."""
    step = number
    while time.perf_counter() < deadline:
        if not mixed:
            await _get(http, "health", f"{API}/health", samples)
            continue
        nation = QUERIED[step % len(QUERIED)]
        # Half the clients start with the list, so that both endpoints are measured even when
        # one of them is slow.
        order = ("list", "profile") if number % 2 else ("profile", "list")
        for endpoint in order:
            if time.perf_counter() >= deadline:
                return
            if endpoint == "profile":
                await _get(http, "profile", f"{API}/nations/{nation}/profile", samples)
                continue
            follow = step % 4 == 0
            page = await _get(
                http,
                "list",
                f"{API}/engagements",
                samples,
                parse=follow,
                nation=nation,
                limit="50",
            )
            cursor = page.get("next_cursor") if page else None
            if cursor and follow and time.perf_counter() < deadline:
                await _get(
                    http,
                    "list",
                    f"{API}/engagements",
                    samples,
                    nation=nation,
                    limit="50",
                    cursor=cursor,
                )
        step += 1


async def _sign_in(base: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
        tokens = []
        for number in range(1, CLIENTS + 1):
            credentials = {"username": f"bench{number:02d}", "password": PASSWORD}
            response = await http.post(f"{API}/auth/token", json=credentials)
            response.raise_for_status()
            tokens.append(response.json()["token"])
        return tokens


async def _load(base: str, tokens: list[str], mixed: bool, seconds: float) -> Samples:
    samples = Samples()
    clients = [
        httpx.AsyncClient(
            base_url=base, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}
        )
        for token in tokens
    ]
    try:
        samples.started = time.perf_counter()
        deadline = samples.started + seconds
        await asyncio.gather(
            *(_client(http, n, mixed, deadline, samples) for n, http in enumerate(clients))
        )
    finally:
        for http in clients:
            await http.aclose()
    return samples


async def _warm(base: str, token: str) -> tuple[float, float]:
    """Seconds of the first profile call (it computes and caches the analytics) and the next."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=900, headers=headers) as http:
        times = []
        for nation in QUERIED[:2]:
            start = time.perf_counter()
            (await http.get(f"{API}/nations/{nation}/profile")).raise_for_status()
            times.append(time.perf_counter() - start)
        (await http.get(f"{API}/engagements", params={"nation": "USA"})).raise_for_status()
        return times[0], times[1]


# --- figures ----------------------------------------------------------------------------------


def _ms(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values) * 1000, q)), 1) if values else -1.0


def measure(name: str, url: str, analytic: Path) -> list[Run]:
    """Serve the loaded store at ``url``, warm it, load it, and return its figures."""
    server = Server.start(url, analytic)
    try:
        tokens = asyncio.run(_sign_in(server.base))
        _log(f"{name}: warming up (the first profile computes the analytics)")
        cold, warm = asyncio.run(_warm(server.base, tokens[0]))
        _log(f"{name}: profile cold {cold:.1f} s, warm {warm:.2f} s")
        turns: tuple[list[Samples], list[Samples]] = ([], [])
        for turn in range(ROUNDS):
            window = DURATION / ROUNDS
            _log(f"{name}: health, then profile and list, {window:.0f} s each, {turn + 1}/{ROUNDS}")
            for mixed_load, samples in ((False, turns[0]), (True, turns[1])):
                samples.append(asyncio.run(_load(server.base, tokens, mixed_load, window)))
        health, mixed = Samples.merged(turns[0]), Samples.merged(turns[1])
        peak = server.peak_mib()
    finally:
        server.stop()
    for example in health.examples + mixed.examples:
        _log(f"{name}: error: {example}")
    every = mixed.all()
    p95, floor = _ms(every, 95), _ms(health.all(), 95)
    errors = mixed.errors + health.errors
    ratio = round(p95 / floor, 2) if floor > 0 else -1.0
    figures = [
        (name, "p95_ms", p95, "< 100", 0 <= p95 < 100 and errors == 0),
        (name, "p50_ms", _ms(every, 50), "info", True),
        (name, "p99_ms", _ms(every, 99), "info", True),
        (name, "requests_per_s", round(mixed.per_second(), 1), "info", True),
        (name, "errors", errors, "<= 0", errors == 0),
        (name, "cold_profile_s", round(cold, 2), "<= 15", cold <= 15),
        (name, "warm_profile_s", round(warm, 2), "info", True),
        (f"{name}_profile", "p95_ms", _ms(mixed.latencies.get("profile", []), 95), "info", True),
        (f"{name}_list", "p95_ms", _ms(mixed.latencies.get("list", []), 95), "info", True),
        (f"{name}_health", "p95_ms", floor, "info", True),
        (f"{name}_health", "requests_per_s", round(health.per_second(), 1), "info", True),
        (name, "ratio_to_limit", ratio, "<= 1.5", 0 < ratio <= 1.5),
        (name, "peak_mib", round(peak), "< 2048", 0 <= peak < 2048),
    ]
    runs = [Run(*figure) for figure in figures]
    for run in runs:
        _log(f"{run.name} {run.metric} = {run.value:,} (target {run.target})")
    return runs


def bench_sqlite(folder: Path) -> list[Run]:
    url = f"sqlite:///{folder / 'comity.db'}"
    store = open_store(url)
    load(store, ENGAGEMENTS)
    store.dispose()
    return measure("api_sqlite_1m", url, folder / "sqlite-analytic")


def bench_postgres(folder: Path) -> list[Run]:
    from tests.pg_server import PostgresServer

    name = "api_postgres_1m"
    try:
        database = PostgresServer.start()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        note = f"PostgreSQL unavailable: {detail}".strip()
        _log(note)
        return [NotedRun(name, "p95_ms", -1, "< 100", False, note=note)]
    try:
        store = open_store(database.url())
        load(store, ENGAGEMENTS)
        store.dispose()
        return measure(name, database.url(), folder / "postgres-analytic")
    finally:
        database.stop()


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
        return
    with tempfile.TemporaryDirectory(prefix="comity-bench-api-") as name:
        folder = Path(name)
        runs = bench_sqlite(folder)
        runs += bench_postgres(folder)
    report(runs)


if __name__ == "__main__":
    main()
