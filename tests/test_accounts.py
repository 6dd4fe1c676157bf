"""Accounts, passwords, tokens and the append-only audit log, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from comity import services
from comity.access import Role, Viewer
from comity.access.audit import GENESIS, AuditEntry, entry_hash, verify_chain
from comity.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from comity.services import accounts
from comity.store import Store
from comity.store.audit_checkpoint import checkpoint_path

PASSWORD = "correct horse battery"


def _admin(store: Store, operator: Viewer) -> Viewer:
    """The installation's operator, who manages every nation's accounts (test_admin_bounds.py)."""
    user = accounts.create_user(
        store, operator, username="admin", password=PASSWORD, nation="USA", role="operator"
    )
    return accounts.viewer_of(user)


def test_a_user_signs_in_with_the_right_password_only(any_store: Store, operator: Viewer) -> None:
    admin = _admin(any_store, operator)
    created = accounts.create_user(
        any_store, admin, username="fr.analyst", password=PASSWORD, nation="France", role="analyst"
    )
    assert (created.nation, created.role) == ("FRA", Role.ANALYST)
    assert created.password_hash.startswith("$argon2id$")
    assert PASSWORD not in created.password_hash
    user = accounts.authenticate_password(any_store, "fr.analyst", PASSWORD)
    assert accounts.viewer_of(user) == Viewer(
        name="fr.analyst", nation="FRA", role=Role.ANALYST, user_id=created.id
    )
    for name, password in [("fr.analyst", "wrong password!"), ("nobody", PASSWORD)]:
        with pytest.raises(AuthenticationError, match="Wrong username or password"):
            accounts.authenticate_password(any_store, name, password)


def test_only_admins_create_users_and_input_is_checked(store: Store, operator: Viewer) -> None:
    admin = _admin(store, operator)
    planner = Viewer(name="p", nation="USA", role=Role.PLANNER)
    with pytest.raises(PermissionDeniedError):
        accounts.create_user(store, planner, username="x1x", password=PASSWORD, nation="USA")
    with pytest.raises(ValidationError, match="password: must have at least 12"):
        accounts.create_user(store, admin, username="shorty", password="short", nation="USA")
    with pytest.raises(ValidationError) as bad:
        accounts.create_user(
            store, admin, username="a b", password=PASSWORD, nation="USA", role="general"
        )
    assert {p.field for p in bad.value.problems} == {"username", "role"}
    with pytest.raises(ValidationError, match="unknown nation"):
        accounts.create_user(store, admin, username="ghost", password=PASSWORD, nation="ZZZ")
    with pytest.raises(ConflictError):
        accounts.create_user(store, admin, username="admin", password=PASSWORD, nation="USA")
    assert [u.username for u in accounts.list_users(store, admin)] == ["admin"]


def test_token_lifecycle(any_store: Store, operator: Viewer) -> None:
    admin = _admin(any_store, operator)
    user = accounts.create_user(
        any_store, admin, username="de.viewer", password=PASSWORD, nation="DEU"
    )
    issued = accounts.create_token(any_store, user, "laptop", days=30)
    assert issued.secret.startswith("cmt_") and len(issued.secret) > 40
    assert issued.record.prefix == issued.secret[:12]
    assert accounts.authenticate_token(any_store, issued.secret, touch=True).id == user.id
    with pytest.raises(AuthenticationError, match="Invalid token"):
        accounts.authenticate_token(any_store, issued.secret + "x")
    [listed] = accounts.list_tokens(any_store, user)
    assert listed.last_used_at is not None
    # Another (non-admin) user cannot revoke it; its owner can.
    other = accounts.viewer_of(
        accounts.create_user(
            any_store, admin, username="it.viewer", password=PASSWORD, nation="ITA"
        )
    )
    with pytest.raises(NotFoundError):
        accounts.revoke_token(any_store, other, issued.record.id)
    accounts.revoke_token(any_store, accounts.viewer_of(user), issued.record.id)
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate_token(any_store, issued.secret)


def test_expired_tokens_and_disabled_users_are_refused(any_store: Store, operator: Viewer) -> None:
    admin = _admin(any_store, operator)
    user = accounts.create_user(
        any_store, admin, username="es.user", password=PASSWORD, nation="ESP"
    )
    old = accounts.create_token(any_store, user, "old", days=1)
    with any_store.transaction() as connection:
        connection.execute(
            sa.text("UPDATE api_tokens SET expires_at = :t WHERE id = :i"),
            {"t": "2001-01-01 00:00:00+00:00", "i": old.record.id},
        )
    with pytest.raises(AuthenticationError, match="expired"):
        accounts.authenticate_token(any_store, old.secret)
    fresh = accounts.create_token(any_store, user, "new", days=None)
    accounts.set_user_disabled(any_store, admin, "es.user", True)
    with pytest.raises(AuthenticationError, match="disabled"):
        accounts.authenticate_token(any_store, fresh.secret)
    with pytest.raises(AuthenticationError):
        accounts.authenticate_password(any_store, "es.user", PASSWORD)
    with pytest.raises(ValidationError, match="days"):
        accounts.create_token(any_store, user, "forever", days=0)


def _write_some(store: Store, actor: Viewer) -> int:
    stored = services.add_engagement(
        store,
        {
            "kind": "port_call",
            "title": "Port call at Toulon",
            "start": date(2020, 5, 1),
            "participants": [{"nation": "USA"}, {"nation": "FRA", "role": "host"}],
        },
        actor,
    )
    services.edit_engagement(store, stored.id, {"title": "Port call at Toulon (USS Ross)"}, actor)
    services.delete_engagement(store, stored.id, actor)
    return stored.id


def test_every_write_is_in_the_chained_audit_log(any_store: Store, operator: Viewer) -> None:
    admin = _admin(any_store, operator)
    planner = accounts.viewer_of(
        accounts.create_user(
            any_store, admin, username="planner", password=PASSWORD, nation="USA", role="planner"
        )
    )
    key = _write_some(any_store, planner)
    entries, total = accounts.audit_page(any_store, admin, entity="engagement")
    assert total == 3
    assert [(e["actor"], e["action"], e["entity_id"]) for e in entries] == [
        ("planner", "create", str(key)),
        ("planner", "update", str(key)),
        ("planner", "delete", str(key)),
    ]
    assert entries[1]["before"]["title"] == "Port call at Toulon"
    assert entries[1]["after"]["title"] == "Port call at Toulon (USS Ross)"
    assert entries[2]["after"] is None
    everything, count = accounts.audit_page(any_store, admin, limit=1000)
    assert [e["prev_hash"] for e in everything[1:]] == [e["hash"] for e in everything[:-1]]
    report = accounts.verify_audit(any_store, Viewer.operator("tests"))
    assert report.ok and report.entries == count >= 5
    with pytest.raises(PermissionDeniedError):
        accounts.audit_page(any_store, planner)


def test_the_database_refuses_to_change_the_audit_log(any_store: Store, operator: Viewer) -> None:
    _admin(any_store, operator)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with any_store.transaction() as connection:
                connection.execute(sa.text(statement))
    assert accounts.verify_audit(any_store, Viewer.operator("tests")).ok


def test_tampering_behind_the_triggers_breaks_the_chain(any_store: Store, operator: Viewer) -> None:
    admin = _admin(any_store, operator)
    _write_some(any_store, admin)
    entries, _ = accounts.audit_page(any_store, admin, limit=1000)
    target = entries[2]["id"]
    with any_store.transaction() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            connection.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        connection.execute(
            sa.text("UPDATE audit_log SET actor = 'someone else' WHERE id = :i"), {"i": target}
        )
    report = accounts.verify_audit(any_store, Viewer.operator("tests"))
    assert not report.ok
    assert report.first_broken == target
    assert report.reason


def _chain(ids: list[int]) -> list[AuditEntry]:
    entries, previous = [], GENESIS
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for number in ids:
        digest = entry_hash(previous, at, "a", "create", "engagement", str(number), None, {})
        entries.append(
            AuditEntry(
                number, at, "a", "create", "engagement", str(number), None, {}, previous, digest
            )
        )
        previous = digest
    return entries


def test_ids_skipped_by_rolled_back_writes_keep_the_chain_whole() -> None:
    # A PostgreSQL sequence skips the ids of rolled-back writes: the links prove the chain.
    assert verify_chain(_chain([1, 2, 5, 9])).ok
    deleted = [e for e in _chain([1, 2, 3, 4]) if e.id != 2]
    report = verify_chain(deleted)
    assert (report.first_broken, report.reason) == (3, "entries 2-2 are missing")
    swapped = _chain([1, 2, 3])
    report = verify_chain([swapped[0], swapped[2], swapped[1]])
    assert report.first_broken == 3 and report.reason == "entries 2-2 are missing"


def test_a_token_checked_moments_ago_is_trusted_until_revoked(
    store: Store, operator: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = _admin(store, operator)
    user = accounts.create_user(store, admin, username="nz.user", password=PASSWORD, nation="NZL")
    issued = accounts.create_token(store, user, "laptop")
    assert accounts.recently_checked(store, issued.secret) is None  # never read yet
    accounts.authenticate_token(store, issued.secret)
    remembered = accounts.recently_checked(store, issued.secret)
    assert remembered is not None and remembered.username == "nz.user"
    # Disabling the account, or revoking the token, here applies to the very next request.
    accounts.set_user_disabled(store, admin, "nz.user", True)
    assert accounts.recently_checked(store, issued.secret) is None
    with pytest.raises(AuthenticationError, match="disabled"):
        accounts.authenticate_token(store, issued.secret)
    accounts.set_user_disabled(store, admin, "nz.user", False)
    accounts.authenticate_token(store, issued.secret)
    accounts.revoke_token(store, admin, issued.record.id)
    assert accounts.recently_checked(store, issued.secret) is None
    # Made elsewhere (another process), a change is read once the check has aged.
    second = accounts.create_token(store, user, "phone")
    accounts.authenticate_token(store, second.secret)
    monkeypatch.setattr(accounts, "TOKEN_RECHECK_SECONDS", 0.0)
    assert accounts.recently_checked(store, second.secret) is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short one", "must have at least 12 characters"),
        (
            " " * 12,
            'is too easy to guess (strength 0 of 4, 3 needed): Repeats like "aaa" are '
            "easy to guess. Add another word or two. Uncommon words are better. Avoid "
            "repeated words and characters.",
        ),
        (
            "aaaaaaaaaaaa",
            'is too easy to guess (strength 0 of 4, 3 needed): Repeats like "aaa" '
            "are easy to guess. Add another word or two. Uncommon words are better. "
            "Avoid repeated words and characters.",
        ),
        (
            "password1234",
            "is too easy to guess (strength 1 of 4, 3 needed): This is a very common "
            "password. Add another word or two. Uncommon words are better.",
        ),
        ("ana.cruz.planner", "must not be the username"),
        # The account's own details count as known words.
        (
            "Ana.Cruz.Planner!",
            "is too easy to guess (strength 1 of 4, 3 needed): Add another "
            "word or two. Uncommon words are better.",
        ),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(
    store: Store, operator: Viewer, password: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        accounts.create_user(
            store, operator, username="ana.cruz.planner", password=password, nation="PHL"
        )
    assert refused.value.message == f"Invalid user: password: {reason}"
    assert [p.field for p in refused.value.problems] == ["password"]


def test_a_passphrase_is_accepted_and_a_weak_new_password_refused(
    store: Store, operator: Viewer
) -> None:
    user = accounts.create_user(
        store, operator, username="ana", nation="PHL", password="correct horse battery staple"
    )
    with pytest.raises(ValidationError, match="too easy to guess"):
        accounts.set_password(store, accounts.viewer_of(user), "ana", "password1234")
    assert accounts.authenticate_password(store, "ana", "correct horse battery staple")


def test_an_account_holds_at_most_twenty_live_tokens(any_store: Store, operator: Viewer) -> None:
    user = accounts.create_user(
        any_store, operator, username="fuzzer", password=PASSWORD, nation="USA"
    )
    made = [accounts.create_token(any_store, user, f"t{n}", days=30) for n in range(20)]
    with pytest.raises(ConflictError) as refused:
        accounts.create_token(any_store, user, "one more")
    assert refused.value.message == (
        "fuzzer holds 20 live API tokens, the most an account may hold."
    )
    assert refused.value.hint == (
        "Revoke one first: GET /api/v1/tokens lists yours and DELETE /api/v1/tokens/{id} revokes "
        "one; an administrator can with `comity users tokens fuzzer` and "
        "`comity users revoke-token ID`."
    )
    # Revoked and expired tokens leave room.
    accounts.revoke_token(any_store, accounts.viewer_of(user), made[0].record.id)
    accounts.create_token(any_store, user, "after a revocation")
    with any_store.transaction() as connection:
        connection.execute(
            sa.text("UPDATE api_tokens SET expires_at = :t WHERE id = :i"),
            {"t": "2001-01-01 00:00:00+00:00", "i": made[1].record.id},
        )
    accounts.create_token(any_store, user, "after an expiry")
    assert len(accounts.list_tokens(any_store, user)) == 22


def test_signing_in_past_the_token_cap_answers_409(store: Store, operator: Viewer) -> None:
    from fastapi.testclient import TestClient

    from comity.api import create_api
    from comity.api.security import RateLimiter

    user = accounts.create_user(store, operator, username="fuzzer", password=PASSWORD, nation="USA")
    for n in range(accounts.MAX_LIVE_TOKENS):
        accounts.create_token(store, user, f"t{n}")
    app = create_api(store, login_limiter=RateLimiter(burst=1e9, per_second=1e9))
    with TestClient(app) as client:
        answer = client.post(
            "/api/v1/auth/token", json={"username": "fuzzer", "password": PASSWORD}
        )
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert (
        answer.json()["detail"] == "fuzzer holds 20 live API tokens, the most an account may hold."
    )


def test_removing_the_last_entries_is_caught_by_the_signed_checkpoint(
    any_store: Store, operator: Viewer
) -> None:
    # The chain of what is left is whole; the checkpoint written after the last write names an
    # entry the log no longer holds.
    admin = _admin(any_store, operator)
    _write_some(any_store, admin)
    assert accounts.verify_audit(any_store, Viewer.operator("tests")).ok
    entries, _ = accounts.audit_page(any_store, admin, limit=1000)
    last = entries[-1]["id"]
    with any_store.transaction() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            connection.execute(sa.text("DROP TRIGGER audit_log_no_delete"))
        connection.execute(sa.text("DELETE FROM audit_log WHERE id >= :i"), {"i": last - 1})
    report = accounts.verify_audit(any_store, Viewer.operator("tests"))
    assert not report.ok and report.first_broken == last - 1
    assert report.reason is not None
    assert report.reason.startswith(f"entries after {last - 2} were removed: the checkpoint of ")


def test_a_checkpoint_not_signed_by_the_installation_is_refused(
    any_store: Store, operator: Viewer
) -> None:
    _write_some(any_store, _admin(any_store, operator))
    path = checkpoint_path(any_store.checkpoint_url())
    assert path is not None and path.is_file()
    forged = json.loads(path.read_text(encoding="utf-8"))
    forged["hash"] = "0" * 64
    path.write_text(json.dumps(forged), encoding="utf-8")
    report = accounts.verify_audit(any_store, Viewer.operator("tests"))
    assert report.reason == "its checkpoint's signature does not match this installation's key"
    checkpoint = accounts.checkpoint_audit(any_store, operator)  # the operator writes it again
    assert checkpoint is not None and checkpoint.signed
    assert accounts.verify_audit(any_store, Viewer.operator("tests")).ok
