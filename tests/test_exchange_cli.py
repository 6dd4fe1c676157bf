"""``comity exchange``: keys, trust, partners, export and import on the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.cli import app
from comity.services import exchange_keys
from comity.store import Store
from tests.exchange_world import OPERATOR, add, installation, sqlite_copy


def _runner(store: Store) -> CliRunner:
    url = store.url.render_as_string(hide_password=False)
    return CliRunner(env={"COMITY_DATABASE_URL": url, "COMITY_DEBUG": None})


def test_keygen_prints_the_public_key_and_keeps_the_private_one_private(store: Store) -> None:
    result = _runner(store).invoke(
        app, ["exchange", "keygen", "--name", "us-hq", "--nation", "USA"]
    )
    assert result.exit_code == 0, result.output
    identity = exchange_keys.get_identity(store)
    assert identity is not None
    assert (identity.name, identity.nation) == ("us-hq", "USA")
    path = exchange_keys.key_path(identity.key_id)
    assert result.output.splitlines() == [
        "Installation: us-hq (USA)",
        f"Key id: {identity.key_id}",
        f"Public key: {identity.public_key}",
        f"Private key: {path} (readable by you only)",
        "Give the public key to each partner: comity exchange trust us-hq "
        f"{identity.public_key} --nation USA",
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()


def test_keygen_refuses_to_replace_a_key_unasked(store: Store) -> None:
    installation(store, "us-hq", "USA")
    result = _runner(store).invoke(app, ["exchange", "keygen"])
    assert result.exit_code == 1
    assert "Error: This installation already has an exchange key" in result.output
    assert "Give --replace to make a new one" in result.output
    replaced = _runner(store).invoke(app, ["exchange", "keygen", "--replace", "--json"])
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.output)["name"] == "us-hq"


def test_trust_and_list_partners(store: Store) -> None:
    own = installation(store, "us-hq", "USA").public_key
    runner = _runner(store)
    trusted = runner.invoke(app, ["exchange", "trust", "gb-hq", own, "--nation", "GBR"])
    assert trusted.exit_code == 1
    assert "is this installation's own key" in trusted.output
    other = "A" * 43 + "="
    trusted = runner.invoke(app, ["exchange", "trust", "gb-hq", other, "--nation", "GBR"])
    assert trusted.exit_code == 0, trusted.output
    assert trusted.output.startswith("Trusted gb-hq (GBR), key ")
    again = runner.invoke(app, ["exchange", "trust", "gb-hq", other, "--nation", "GBR"])
    assert again.output.startswith("Already trusted: gb-hq (GBR)")
    listed = runner.invoke(app, ["exchange", "partners", "--json"])
    [partner] = json.loads(listed.output)
    assert (partner["name"], partner["nation"], partner["last_sequence"]) == ("gb-hq", "GBR", None)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("not base64!", "is not base64"),
        ("AAAA", "an Ed25519 public key is 32 bytes"),
    ],
)
def test_trust_refuses_what_is_not_a_key(store: Store, key: str, message: str) -> None:
    result = _runner(store).invoke(app, ["exchange", "trust", "gb-hq", key, "--nation", "GBR"])
    assert result.exit_code == 1
    assert message in result.output


def test_export_and_import_by_file(store: Store, seeded_sqlite_file: Path, tmp_path: Path) -> None:
    us = installation(store, "us-hq", "USA")
    fr = installation(sqlite_copy(seeded_sqlite_file, tmp_path / "fr"), "fr-hq", "FRA")
    exchange_keys.trust_partner(fr.store, OPERATOR, "us-hq", us.public_key, "USA")
    add(us, "Balikatan 2015")
    bundle = tmp_path / "for-fra.json"
    exported = _runner(us.store).invoke(
        app, ["exchange", "export", "--for", "France", "-o", str(bundle)]
    )
    assert exported.exit_code == 0, exported.output
    assert exported.output.startswith(
        "Bundle 1 for FRA: 1 engagements, 0 links, 0 assessments, 0 notes, 0 plans; SHA-256 "
    )
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    imported = _runner(fr.store).invoke(app, ["exchange", "import", str(bundle)])
    assert imported.exit_code == 0, imported.output
    assert imported.output == (
        "From us-hq (USA), bundle 1: 1 added, 0 updated, 0 unchanged, 0 linked, 0 conflict(s).\n"
    )
    replayed = _runner(fr.store).invoke(app, ["exchange", "import", str(bundle)])
    assert replayed.exit_code == 1
    assert "a replay. Nothing was imported." in replayed.output
    assert "Traceback" not in replayed.output
    fr.store.dispose()


def test_import_of_a_missing_file_says_so(store: Store, tmp_path: Path) -> None:
    result = _runner(store).invoke(app, ["exchange", "import", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "Cannot read the bundle" in result.output


def test_export_needs_a_key(store: Store, tmp_path: Path) -> None:
    result = _runner(store).invoke(
        app, ["exchange", "export", "--for", "FRA", "-o", str(tmp_path / "b.json")]
    )
    assert result.exit_code == 1
    assert "This installation has no exchange key yet" in result.output
    assert not (tmp_path / "b.json").exists()
