"""An import killed (SIGKILL) while it writes leaves all of it or none, on both engines.

The import runs as a real ``comity import`` process on a generated file of thousands of
engagements. The test waits until the process has begun writing (PostgreSQL: its transaction
has a transaction id; SQLite: it holds the write lock), kills it, and checks the store.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from comity import services
from comity.access import Viewer
from comity.services import accounts
from comity.store import Store

pytestmark = pytest.mark.slow

ENGAGEMENTS = 10_000
_NATIONS = ["USA", "GBR", "FRA", "DEU", "JPN", "AUS", "CAN", "ITA"]
_MAPPING = """\
[dataset]
name = "generated_exercises"
title = "Generated exercises"

[columns]
id = "exercise_id"
title = "title"
start = "start"

[participants]
layout = "long"
nation = "nation"

[constants]
kind = "exercise"
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest) -> Store:
    """A fresh, seeded store on each engine."""
    return request.getfixturevalue("store" if request.param == "sqlite" else "pg_store")


@pytest.fixture
def generated(tmp_path: Path) -> tuple[Path, Path]:
    """A mapping and a CSV of ENGAGEMENTS exercises, three nations each."""
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(_MAPPING, encoding="utf-8")
    data = tmp_path / "exercises.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["exercise_id", "title", "start", "nation"])
        for n in range(ENGAGEMENTS):
            start = f"{2000 + n % 20}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            for k in range(3):
                writer.writerow([f"X{n}", f"Exercise {n}", start, _NATIONS[(n + k * 3) % 8]])
    return mapping, data


def _is_writing(store: Store) -> bool:
    if store.is_sqlite:
        probe = sqlite3.connect(str(store.url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True  # another connection holds the write lock
        finally:
            probe.close()
    with store.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        ).scalar_one()
    return bool(found)


def _import(store: Store, mapping: Path, data: Path) -> subprocess.Popen[bytes]:
    url = store.url.render_as_string(hide_password=False)
    command = [
        sys.executable,
        "-m",
        "comity",
        "--database",
        url,
        "import",
        "--mapping",
        str(mapping),
        str(data),
    ]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMITY_")}
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _state(store: Store) -> tuple[int, int, int]:
    with store.connect() as connection:
        engagements = connection.exec_driver_sql(
            "SELECT count(*) FROM engagements WHERE source_dataset = 'generated_exercises'"
        ).scalar_one()
        participants = connection.execute(
            sa.text(
                "SELECT count(*) FROM participants p JOIN engagements e "
                "ON e.id = p.engagement_id WHERE e.source_dataset = 'generated_exercises'"
            )
        ).scalar_one()
        runs = connection.exec_driver_sql(
            "SELECT count(*) FROM import_runs WHERE dataset = 'generated_exercises'"
        ).scalar_one()
    return int(engagements), int(participants), int(runs)


def test_an_import_killed_while_writing_leaves_all_or_nothing(
    target: Store, generated: tuple[Path, Path]
) -> None:
    mapping, data = generated
    audit_before = accounts.verify_audit(target, Viewer.operator("tests")).entries
    process = _import(target, mapping, data)
    deadline = time.monotonic() + 300
    while not _is_writing(target):
        assert process.poll() is None, "the import ended before it was seen writing"
        assert time.monotonic() < deadline, "the import never began writing"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    if process.stdout is not None:
        process.stdout.close()
    target.dispose()

    state = _state(target)
    everything = (ENGAGEMENTS, 3 * ENGAGEMENTS, 1)
    assert state in {(0, 0, 0), everything}, f"a partial import survived: {state}"
    assert state == (0, 0, 0)  # killed before its commit: nothing of it is kept
    audit = accounts.verify_audit(target, Viewer.operator("tests"))
    assert audit.ok and audit.entries == audit_before
    assert services.count_engagements(target, Viewer.operator("tests")) == 0

    rerun = _import(target, mapping, data)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output.decode()
    assert _state(target) == everything
    audit = accounts.verify_audit(target, Viewer.operator("tests"))
    assert audit.ok and audit.entries == audit_before + 1
