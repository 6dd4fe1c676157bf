"""The store-keeping commands (status, backup, restore) through the CLI, and pool settings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from comity.cli import app
from comity.errors import ComityError, StoreUnavailableError
from comity.store import Store, backup_postgres, open_store
from comity.store.engine import PoolOptions


def test_backup_prints_what_it_wrote(cli: CliRunner, store: Store, tmp_path: Path) -> None:
    result = cli.invoke(app, ["backup", str(tmp_path / "b.comity")])
    assert result.exit_code == 0, result.output
    with store.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        rows = sum(
            connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in names
            if name != "alembic_version"
        )
    assert result.output.startswith(
        f"Backed up {store.describe()} to {tmp_path / 'b.comity'}: schema "
        f"{store.head_revision()}, {rows:,} rows in {len(names)} tables, 0 audit entries "
        "(sha256 "
    )


def test_restore_into_a_store_with_records_needs_force(
    cli: CliRunner, store: Store, tmp_path: Path
) -> None:
    path = str(tmp_path / "b.comity")
    assert cli.invoke(app, ["backup", path]).exit_code == 0

    refused = cli.invoke(app, ["restore", path])

    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: The store at {store.describe()} holds records (audit_log 1); restoring would "
        "replace them. Nothing was changed.\n"
        "  Hint: Back it up first (comity backup FILE), then restore with --force.\n"
    )
    done = cli.invoke(app, ["restore", "--force", path])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Restored {path} (taken ")
    assert f"into {store.describe()}." in done.output
    assert "The audit log is intact (0 entries) and records this restore." in done.output
    verified = cli.invoke(app, ["audit", "verify"])
    # The restore alone: the backup's own entry was written after its snapshot.
    assert verified.output == "The audit log is intact: 1 entries.\n"


def test_restore_of_a_damaged_file_explains_and_exits_1(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "b.comity"
    path.write_bytes(b"\x00" * 100)
    result = cli.invoke(app, ["restore", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} is not a usable comity backup: ")
    assert "Hint: Check the file was copied whole" in result.stderr


def test_restore_json_reports_the_counts(cli: CliRunner, tmp_path: Path) -> None:
    path = str(tmp_path / "b.comity")
    cli.invoke(app, ["backup", path])
    result = cli.invoke(app, ["restore", "--force", "--json", path])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["tables"]["nations"] == 273
    assert report["audit_ok"] is True and report["migrated"] is False


def test_status_shows_the_sqlite_store(cli: CliRunner, store: Store) -> None:
    result = cli.invoke(app, ["status"])
    assert result.exit_code == 0
    assert result.output == (
        f"Store: {store.describe()} (sqlite)\n"
        f"Schema: {store.head_revision()} (the latest)\n"
        "Connections: one per thread (SQLite)\n"
    )


@pytest.mark.postgres
def test_status_shows_the_pool_of_a_postgresql_store(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMITY_POOL_SIZE", "4")
    monkeypatch.setenv("COMITY_POOL_RECYCLE", "600")
    url = pg_store.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--database", url, "status", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["engine"] == "postgresql" and shown["up_to_date"] is True
    assert shown["pool"] == {
        "size": 4,
        "max_overflow": 20,
        "timeout": 30.0,
        "recycle": 600,
        "pre_ping": True,
    }


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMITY_POOL_SIZE", "3")
    monkeypatch.setenv("COMITY_POOL_MAX_OVERFLOW", "0")
    monkeypatch.setenv("COMITY_POOL_PRE_PING", "false")
    store = open_store("postgresql://comity@db.invalid/comity")  # no connection is made
    assert store.pool == PoolOptions(
        size=3, max_overflow=0, timeout=30.0, recycle=1800, pre_ping=False
    )
    assert store.engine.pool.size() == 3  # type: ignore[attr-defined]
    assert store.engine.pool._max_overflow == 0  # type: ignore[attr-defined]


def test_the_default_pool_is_sized_for_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SIZE", "MAX_OVERFLOW", "TIMEOUT", "RECYCLE", "PRE_PING"):
        monkeypatch.delenv(f"COMITY_POOL_{name}", raising=False)
    store = open_store("postgresql://comity@db.invalid/comity")
    assert store.pool == PoolOptions()
    assert (store.pool.size, store.pool.max_overflow) == (20, 20)
    assert open_store("sqlite://").pool is None


def test_a_bad_pool_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMITY_POOL_SIZE", "lots")
    with pytest.raises(ComityError, match="Bad setting in the environment: COMITY_POOL_SIZE: "):
        open_store("postgresql://comity@db.invalid/comity")


def test_the_password_reaches_the_tools_through_the_environment_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        seen.update(command=command, env=options["env"])
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup_postgres.subprocess, "run", run)
    store = open_store("postgresql://comity:s3cret%40pw@db.example:6543/records?sslmode=require")
    backup_postgres._run(store, Path("pg_dump"), "--format=custom")
    assert not any("s3cret" in part for part in seen["command"])
    env = seen["env"]
    assert (
        env["PGPASSWORD"],
        env["PGHOST"],
        env["PGPORT"],
        env["PGUSER"],
        env["PGDATABASE"],
        env["PGSSLMODE"],
    ) == ("s3cret@pw", "db.example", "6543", "comity", "records", "require")


def test_missing_postgresql_tools_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_postgres.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup_postgres.glob, "glob", lambda pattern: [])
    with pytest.raises(StoreUnavailableError) as caught:
        backup_postgres.find_tool("pg_dump")
    assert caught.value.message.startswith("pg_dump was not found on PATH or under ")
    assert "apt-get install postgresql-client" in (caught.value.hint or "")


@pytest.mark.postgres
def test_a_full_pool_answers_store_unavailable(pg_store: Store) -> None:
    url = pg_store.url.render_as_string(hide_password=False)
    small = open_store(url, pool=PoolOptions(size=1, max_overflow=0, timeout=0.2))
    try:
        with small.connect(), pytest.raises(StoreUnavailableError) as caught:
            with small.connect():
                pass
        assert caught.value.message.startswith(f"Every connection to {small.describe()} is in use")
    finally:
        small.dispose()
