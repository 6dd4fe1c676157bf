"""Data quality: completeness and timeliness on a hand-made dataset, per unit and per nation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from comity import services
from comity.access import Role, Viewer
from comity.services import accounts
from comity.services.quality import quality_report
from comity.store import Store, tables

OPERATOR = Viewer.operator("tests")


def _add(store: Store, viewer: Viewer, created: date, **fields: object) -> int:
    record = {
        "kind": "exercise",
        "title": "Drill",
        "start": date(2020, 1, 10),
        "participants": [{"nation": "USA"}, {"nation": "PHL"}],
        **fields,
    }
    stored = services.add_engagement(store, record, viewer)
    with store.transaction() as connection:
        connection.execute(
            update(tables.engagements)
            .where(tables.engagements.c.id == stored.id)
            .values(created_at=datetime(created.year, created.month, created.day, tzinfo=UTC))
        )
    return stored.id


@pytest.fixture
def seeded(store: Store) -> Store:
    """Three exercises by a NATO planner's account and one by the local operator."""
    user = accounts.create_user(
        store,
        OPERATOR,
        username="planner.fra",
        password="ledger tidy!",
        nation="FRA",
        role="planner",
    )
    planner = accounts.viewer_of(user)
    # Full: host, location, end, personnel, objectives, sources: 6 of 6; ends 2020-01-20, 10 days.
    full = [{"nation": "USA", "personnel": 200}, {"nation": "PHL", "role": "host"}]
    _add(
        store,
        planner,
        date(2020, 1, 30),
        host="PHL",
        location="Manila",
        end=date(2020, 1, 20),
        objectives=["Interoperability"],
        sources=[{"url": "https://example.org/drill"}],
        participants=full,
    )
    # Bare: 0 of 6 filled; no end, so from the start 2020-01-10 to 2020-03-10: 60 days.
    _add(store, planner, date(2020, 3, 10))
    # Half: host, end, objectives (3 of 6); 2020-02-01 to 2020-02-21: 20 days.
    _add(
        store,
        planner,
        date(2020, 2, 21),
        host="USA",
        end=date(2020, 2, 1),
        objectives=["Trust"],
        participants=[{"nation": "USA", "role": "host"}, {"nation": "FRA"}],
    )
    # By the local operator, REL USA: 1 of 6 (location); recorded 5 days before its start: 0.
    _add(store, OPERATOR, date(2020, 1, 5), location="Guam", releasability="REL USA")
    return store


def test_completeness_and_timeliness_per_unit(seeded: Store) -> None:
    report = quality_report(seeded, OPERATOR)
    groups = {g["group"]: g for g in report["groups"]}
    fra = groups["nation:FRA"]
    assert fra["records"] == 3
    assert fra["required_complete"] == 1.0
    assert fra["completeness"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert fra["timeliness_median_days"] == 20.0
    # p90 of [10, 20, 60], linear between order statistics: 20 + 0.8 * 40 = 52.
    assert fra["timeliness_p90_days"] == pytest.approx(52.0)
    assert fra["fields"]["host"] == pytest.approx(2 / 3)
    assert [g["field"] for g in fra["gaps"]] == ["location", "personnel", "sources"]
    assert groups["local:tests"]["timeliness_median_days"] == 0.0
    worst = report["records_to_fix"][0]
    assert worst["completeness"] == 0.0 and worst["unit"] == "nation:FRA"
    assert worst["missing"] == [
        "host",
        "location",
        "end_date",
        "personnel",
        "objectives",
        "sources",
    ]


def test_per_nation_counts_every_participant_and_respects_releasability(seeded: Store) -> None:
    report = quality_report(seeded, OPERATOR, by="nation")
    groups = {g["group"]: g for g in report["groups"]}
    assert (groups["USA"]["records"], groups["PHL"]["records"], groups["FRA"]["records"]) == (
        4,
        3,
        1,
    )
    french = Viewer(name="fr", nation="FRA", role=Role.ANALYST)
    seen = quality_report(seeded, french, by="nation", nation="USA")
    assert [(g["group"], g["records"]) for g in seen["groups"]] == [("USA", 3)]
    assert seen["overall"]["records"] == 3


def test_the_report_is_computed_once_per_version_of_the_records(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comity.services import quality as quality_module

    reads: list[int] = []
    original = quality_module.read_quality_rows

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(quality_module, "read_quality_rows", counted)
    first = quality_report(seeded, OPERATOR)
    first["groups"].clear()  # a caller's change does not reach the kept report
    second = quality_report(seeded, OPERATOR)
    assert len(reads) == 1 and second["groups"]
    _add(seeded, OPERATOR, date(2021, 1, 1))
    third = quality_report(seeded, OPERATOR)
    assert len(reads) == 2
    total = sum(g["records"] for g in third["groups"])
    assert total == sum(g["records"] for g in second["groups"]) + 1
