"""Backups and restores on SQLite and a real PostgreSQL server: exact, checked, all or nothing."""

from __future__ import annotations

import io
import itertools
import json
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from comity import services
from comity.access import Role, Viewer
from comity.errors import BackupError, ConflictError, PermissionDeniedError
from comity.services import accounts, maintenance
from comity.store import Store, alembic_config, open_store
from comity.store.audit import append_audit
from comity.store.backup import read_manifest
from tests.conftest import _create
from tests.pg_server import PostgresServer

_names = itertools.count()
_ENGAGEMENT = {
    "kind": "exercise",
    "title": "Cobra Gold",
    "start": "2019-02-12",
    "participants": [{"nation": "THA", "role": "host"}, {"nation": "USA"}],
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """A seeded source store and an empty, never initialised target, on each engine."""
    if request.param == "sqlite":
        target = open_store(f"sqlite:///{tmp_path / 'restored' / 'comity.db'}")
        yield request.getfixturevalue("store"), target
        target.dispose()
        return
    source = request.getfixturevalue("pg_store")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"comity_restored_{next(_names)}"
    janitor = _create(server, name)
    target = open_store(server.url(name))
    yield source, target
    target.dispose()
    janitor.drop()


def _fill(store: Store, operator: Viewer) -> None:
    services.add_engagement(store, _ENGAGEMENT, operator)
    services.add_engagement(
        store,
        {
            **_ENGAGEMENT,
            "title": "Balikatan",
            "start": "2020-04-01",
            "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
        },
        operator,
    )
    accounts.create_user(
        store,
        operator,
        username="admin1",
        password="a long password 1",
        nation="USA",
        role=Role.ADMIN,
    )


def _contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order (the store's identity counter left out)."""
    found = {}
    with store.connect() as connection:
        for name in sorted(sa.inspect(connection).get_table_names()):
            if name == "change_counters":
                continue
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).all()
            found[name] = [tuple(row) for row in rows]
    return found


def _rewrite(path: Path, manifest: dict[str, Any] | None = None, data: bytes | None = None) -> None:
    """Rewrite a backup archive with another manifest or other data."""
    with tarfile.open(path) as archive:
        old_manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        name = old_manifest["data_file"]
        old_data = archive.extractfile(name).read()  # type: ignore[union-attr]
    members = {
        "manifest.json": json.dumps(manifest or old_manifest).encode(),
        name: old_data if data is None else data,
    }
    with tarfile.open(path, "w") as archive:
        for member, content in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))


