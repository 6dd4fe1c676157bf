"""Shared fixtures: fresh stores on SQLite and PostgreSQL, the CLI runner, viewers."""

from __future__ import annotations

import fcntl
import gc
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from pytest_postgresql.janitor import DatabaseJanitor
from typer.testing import CliRunner

from comity import services
from comity.access import Role, Viewer
from comity.services.cache import wait_for_results
from comity.store import Store, open_store
from tests.browser import WebApp, browser_fixture, page_fixture, web_app_fixture
from tests.pg_server import PostgresServer

_TEMPLATE = "comity_template"
_names = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _private_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' own user data folder: secret key, audit checkpoints, server analytic files."""
    before = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    yield
    if before is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = before


@pytest.fixture(scope="session")
def seeded_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file made once per session and copied by each test."""
    path = tmp_path_factory.mktemp("template") / "comity.db"
    store = open_store(f"sqlite:///{path}")
    services.initialise(store)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: shared by every worker of ``pytest -n``."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (one worker at a time)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def imported_sqlite_folder(
    seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A folder holding a store with every bundled dataset imported, read-only.

    Made once per run: the first worker to need it imports, the others wait for it and share
    it (each test copies it). Importing everything takes the better part of a minute.
    """
    from comity.ingest.catalog import IMPORTERS
    from comity.services.imports import import_dataset

    shared = _run_folder(tmp_path_factory)
    folder = shared / "imported-template"
    with _run_lock(shared / "imported-template.lock"):
        if (folder / "done").exists():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        shutil.copyfile(seeded_sqlite_file, folder / "comity.db")
        opened = open_store(f"sqlite:///{folder / 'comity.db'}")
        for name in IMPORTERS:
            import_dataset(opened, name, viewer=Viewer.operator("setup"))
        with opened.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        opened.dispose()
        (folder / "done").touch()
    return folder


@pytest.fixture
def full_store(imported_sqlite_folder: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the store with every bundled dataset imported (media events included)."""
    target = tmp_path / "full"
    shutil.copytree(imported_sqlite_folder, target)
    opened = open_store(f"sqlite:///{target / 'comity.db'}")
    yield opened
    opened.dispose()


@pytest.fixture
def store(seeded_sqlite_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store under tmp_path, migrated and seeded with nations and organisations."""
    path = tmp_path / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    opened = open_store(f"sqlite:///{path}")
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session, with a seeded template database."""
    server = PostgresServer.start()
    try:
        _create(server, _TEMPLATE)
        template = open_store(server.url(_TEMPLATE))
        services.initialise(template)
        template.dispose()
        yield server
    finally:
        server.stop()


def _create(server: PostgresServer, name: str, template: str | None = None) -> DatabaseJanitor:
    janitor = DatabaseJanitor(
        user=server.user,
        host="127.0.0.1",
        port=server.port,
        dbname=name,
        template_dbname=template,
    )
    janitor.init()
    return janitor


@pytest.fixture
def pg_store(postgres_server: PostgresServer) -> Iterator[Store]:
    """A fresh PostgreSQL database copied from the seeded template."""
    name = f"comity_test_{next(_names)}"
    janitor = _create(postgres_server, name, template=_TEMPLATE)
    opened = open_store(postgres_server.url(name))
    yield opened
    _close(opened)
    janitor.drop()


def _close(store: Store) -> None:
    """Close the store's connections, and collect any the test left unreachable now.

    A connection dropped without being closed warns when the garbage collector meets it, which
    may be during a later test: collecting here names the test that left it. Results still being
    written in the background are waited for first: they would open a connection after this.
    """
    wait_for_results()
    store.dispose()
    gc.collect()


_FULL_TEMPLATE = "comity_full_template"


@pytest.fixture(scope="session")
def pg_full_template(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A PostgreSQL database with every bundled dataset imported, made once per session.

    Returns the analytic folder its media events were written to (a server store has none of
    its own); :func:`pg_full_store` copies the database for each test.
    """
    from comity.ingest.catalog import IMPORTERS
    from comity.services.imports import import_dataset

    analytic = tmp_path_factory.mktemp("pg-full-analytic")
    _create(postgres_server, _FULL_TEMPLATE, template=_TEMPLATE)
    store = open_store(postgres_server.url(_FULL_TEMPLATE))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMITY_ANALYTIC_DIR", str(analytic))
        for name in IMPORTERS:
            import_dataset(store, name, viewer=Viewer.operator("setup"))
    store.dispose()
    return analytic


@pytest.fixture
def pg_full_store(
    postgres_server: PostgresServer, pg_full_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    """A fresh PostgreSQL copy of the store with every bundled dataset imported."""
    monkeypatch.setenv("COMITY_ANALYTIC_DIR", str(pg_full_template))
    name = f"comity_full_{next(_names)}"
    janitor = _create(postgres_server, name, template=_FULL_TEMPLATE)
    opened = open_store(postgres_server.url(name))
    yield opened
    _close(opened)
    janitor.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_full_store(request: pytest.FixtureRequest) -> Store:
    """The same real-data test on SQLite and on PostgreSQL, each with every dataset imported."""
    if request.param == "sqlite":
        return request.getfixturevalue("full_store")
    return request.getfixturevalue("pg_full_store")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The same test on a fresh SQLite store and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return request.getfixturevalue("store")
    return request.getfixturevalue("pg_store")


@pytest.fixture
def operator() -> Viewer:
    """The local operator: sees and may change everything."""
    return Viewer.operator("tester")


@pytest.fixture
def viewer_public() -> Viewer:
    """A viewer with no nation: PUBLIC records only."""
    return Viewer.public()


@pytest.fixture
def viewer_nato() -> Viewer:
    """A French planner: sees PUBLIC, REL FRA and REL NATO records (France is in NATO)."""
    return Viewer(name="fr-planner", nation="FRA", role=Role.PLANNER)


@pytest.fixture
def cli(store: Store, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the fresh SQLite ``store``."""
    monkeypatch.setenv("COMITY_DATABASE_URL", store.url.render_as_string(hide_password=False))
    monkeypatch.delenv("COMITY_DEBUG", raising=False)
    return CliRunner()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item (browser tests screenshot failures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def web_app(
    imported_sqlite_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebApp]:
    """The whole app served on loopback over a copy of the full store (see tests/browser.py)."""
    yield from web_app_fixture(imported_sqlite_folder, tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    yield from browser_fixture()


@pytest.fixture
def page(browser: Browser, web_app: WebApp, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page restricted to the served app; screenshots on failure."""
    yield from page_fixture(browser, web_app, request)


@pytest.fixture(scope="session")
def spark() -> Any:
    """One local Spark session for the test session: 2 threads, few partitions, no UI, loopback.

    Fails (never skips) when PySpark or Java is missing: the Spark tests are part of the suite.
    """
    from comity.analytics.engines import spark_session

    session = spark_session("local[2]", partitions=2)
    yield session
    session.stop()
