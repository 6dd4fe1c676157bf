"""The change counter: every write to analysed records moves the data version; reads do not."""

from __future__ import annotations

from datetime import date

from comity import services
from comity.access import Viewer
from comity.services import accounts, analytics
from comity.store import Store
from comity.store.analytic_inputs import data_version
from tests.api_world import PASSWORD, engagement_record


def _version(store: Store) -> str:
    with store.connect() as connection:
        return data_version(connection)


def test_each_write_moves_the_version_and_reads_do_not(any_store: Store) -> None:
    operator = Viewer.operator("tests")
    seen = [_version(any_store)]

    def moved() -> bool:
        seen.append(_version(any_store))
        return seen[-1] != seen[-2]

    stored = services.add_engagement(any_store, engagement_record("Balikatan 2015"), operator)
    assert moved()
    services.list_engagements(any_store, operator, nation="PHL")
    analytics.compute_dyad_years(any_store, operator)
    assert not moved()
    services.edit_engagement(any_store, stored.id, {"title": "Balikatan 2015 (revised)"}, operator)
    assert moved()
    person = services.add_person(any_store, {"name": "Ana Cruz", "nation": "PHL"}, operator)
    assert moved()
    services.add_posting(
        any_store, {"person_id": person, "host": "USA", "start": date(2019, 8, 1)}, operator
    )
    assert moved()
    user = accounts.create_user(
        any_store, operator, username="reader", password=PASSWORD, nation="USA"
    )
    accounts.create_token(any_store, user, "t")
    assert not moved()  # accounts do not touch what the analytics read
    services.delete_engagement(any_store, stored.id, operator)
    assert moved()
    assert len(set(seen)) == len(seen) - 2


def test_the_list_of_a_nation_pages_in_date_order(store: Store) -> None:
    operator = Viewer.operator("tests")
    for year in (2012, 2003, 2019, 2007):
        services.add_engagement(
            store, engagement_record(f"Drill {year}", start=f"{year}-05-01"), operator
        )
    first = services.list_engagements(store, operator, nation="PHL", limit=2)
    cursor = (first[-1].engagement.start.value, first[-1].id)
    rest = services.list_engagements(store, operator, nation="Philippines", after=cursor)
    assert [s.engagement.title for s in first + rest] == [
        "Drill 2003",
        "Drill 2007",
        "Drill 2012",
        "Drill 2019",
    ]
    edited = services.edit_engagement(store, rest[-1].id, {"start": "2001-01-01"}, operator)
    again = services.list_engagements(store, operator, nation="PHL")
    assert again[0].id == edited.id  # the copied start date followed the edit
