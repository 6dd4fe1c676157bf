"""A kind is one entry: every list of kinds is derived from the kinds' table, and a new kind needs
only its entry, its details model and the migration written for it."""

from __future__ import annotations

import tomllib
import typing
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from pydantic import TypeAdapter
from sqlalchemy import CheckConstraint
from sqlalchemy.exc import IntegrityError

from comity.analytics import contributions, quality, tie_index
from comity.analytics.settings import KindWeights, default_settings, kind_weights_model
from comity.model import engagements, validation
from comity.model.details import KindDetails
from comity.model.kinds import KINDS, Details, EngagementKind, KindSpec, KindTable
from comity.planning import gain
from comity.services import index_tables
from comity.store import Store
from comity.store.kind_check import (
    change_kinds,
    kind_migration,
    stored_kinds,
    write_kind_migration,
)
from comity.store.tables import engagements as engagements_table
from comity.store.tables import kind_check


def _weights_toml() -> dict[str, Any]:
    text = resources.files("comity.analytics").joinpath("tie_index.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_the_enum_has_the_engagement_kinds_of_the_table_in_order() -> None:
    assert tuple(kind.value for kind in EngagementKind) == KINDS.values
    assert KINDS.index_kinds == (*KINDS.values, "posting")


def test_the_details_union_is_the_tables_models_in_order() -> None:
    union, _ = typing.get_args(Details)
    assert typing.get_args(union) == KINDS.details_models
    assert [model.model_fields["kind"].default for model in KINDS.details_models] == list(
        KINDS.values
    )


@pytest.mark.parametrize(
    ("derived", "expected"),
    [
        (set(validation._UNION_TAGS), set(KINDS.values)),
        (set(engagements.STANDING_KINDS), {"agreement", "alliance", "presence"}),
        (tie_index.KINDS, KINDS.index_kinds),
        (tie_index._HOST_GIVES, KINDS.host_gives),
        (tie_index._GUEST_GIVES, KINDS.guests_give),
        (contributions.STANDING_KINDS, KINDS.standing),
        (contributions._SIMPLE, KINDS.weighed_per_engagement),
        (quality.RECOMMENDED, KINDS.recommended),
        (gain.PLANNABLE_KINDS, KINDS.plannable),
        (set(KindWeights.model_fields), set(KINDS.weighed_per_engagement)),
        (set(index_tables._KIND_NAMES), set(KINDS.index_kinds)),
    ],
    ids=[
        "validation-tags",
        "model-standing",
        "index-kinds",
        "host-gives",
        "guests-give",
        "index-standing",
        "index-weighed-per-engagement",
        "quality-recommended",
        "plannable",
        "settings-weights",
        "coverage-names",
    ],
)
def test_every_list_of_kinds_is_derived_from_the_table(derived: Any, expected: Any) -> None:
    assert derived == expected


def test_the_tables_check_on_kinds_is_the_tables() -> None:
    [check] = [
        c
        for c in engagements_table.constraints
        if isinstance(c, CheckConstraint) and str(c.name).endswith("kind")
    ]
    assert str(check.sqltext) == kind_check(KINDS.values)
    assert kind_check(KINDS.values) == (
        "(" + " OR ".join(f"kind = '{kind}'" for kind in KINDS.values) + ")"
    )


def test_the_default_weights_name_exactly_the_tables_kinds() -> None:
    data = _weights_toml()
    assert set(data["weights"]) == set(KINDS.weighed_per_engagement)
    for spec in KINDS:
        if spec.weighed_by != "weights":
            assert data[spec.weighed_by], spec.value
    assert {name: set(kinds) for name, kinds in data["components"].items()} == {
        name: set(kinds) for name, kinds in KINDS.components.items()
    }
    settings = default_settings()
    assert all(getattr(settings.weights, kind) >= 0 for kind in KINDS.weighed_per_engagement)


def test_list_valued_details_come_from_the_details_models() -> None:
    listed = {spec.value: spec.list_fields for spec in KINDS if spec.list_fields}
    assert listed == {
        "exercise": ("domains",),
        "alliance": ("pledges",),
        "arms_transfer": ("order_years", "delivery_years"),
        **{kind: ("funding",) for kind in ("education", "training") if KINDS[kind].list_fields},
    }


def test_a_table_refuses_a_repeated_kind_or_details_of_another_kind() -> None:
    exercise = KINDS["exercise"]
    with pytest.raises(ValueError, match="kinds listed more than once: exercise"):
        KindTable((exercise, exercise))
    wrong = KindSpec("drill", exercise.details, "drills", "interoperability")
    with pytest.raises(ValueError, match="the details of drill name the kind 'exercise'"):
        KindTable((wrong,))


# --- A new kind: its entry and its details model, nothing else --------------------------------


class DroneShowDetails(KindDetails):
    """A drone light show put on together."""

    kind: Literal["drone_show"] = "drone_show"
    drones: int | None = None
    formations: tuple[str, ...] = ()


DRONE_SHOW = KindSpec(
    "drone_show",
    DroneShowDetails,
    "drone shows",
    "cultural",
    gives="host",
    recommended=("host", "location", "sources"),
)
EXTENDED = KindTable((*KINDS.engagements, DRONE_SHOW, *(s for s in KINDS if not s.engagement)))


def test_every_derived_list_takes_a_new_kind_from_its_entry() -> None:
    assert EXTENDED.values == (*KINDS.values, "drone_show")
    assert EXTENDED.index_kinds == (*KINDS.values, "drone_show", "posting")
    assert EXTENDED.host_gives == (*KINDS.host_gives, "drone_show")
    assert EXTENDED.guests_give == KINDS.guests_give
    assert EXTENDED.standing == KINDS.standing
    assert EXTENDED.plannable == (*KINDS.plannable[:-1], "drone_show", "posting")
    assert EXTENDED.components["cultural"] == (*KINDS.components["cultural"], "drone_show")
    assert EXTENDED.weighed_per_engagement[-2:] == ("drone_show", "posting")
    assert EXTENDED.recommended["drone_show"] == ("host", "location", "sources")
    assert EXTENDED.details_models[-1] is DroneShowDetails
    assert DRONE_SHOW.list_fields == ("formations",)
    assert DRONE_SHOW.label == "drone show"


def test_the_union_of_details_takes_a_new_kinds_model() -> None:
    union = TypeAdapter(EXTENDED.details_union())
    found = union.validate_python({"kind": "drone_show", "drones": 300})
    assert isinstance(found, DroneShowDetails) and found.drones == 300


def test_the_settings_weigh_a_new_kind_by_its_name() -> None:
    order = tuple(_weights_toml()["weights"])
    model = kind_weights_model(EXTENDED, order)
    assert tuple(model.model_fields) == (*order, "drone_show")
    assert tuple(kind_weights_model(KINDS, order).model_fields) == order


def test_the_check_takes_a_new_kind() -> None:
    assert "kind = 'drone_show'" in kind_check(EXTENDED.values)


# --- The store and its migrations --------------------------------------------------------------

_INSERT = (
    "INSERT INTO engagements (id, kind, title, start_date, start_precision, start_year, "
    "objectives, version, created_at, created_by, updated_at, updated_by) VALUES "
    "(987654, '{kind}', 'Lights', '2001-01-01', 'year', 2001, '[]', 1, "
    "'2026-01-01 00:00:00', 't', '2026-01-01 00:00:00', 't')"
)


def test_the_migrations_allow_exactly_the_kinds_of_the_table(any_store: Store) -> None:
    with any_store.engine.connect() as connection:
        assert stored_kinds(connection) == KINDS.values


def _run(store: Store, source: str, step: str) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(source, "migration.py", "exec"), namespace)
    with (
        store.engine.begin() as connection,
        Operations.context(MigrationContext.configure(connection)),
    ):
        namespace[step]()


