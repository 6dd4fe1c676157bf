"""The store on SQLite and on a real PostgreSQL server: the same tests on both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comity import services
from comity.access import Viewer
from comity.errors import ConflictError, NotFoundError, ValidationError
from comity.store import Store, open_store, tables


def _exercise(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "kind": "exercise",
        "title": "Cobra Gold 2010",
        "start": "2010-02-01",
        "end": "2010-02-11",
        "host": "THA",
        "participants": [
            {"nation": "THA"},
            {"nation": "USA", "personnel": 5000},
            {"nation": "SGP"},
            {"nation": "JPN", "role": "observer"},
        ],
        "programme": "Cobra Gold",
        "details": {"domains": ["land", "sea"]},
        "sources": [{"dataset": "mme_exercises", "row": "mme1234"}],
    }
    record.update(overrides)
    return record


def _count(store: Store, table: object) -> int:
    with store.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_seeded_registry_has_current_and_historical_nations(any_store: Store) -> None:
    with any_store.connect() as connection:
        keys = set(connection.execute(select(tables.nations.c.iso3)).scalars())
    assert {"USA", "KOR", "SUN", "DDR", "YUG", "CSK", "YMD", "XVN", "XKX"} <= keys
    assert _count(any_store, tables.organisations) == 7
    assert _count(any_store, tables.memberships) == 99


def test_add_then_read_back_an_engagement(any_store: Store, operator: Viewer) -> None:
    stored = services.add_engagement(any_store, _exercise(), operator)
    again = services.get_engagement(any_store, stored.id, operator)
    e = again.engagement
    assert (e.kind, e.title, str(e.start), str(e.end), e.host) == (
        "exercise",
        "Cobra Gold 2010",
        "2010-02-01",
        "2010-02-11",
        "THA",
    )
    assert [(p.nation, p.role.value, p.personnel) for p in e.participants] == [
        ("THA", "host", None),
        ("JPN", "observer", None),
        ("SGP", "participant", None),
        ("USA", "participant", 5000),
    ]
    assert e.programme == "Cobra Gold"
    assert e.details is not None and [d.value for d in e.details.domains] == ["land", "sea"]
    assert e.sources[0].dataset == "mme_exercises" and e.sources[0].row == "mme1234"
    assert again.version == 1 and again.created_by == "tester"
    assert again.created_at.tzinfo is not None


def test_filters_by_nation_partner_kind_years_and_text(any_store: Store, operator: Viewer) -> None:
    services.add_engagement(any_store, _exercise(), operator)
    services.add_engagement(
        any_store,
        {
            "kind": "visit",
            "title": "Secretary of the Army visits Seoul",
            "start": "2005-06",
            "host": "KOR",
            "participants": [{"nation": "KOR"}, {"nation": "USA"}],
            "details": {"level": "minister"},
        },
        operator,
    )
    services.add_engagement(
        any_store,
        {
            "kind": "agreement",
            "title": "Defence cooperation agreement",
            "start": "1999",
            "participants": [{"nation": "FRA"}, {"nation": "SGP"}],
        },
        operator,
    )

    def titles(**filters: object) -> list[str]:
        found = services.list_engagements(any_store, operator, **filters)  # type: ignore[arg-type]
        return [s.engagement.title for s in found]

    assert titles(nation="USA") == ["Secretary of the Army visits Seoul", "Cobra Gold 2010"]
    assert titles(nation="United States", partner="Republic of Korea") == [
        "Secretary of the Army visits Seoul"
    ]
    assert titles(kinds=["exercise"]) == ["Cobra Gold 2010"]
    # The agreement has no end: in force ever since 1999.
    assert titles(from_year=2008) == ["Defence cooperation agreement", "Cobra Gold 2010"]
    assert titles(to_year=2000) == ["Defence cooperation agreement"]
    assert titles(text="seoul") == ["Secretary of the Army visits Seoul"]
    assert titles(programme="Cobra Gold") == ["Cobra Gold 2010"]
    assert titles(limit=1, offset=1) == ["Secretary of the Army visits Seoul"]
    assert services.count_engagements(any_store, operator, nation="SGP") == 2


def test_invalid_engagement_writes_nothing(any_store: Store, operator: Viewer) -> None:
    bad = _exercise(participants=[{"nation": "THA"}, {"nation": "ZZZ"}])
    with pytest.raises(ValidationError) as raised:
        services.add_engagement(any_store, bad, operator)
    assert "participants.1.nation: unknown nation (got ZZZ)" in raised.value.message
    assert _count(any_store, tables.engagements) == 0
    assert _count(any_store, tables.participants) == 0
    assert _count(any_store, tables.programmes) == 0


def test_bulk_add_is_all_or_nothing(any_store: Store, operator: Viewer) -> None:
    records = [_exercise(title=f"Exercise {i}") for i in range(5)]
    records[3] = _exercise(title="Broken", end="2009-01-01")
    with pytest.raises(ValidationError) as raised:
        services.add_engagements(any_store, records, operator)
    assert raised.value.problems[0].field == "3.end"
    assert _count(any_store, tables.engagements) == 0
    ids = services.add_engagements(any_store, records[:3], operator)
    assert len(ids) == 3 and _count(any_store, tables.participants) == 12


def test_edit_bumps_the_version_and_refuses_stale_writes(
    any_store: Store, operator: Viewer
) -> None:
    stored = services.add_engagement(any_store, _exercise(), operator)
    edited = services.edit_engagement(
        any_store, stored.id, {"title": "Cobra Gold 10"}, operator, expected_version=1
    )
    assert edited.version == 2 and edited.engagement.title == "Cobra Gold 10"
    with pytest.raises(ConflictError, match="changed since you read it"):
        services.edit_engagement(
            any_store, stored.id, {"title": "Lost update"}, operator, expected_version=1
        )
    assert services.get_engagement(any_store, stored.id, operator).engagement.title == (
        "Cobra Gold 10"
    )


def test_edit_is_validated_as_a_whole(any_store: Store, operator: Viewer) -> None:
    stored = services.add_engagement(any_store, _exercise(), operator)
    with pytest.raises(ValidationError, match="the host THA must be among the participants"):
        services.edit_engagement(
            any_store, stored.id, {"participants": [{"nation": "USA"}]}, operator
        )


def test_delete_removes_children(any_store: Store, operator: Viewer) -> None:
    stored = services.add_engagement(any_store, _exercise(), operator)
    services.delete_engagement(any_store, stored.id, operator)
    assert _count(any_store, tables.participants) == 0
    assert _count(any_store, tables.engagement_sources) == 0
    with pytest.raises(NotFoundError):
        services.get_engagement(any_store, stored.id, operator)


def test_duplicate_external_id_is_a_conflict(any_store: Store, operator: Viewer) -> None:
    services.add_engagement(any_store, _exercise(external_id="mme:1"), operator)
    with pytest.raises(ConflictError, match="external id is already stored"):
        services.add_engagement(any_store, _exercise(external_id="mme:1"), operator)
    assert _count(any_store, tables.engagements) == 1


def test_releasability_filters_every_read(
    any_store: Store, operator: Viewer, viewer_public: Viewer, viewer_nato: Viewer
) -> None:
    public = services.add_engagement(any_store, _exercise(title="Public"), operator)
    rel_usa = services.add_engagement(
        any_store, _exercise(title="US only", releasability="REL USA"), operator
    )
    rel_nato = services.add_engagement(
        any_store, _exercise(title="NATO", releasability="REL NATO"), operator
    )
    # NATO in 1985: Poland (a member from 1999) may not read a 1985 NATO-releasable record.
    old_nato = services.add_engagement(
        any_store,
        _exercise(
            title="NATO 1985",
            start="1985",
            end="1985",
            host=None,
            participants=[{"nation": "USA"}, {"nation": "GBR"}],
            releasability="REL NATO",
        ),
        operator,
    )
    polish = Viewer(name="pl", nation="POL")

    def seen(viewer: Viewer) -> list[str]:
        return [s.engagement.title for s in services.list_engagements(any_store, viewer)]

    assert seen(operator) == ["NATO 1985", "Public", "US only", "NATO"]
    assert seen(viewer_public) == ["Public"]
    assert seen(viewer_nato) == ["NATO 1985", "Public", "NATO"]
    assert seen(polish) == ["Public", "NATO"]
    assert services.count_engagements(any_store, viewer_nato) == 3
    with pytest.raises(NotFoundError):
        services.get_engagement(any_store, rel_usa.id, viewer_nato)
    assert services.get_engagement(any_store, rel_nato.id, viewer_nato).id == rel_nato.id
    assert services.get_engagement(any_store, public.id, viewer_public).id == public.id
    assert old_nato.engagement.releasability.targets == {"NATO"}


def test_a_user_cannot_label_a_record_beyond_their_own_reach(
    any_store: Store, viewer_nato: Viewer
) -> None:
    with pytest.raises(ValidationError, match="must include your own nation"):
        services.add_engagement(any_store, _exercise(releasability="REL USA"), viewer_nato)
    stored = services.add_engagement(any_store, _exercise(releasability="REL FRA,USA"), viewer_nato)
    assert str(stored.engagement.releasability) == "REL FRA,USA"


def test_reinitialising_changes_nothing(any_store: Store) -> None:
    report = services.initialise(any_store)
    assert report.revision_before == report.revision_after == any_store.head_revision()
    assert (report.nations.added, report.nations.updated) == (0, 0)
    assert report.nations.unchanged > 250
    assert (report.organisations.added, report.organisations.updated) == (0, 0)


def test_an_uninitialised_store_says_to_run_init(tmp_path: object) -> None:
    from comity.errors import StoreUnavailableError
    from comity.store import open_store

    empty = open_store(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(StoreUnavailableError) as raised:
        services.list_engagements(empty, Viewer.operator())
    assert raised.value.hint == "Run `comity init` first."


def test_a_new_sqlite_store_uses_16_kib_pages(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/new.db")
    store.migrate()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA page_size").scalar_one() == 16384
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    store.dispose()


def test_a_change_of_codes_or_spells_alone_moves_the_records_version(any_store: Store) -> None:
    from comity.model.nations import NationCode, StateSpell
    from comity.nations.reference import load_reference
    from comity.store.analytic_inputs import data_version
    from comity.store.nations import codes_by_year, seed_nations

    reference = load_reference()
    nations = list(reference.nations.values())
    with any_store.connect() as connection:
        first = data_version(connection)
    with any_store.transaction() as connection:
        seed_nations(connection, nations, reference.codes)  # the same reference: no change
        assert data_version(connection) == first
    # A new CoW code for Germany from 2020, nothing else.
    codes = [
        c.model_copy(update={"valid_to": date(2019, 12, 31)})
        if c.nation == "DEU" and c.system.value == "cow" and c.valid_to is None
        else c
        for c in reference.codes
    ]
    cow = next(c for c in reference.codes if c.nation == "DEU" and c.system.value == "cow")
    codes.append(
        NationCode(system=cow.system, code="999", nation="DEU", valid_from=date(2020, 1, 1))
    )
    with any_store.transaction() as connection:
        counts = seed_nations(connection, nations, codes)
        assert (counts.added, counts.updated) == (0, 0)
        second = data_version(connection)
        assert second != first
        assert ("DEU", 2021, 999, 260) in codes_by_year(connection)
    # Then a spell alone: Germany's current spell ends in 2022.
    changed = [
        n.model_copy(
            update={
                "spells": tuple(
                    s if s.end is not None else StateSpell(start=s.start, end=date(2022, 12, 31))
                    for s in n.spells
                )
            }
        )
        if n.iso3 == "DEU"
        else n
        for n in nations
    ]
    with any_store.transaction() as connection:
        seed_nations(connection, changed, codes)
        assert data_version(connection) != second
