"""The pages of record links: the review list, one link, the decisions, the event, splitting.

Records are made by a US planner, two "sources" apart (their provenance names two datasets);
links are stored as a linkage run stores them (:mod:`tests.link_pairs`), except in the one test
that runs the shipped model itself.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from comity import services
from comity.access import Role, Viewer
from comity.services import accounts
from comity.services import links as link_service
from comity.store import Store
from comity.store.tables_links import REASON_LENGTH, record_links
from tests.api_world import engagement_record
from tests.link_pairs import link_records, linked_records
from tests.web_client import PASSWORD, client_for, csrf

HIDDEN = "US eyes"
_OPERATOR = Viewer.operator("tests")
_AUTHOR = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)


@pytest.fixture
def users(store: Store) -> Store:
    """The store with a planner and a viewer of the USA, and a planner and a viewer of France."""
    for role in ("planner", "viewer"):
        for nation in ("USA", "FRA"):
            accounts.create_user(
                store,
                _OPERATOR,
                username=f"{role}.{nation}",
                password=PASSWORD,
                nation=nation,
                role=role,
            )
    return store


def _record(store: Store, title: str, dataset: str, **extra: Any) -> int:
    provenance = {"dataset": dataset, "version": "2024", "row": "12"}
    record = engagement_record(title, provenance=provenance, **extra)
    return services.add_engagement(store, record, _AUTHOR).id


def _pair(store: Store, secret: bool = False, probability: float = 0.8) -> tuple[int, int, int]:
    """Two records of one exercise from two sources (the second REL USA when secret); link id."""
    first = _record(store, "Balikatan 2015", "exercise_reports", location="Manila")
    title = f"Balikatan 15 ({HIDDEN})" if secret else "Balikatan 15"
    label = "REL USA" if secret else None
    second = _record(store, title, "press_releases", releasability=label, location="Luzon")
    return first, second, link_records(store, first, second, probability)


def _post(client: Any, url: str, **data: str) -> Any:
    token = csrf(client, "/login")
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _status(store: Store, link_id: int) -> dict[str, Any]:
    return link_service.get_link(store, _OPERATOR, link_id)


def test_the_list_shows_the_links_waiting_for_review_likeliest_first(users: Store) -> None:
    *_, unlikely = _pair(users, probability=0.6)
    *_, likely = _pair(users, probability=0.85)
    answer = client_for(users, "viewer.USA").get("/links")
    assert answer.status_code == 200
    assert "<h1>Records of one event?</h1>" in answer.text
    assert answer.text.index(f'href="/links/{likely}"') < answer.text.index(
        f'href="/links/{unlikely}"'
    )
    assert "0.8500" in answer.text and "0.6000" in answer.text
    assert "exercise_reports" in answer.text and "press_releases" in answer.text


def test_the_list_comes_a_page_at_a_time(users: Store) -> None:
    links = [_pair(users, probability=p)[2] for p in (0.85, 0.8, 0.7)]
    client = client_for(users, "viewer.USA")
    first = client.get("/links?limit=2")
    assert f'href="/links/{links[1]}"' in first.text
    assert f'href="/links/{links[2]}"' not in first.text
    assert 'href="/links?status=review&amp;limit=2&amp;offset=2" rel="next"' in first.text
    second = client.get("/links?limit=2&offset=2")
    assert f'href="/links/{links[2]}"' in second.text
    assert f'href="/links/{links[0]}"' not in second.text
    assert 'href="/links?status=review&amp;limit=2" rel="prev"' in second.text
    assert 'rel="next"' not in second.text


def test_the_list_shows_one_status_and_one_records_links(users: Store) -> None:
    first, _, decided = _pair(users)
    *_, waiting = _pair(users)
    link_service.accept_link(users, _AUTHOR, decided)
    client = client_for(users, "viewer.USA")
    linked = client.get("/links?status=linked")
    assert f'href="/links/{decided}"' in linked.text
    assert f'href="/links/{waiting}"' not in linked.text
    assert "author.usa" in linked.text
    review = client.get("/links")
    assert f'href="/links/{decided}"' not in review.text
    assert f'href="/links/{waiting}"' in review.text
    of_record = client.get(f"/links?status=linked&record={first}")
    assert f'href="/links/{decided}"' in of_record.text
    empty = client.get(f"/links?record={first}")
    assert f"No links waiting for review of engagement {first} that you may see." in empty.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=maybe", "must be linked, review or rejected"),
        ("record=abc", "must be an engagement&#39;s id"),
    ],
)
def test_the_list_refuses_an_unknown_filter(users: Store, query: str, message: str) -> None:
    answer = client_for(users, "viewer.USA").get(f"/links?{query}")
    assert answer.status_code == 422
    assert message in answer.text


def test_the_link_page_puts_the_records_side_by_side_and_explains_the_weights(
    users: Store,
) -> None:
    first, second, link_id = _pair(users)
    answer = client_for(users, "viewer.USA").get(f"/links/{link_id}")
    assert answer.status_code == 200
    text = answer.text
    assert f"<h1>Link {link_id}: one event or two?</h1>" in text
    assert f'<a href="/engagements/{first}">#{first} Balikatan 2015</a>' in text
    assert f'<a href="/engagements/{second}">#{second} Balikatan 15</a>' in text
    assert "20 April 2015 (to the day)" in text
    assert "Philippines (PHL)" in text
    assert "exercise_reports, row 12 (version 2024)" in text
    assert "press_releases, row 12 (version 2024)" in text
    location = re.search(r'<tr class="differs">\s*<th scope="row">Location', text)
    assert location, "the place differs and is marked so"
    assert not re.search(r'<tr class="differs">\s*<th scope="row">Start', text)
    assert "Match weights add up; above 0 is for one event, below 0 for two." in text
    assert "start dates at their precision" in text
    rows = text[text.index('id="link-comparisons"') :]
    assert re.search(r"two records at random</td>\s*<td class=\"num\">-9\.96</td>", rows)
    assert re.search(r"same day</td>\s*<td class=\"num\">\+10\.32</td>\s*<td[^>]*>\+ one", rows)
    assert re.search(r"different</td>\s*<td class=\"num\">-1\.86</td>\s*<td[^>]*>− two", rows)
    assert re.search(r"not given</td>\s*<td class=\"num\">\+0\.00</td>\s*<td[^>]*>neither", rows)
    assert "<strong>+2.00</strong>" in rows and "probability 0.8000" in rows
    assert "waiting for review" in text


def test_a_linkage_run_is_listed_and_explained(users: Store) -> None:
    first = _record(users, "Balikatan 2015", "exercise_reports")
    second = _record(users, "Balikatan 2015", "press_releases")
    link_service.link_store_records(users, _OPERATOR)
    (link,) = link_service.list_links(users, _OPERATOR, status=None)
    assert link["status"] == "linked"  # alike in every field given: the model is sure
    client = client_for(users, "viewer.USA")
    assert f'href="/links/{link["id"]}"' in client.get("/links?status=linked").text
    page = client.get(f"/links/{link['id']}").text
    assert re.search(r"same day</td>\s*<td class=\"num\">\+\d+\.\d\d</td>", page)
    assert f"<strong>{link['weight']:+.2f}</strong>" in page
    event = client.get(f"/engagements/{second}").text
    assert f'<a href="/engagements/{first}">#{first} Balikatan 2015</a>' in event


def test_a_planner_of_an_owning_nation_accepts_rejects_and_undoes(users: Store) -> None:
    _, _, link_id = _pair(users)
    client = client_for(users, "planner.USA")
    page = client.get(f"/links/{link_id}").text
    assert f'action="/links/{link_id}/accept"' in page
    assert f'formaction="/links/{link_id}/reject"' in page
    assert f'action="/links/{link_id}/undo"' not in page  # nothing decided yet
    accepted = _post(client, f"/links/{link_id}/accept", reason="One exercise, two reports")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/links/{link_id}"
    after = _status(users, link_id)
    assert (after["status"], after["decided_by"], after["reason"]) == (
        "linked",
        "planner.USA",
        "One exercise, two reports",
    )
    page = client.get(f"/links/{link_id}").text
    assert f"Link {link_id} accepted: it is now linked (one event)." in page
    assert "One exercise, two reports" in page
    assert "One event: accept</button>" not in page
    assert f'action="/links/{link_id}/undo"' in page
    assert _post(client, f"/links/{link_id}/reject").status_code == 303
    assert _status(users, link_id)["status"] == "rejected"
    assert (
        f"Link {link_id} rejected: it is now rejected (two events)."
        in client.get(f"/links/{link_id}").text
    )
    assert _post(client, f"/links/{link_id}/undo").status_code == 303
    after = _status(users, link_id)
    assert (after["status"], after["decided_by"]) == ("review", None)
    assert (
        f"Link {link_id} undone: it is now waiting for review."
        in client.get(f"/links/{link_id}").text
    )


@pytest.mark.parametrize("action", ["accept", "reject", "undo"])
@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("planner.FRA", "joins records of USA: you may not decide it, they may."),
        ("viewer.USA", "viewer.USA may not decide links: it needs the role planner."),
    ],
)
def test_deciding_is_refused_to_another_nation_and_below_planner(
    users: Store, action: str, username: str, message: str
) -> None:
    first, second, _ = _pair(users)
    link_id = linked_records(users, first, second, _AUTHOR)
    before = _status(users, link_id)
    answer = _post(client_for(users, username), f"/links/{link_id}/{action}", reason="no")
    assert answer.status_code == 403
    assert message in answer.text
    assert _status(users, link_id) == before


@pytest.mark.parametrize("username", ["planner.FRA", "viewer.USA"])
def test_others_see_the_decision_read_only(users: Store, username: str) -> None:
    first, second, _ = _pair(users)
    link_id = linked_records(users, first, second, _AUTHOR)
    page = client_for(users, username).get(f"/links/{link_id}").text
    assert "Only planners of USA decide this link." in page
    assert "/accept" not in page and "/reject" not in page and "/undo" not in page
    assert "linked (one event)" in page and "the same exercise" in page


def test_a_link_to_a_record_of_rel_usa_is_not_found_for_france(users: Store) -> None:
    *_, public = _pair(users)
    *_, secret = _pair(users, secret=True)
    french = client_for(users, "viewer.FRA")
    hidden = french.get(f"/links/{secret}")
    assert hidden.status_code == 404
    assert f"No link {secret} that you may see." in hidden.text
    assert HIDDEN not in hidden.text
    listed = french.get("/links").text
    assert f'href="/links/{public}"' in listed
    assert f'href="/links/{secret}"' not in listed and HIDDEN not in listed
    assert _post(client_for(users, "planner.FRA"), f"/links/{secret}/reject").status_code == 404
    american = client_for(users, "viewer.USA")
    assert HIDDEN in american.get(f"/links/{secret}").text
    assert f'href="/links/{secret}"' in american.get("/links").text


def test_the_engagement_page_shows_the_event_and_its_sources(users: Store) -> None:
    first, second, _ = _pair(users)
    linked_records(users, first, second, _AUTHOR)
    page = client_for(users, "planner.USA").get(f"/engagements/{second}").text
    assert "Same event in other sources" in page
    assert "This record and 1 other describe one event." in page
    records = page[page.index('id="event-records"') : page.index('id="event-fields"')]
    assert f'<a href="/engagements/{first}">#{first} Balikatan 2015</a>' in records
    assert "speaks for the event" in records
    assert "exercise_reports, row 12" in records and "press_releases, row 12" in records
    fields = page[page.index('id="event-fields"') :]
    assert re.search(
        rf"Title</th><td>Balikatan 2015</td><td><a href=\"/engagements/{first}\"", fields
    )
    assert re.search(r"Location</th><td>Manila</td>", fields)
    assert f'action="/engagements/{second}/split"' in page


@pytest.mark.parametrize("username", ["planner.FRA", "viewer.USA"])
def test_the_event_offers_no_split_to_others(users: Store, username: str) -> None:
    first, second, _ = _pair(users)
    linked_records(users, first, second, _AUTHOR)
    page = client_for(users, username).get(f"/engagements/{second}").text
    assert "Same event in other sources" in page
    assert "/split" not in page


def test_the_engagement_page_points_to_links_waiting_for_review(users: Store) -> None:
    first, _, _ = _pair(users)
    page = client_for(users, "viewer.USA").get(f"/engagements/{first}").text
    assert f'<a href="/links?record={first}">1 possible match with other records waits' in page
    assert "This record and" not in page  # not linked yet: an event of its own


def test_an_engagement_linked_to_nothing_shows_no_event(users: Store) -> None:
    alone = _record(users, "Cope Thunder 2015", "exercise_reports")
    page = client_for(users, "viewer.USA").get(f"/engagements/{alone}").text
    assert "Same event in other sources" not in page


def test_split_takes_a_record_out_of_its_event(users: Store) -> None:
    first, second, _ = _pair(users)
    link_id = linked_records(users, first, second, _AUTHOR)
    client = client_for(users, "planner.USA")
    answer = _post(client, f"/engagements/{second}/split", reason="Two phases")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/engagements/{second}"
    after = _status(users, link_id)
    assert (after["status"], after["reason"]) == ("rejected", "Two phases")
    page = client.get(f"/engagements/{second}").text
    assert f"Engagement {second} split from its event: 1 link rejected." in page
    assert "Same event in other sources" not in page
    again = _post(client, f"/engagements/{second}/split")
    assert again.status_code == 303
    assert (
        f"Engagement {second} is linked to no record you may see."
        in client.get(f"/engagements/{second}").text
    )


@pytest.mark.parametrize(
    ("username", "status", "message"),
    [
        ("viewer.USA", 403, "viewer.USA may not split records from their events"),
        ("planner.FRA", 403, "is USA&#39;s: you may not split it from its event."),
    ],
)
def test_split_is_refused_below_planner_and_to_another_nation(
    users: Store, username: str, status: int, message: str
) -> None:
    first, second, _ = _pair(users)
    link_id = linked_records(users, first, second, _AUTHOR)
    answer = _post(client_for(users, username), f"/engagements/{second}/split")
    assert answer.status_code == status
    assert message in answer.text
    assert _status(users, link_id)["status"] == "linked"


def test_a_reason_longer_than_the_store_keeps_is_refused(users: Store) -> None:
    *_, link_id = _pair(users)
    client = client_for(users, "planner.USA")
    answer = _post(client, f"/links/{link_id}/reject", reason="x" * (REASON_LENGTH + 1))
    assert answer.status_code == 422
    assert f"must be at most {REASON_LENGTH} characters" in answer.text
    assert _status(users, link_id)["status"] == "review"
    assert record_links.c.reason.type.length == REASON_LENGTH  # type: ignore[attr-defined]


def test_the_quality_page_links_to_the_review(users: Store) -> None:
    page = client_for(users, "viewer.USA").get("/quality").text
    assert '<a href="/links">Records that may describe one event</a>' in page