def test_backup_change_restore_gives_back_the_exact_rows(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, _ = stores
    _fill(source, operator)
    before = _contents(source)
    report = maintenance.back_up(source, operator, tmp_path / "b.comity")
    assert report.manifest.tables["engagements"] == 2
    assert report.manifest.audit_entries == len(before["audit_log"]) == 3
    first = services.list_engagements(source, operator)[0]
    services.delete_engagement(source, first.id, operator)
    services.add_engagement(source, {**_ENGAGEMENT, "title": "Later"}, operator)
    assert _contents(source) != before

    restored = maintenance.restore(source, operator, tmp_path / "b.comity", force=True)

    after = _contents(source)
    audit_after = after.pop("audit_log")
    audit_before = before.pop("audit_log")
    assert after == before
    assert audit_after[: len(audit_before)] == audit_before
    assert len(audit_after) == len(audit_before) + 1  # the restore itself
    assert restored.audit.ok and restored.audit.entries == 3
    assert restored.replaced_data and not restored.migrated
    # The restored log is shorter than the one before: its checkpoint was written again.
    verified = accounts.verify_audit(source, Viewer.operator("tests"))
    assert verified.ok and verified.entries == 4


def test_restore_into_an_empty_store_copies_every_row_and_records_itself(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, target = stores
    _fill(source, operator)
    maintenance.back_up(source, operator, tmp_path / "b.comity")

    report = maintenance.restore(target, Viewer.operator("restorer"), tmp_path / "b.comity")

    wanted, got = _contents(source), _contents(target)
    source_audit, target_audit = wanted.pop("audit_log"), got.pop("audit_log")
    assert got == wanted
    assert [row[3] for row in source_audit] == ["create", "create", "create", "backup"]
    assert [row[3] for row in target_audit] == ["create", "create", "create", "restore"]
    assert target_audit[-1][2] == "restorer"
    assert report.tables["engagements"] == 2 and not report.replaced_data
    assert accounts.verify_audit(target, Viewer.operator("tests")).ok
    assert target.current_revision() == target.head_revision()


def test_backup_is_recorded_in_the_audit_log(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    report = maintenance.back_up(store, operator, tmp_path / "nightly.comity")
    entries, _ = accounts.audit_page(store, operator)
    assert (entries[-1]["action"], entries[-1]["entity"], entries[-1]["entity_id"]) == (
        "backup",
        "store",
        "nightly.comity",
    )
    assert entries[-1]["after"]["sha256"] == report.manifest.sha256


def test_restore_refuses_a_store_with_records_without_force_and_changes_nothing(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, _ = stores
    maintenance.back_up(source, operator, tmp_path / "b.comity")
    services.add_engagement(source, _ENGAGEMENT, operator)
    before = _contents(source)

    with pytest.raises(ConflictError) as caught:
        maintenance.restore(source, operator, tmp_path / "b.comity")

    assert caught.value.message == (
        f"The store at {source.describe()} holds records (audit_log 2, engagements 1, "
        "participants 2); restoring would replace them. Nothing was changed."
    )
    assert caught.value.hint == "Back it up first (comity backup FILE), then restore with --force."
    assert _contents(source) == before


def test_restore_refuses_a_backup_from_a_newer_schema(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, target = stores
    path = tmp_path / "b.comity"
    maintenance.back_up(source, operator, path)
    manifest = read_manifest(path).to_dict()
    _rewrite(path, {**manifest, "revision": "0099", "comity_version": "9.0"})

    with pytest.raises(BackupError) as caught:
        maintenance.restore(target, operator, path)

    assert caught.value.message == (
        f"{path} was made by comity 9.0 at schema 0099, newer than this comity knows "
        f"(up to {target.head_revision()})."
    )
    assert target.current_revision() is None


@pytest.mark.parametrize("damage", ["truncated", "altered", "not_a_backup"])
def test_restore_refuses_a_damaged_backup_and_leaves_the_target_as_it_was(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path, damage: str
) -> None:
    source, _ = stores
    path = tmp_path / "b.comity"
    maintenance.back_up(source, operator, path)
    services.add_engagement(source, _ENGAGEMENT, operator)
    before = _contents(source)
    if damage == "truncated":
        content = path.read_bytes()
        path.write_bytes(content[: len(content) // 2])
    elif damage == "altered":
        with tarfile.open(path) as archive:
            name = read_manifest(path).data_file
            data = bytearray(archive.extractfile(name).read())  # type: ignore[union-attr]
        data[len(data) // 2] ^= 0xFF
        _rewrite(path, data=bytes(data))
    else:
        path.write_text("engagement,nation\n1,USA\n", encoding="utf-8")

    with pytest.raises(BackupError) as caught:
        maintenance.restore(source, operator, path, force=True)

    assert caught.value.message.startswith(f"{path} is not a usable comity backup: ")
    expected = {
        "truncated": "cannot be read",
        "altered": "does not match the sha256",
        "not_a_backup": "cannot be read",
    }[damage]
    assert expected in caught.value.message
    assert _contents(source) == before


def test_restore_refuses_a_backup_whose_audit_log_was_tampered_with(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, target = stores
    _fill(source, operator)
    with source.transaction() as connection:  # behind the append-only triggers
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        connection.exec_driver_sql("UPDATE audit_log SET actor = 'someone else' WHERE id = 2")
    maintenance.back_up(source, operator, tmp_path / "b.comity")

    with pytest.raises(BackupError) as caught:
        maintenance.restore(target, operator, tmp_path / "b.comity")

    assert caught.value.message == (
        f"The audit log in {tmp_path / 'b.comity'} is broken at entry 2: its content was "
        "changed after it was written; nothing was restored."
    )
    assert target.current_revision() is None
    assert "engagements" not in sa.inspect(target.engine).get_table_names()


def test_restore_of_an_older_schema_migrates_it_to_the_latest(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, target = stores
    # A store left at migration 0005 (before the change counters), holding an audit entry.
    with source.engine.begin() as connection:
        config = alembic_config(source.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with source.transaction() as connection:
        append_audit(connection, "old-admin", "create", "user", "someone")
    path = tmp_path / "old.comity"

    report = maintenance.back_up(source, operator, path)

    assert report.manifest.revision == "0005"
    assert "change_counters" not in report.manifest.tables
    restored = maintenance.restore(target, operator, path)
    assert restored.migrated and restored.revision == target.head_revision() != "0005"
    assert restored.tables["change_counters"] == 2
    assert restored.audit.entries == 1  # the backup's own entry follows its snapshot
    assert accounts.verify_audit(target, Viewer.operator("tests")).entries == 2


def test_restore_refuses_a_backup_of_the_other_engine(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = tmp_path / "b.comity"
    maintenance.back_up(store, operator, path)
    manifest = read_manifest(path).to_dict()
    _rewrite(path, {**manifest, "engine": "postgresql", "data_file": "comity.pgdump"})
    with pytest.raises(
        BackupError, match="is a backup of a postgresql store; the target is sqlite"
    ):
        maintenance.restore(store, operator, path, force=True)


@pytest.mark.parametrize("role", [Role.PLANNER, Role.ADMIN])
def test_backup_and_restore_need_the_installations_operator(
    store: Store, tmp_path: Path, role: Role
) -> None:
    # A backup holds every nation's records: a nation's admin may not take one.
    someone = Viewer(name="someone", nation="FRA", role=role)
    with pytest.raises(PermissionDeniedError) as refused:
        maintenance.back_up(store, someone, tmp_path / "b.comity")
    assert refused.value.message == (
        "someone may not back up the store (every nation's records): it needs the role operator."
    )
    with pytest.raises(PermissionDeniedError, match="someone may not restore the store"):
        maintenance.restore(store, someone, tmp_path / "b.comity")
    assert not (tmp_path / "b.comity").exists()


def test_the_manifest_describes_the_backup(store: Store, operator: Viewer, tmp_path: Path) -> None:
    path = tmp_path / "b.comity"
    maintenance.back_up(store, operator, path)
    manifest = read_manifest(path)
    assert (manifest.engine, manifest.revision, manifest.data_file) == (
        "sqlite",
        store.head_revision(),
        "comity.db",
    )
    assert manifest.tables["nations"] == 273 and manifest.tables["engagements"] == 0
    with tarfile.open(path) as archive:
        assert archive.getnames() == ["manifest.json", "comity.db"]
    assert path.stat().st_mode & 0o077 == 0


def test_a_backup_taken_while_writes_go_on_is_one_consistent_snapshot(
    stores: tuple[Store, Store], operator: Viewer, tmp_path: Path
) -> None:
    source, target = stores
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            services.add_engagement(source, {**_ENGAGEMENT, "title": f"Drill {n}"}, operator)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while services.count_engagements(source, operator) < 5:
            pass
        report = maintenance.back_up(source, operator, tmp_path / "b.comity")
    finally:
        stop.set()
        writer.join()

    # One engagement, two participants and one audit entry per write: counted together.
    tables = report.manifest.tables
    assert tables["participants"] == 2 * tables["engagements"] >= 10
    assert report.manifest.audit_entries == tables["engagements"]
    restored = maintenance.restore(target, operator, tmp_path / "b.comity")
    assert restored.audit.ok and restored.tables["engagements"] == tables["engagements"]