def test_the_migration_written_for_a_new_kind_moves_the_check_both_ways(any_store: Store) -> None:
    source = kind_migration("0014", "0013", KINDS.values, EXTENDED.values)
    _run(any_store, source, "upgrade")
    with any_store.engine.begin() as connection:
        assert stored_kinds(connection) == EXTENDED.values
        connection.exec_driver_sql(_INSERT.format(kind="drone_show"))
    with pytest.raises(ValueError, match="leave out: 1 of kind drone_show"):
        _run(any_store, source, "downgrade")
    with any_store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM engagements WHERE id = 987654")
    _run(any_store, source, "downgrade")
    with any_store.engine.connect() as connection:
        assert stored_kinds(connection) == KINDS.values
    with pytest.raises(IntegrityError, match="ck_"), any_store.engine.begin() as connection:
        connection.exec_driver_sql(_INSERT.format(kind="drone_show"))


def test_change_kinds_keeps_the_rest_of_the_table(store: Store) -> None:
    with store.engine.connect() as connection:
        before = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'engagements'"
        ).scalar_one()
    with store.engine.begin() as connection:
        change_kinds(connection, EXTENDED.values)
        after = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'engagements'"
        ).scalar_one()
    assert after == before.replace(kind_check(KINDS.values), kind_check(EXTENDED.values))


def test_a_migration_is_written_only_when_the_kinds_change(tmp_path: Path) -> None:
    assert write_kind_migration(versions=tmp_path) is None
    written = write_kind_migration(EXTENDED, versions=tmp_path)
    assert written is not None
    head = max(p.name.split("_")[0] for p in _versions().glob("[0-9]*.py"))
    assert written.name == f"{int(head) + 1:04d}_let_engagements_be_drone_show.py"
    text = written.read_text(encoding="utf-8")
    assert text.startswith('"""let engagements be of kind drone_show\n')
    assert f'down_revision: str | None = "{head}"' in text
    assert '    "drone_show",\n)' in text


def _versions() -> Path:
    return Path(__file__).resolve().parents[1] / "src/comity/store/migrations/versions"
