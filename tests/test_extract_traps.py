"""What real text sets as traps, and the roles: each trap handled on passages made for it."""

from __future__ import annotations

from datetime import date

import pytest

from comity.extract.draft import Draft, Passage
from comity.extract.pipeline import extract_passage

PUBLISHED = date(2024, 3, 6)


def _draft(text: str, published: date | None = PUBLISHED) -> Draft:
    return extract_passage(Passage(text, published=published))


def _nations(draft: Draft) -> list[str]:
    return sorted(p.nation for p in draft.participants if p.role != "observer")


@pytest.mark.parametrize(
    "text",
    [
        "The Indian Army, the Indian Navy and the Indian Air Force began a joint tri-service "
        "amphibious exercise in the Andaman and Nicobar Islands on Monday.",
        "TAIPEI — Taiwan's army, navy and air force began the annual Han Kuang exercise on "
        "Monday, a joint drill simulating the defence of the island.",
        "More than 15,000 U.S. Navy, Air Force, Army and Marine Corps personnel are taking part "
        "in Valiant Shield 2024, a joint exercise in and around Guam and the Philippine Sea.",
        "BEIJING (Xinhua) — The PLA Eastern Theater Command began joint drills around the "
        "island of Taiwan on Thursday, involving the army, navy, air force and rocket force.",
    ],
)
def test_joint_across_one_nations_own_services_is_no_engagement(text: str) -> None:
    draft = _draft(text)
    assert (draft.kind.value, draft.reasons) == (None, ("one nation's own services",))


@pytest.mark.parametrize(
    "text",
    [
        "The Philippines and the United States have cancelled Balikatan 2020 because of the "
        "coronavirus outbreak, officials said on Wednesday.",
        "The navies of Japan and South Korea postponed their planned search-and-rescue "
        "exercise, officials said on Friday, citing a diplomatic dispute.",
        "WASHINGTON — The Pentagon has suspended planning for this August's combined exercise "
        "with South Korea, a spokesperson said Monday.",
        "Norway called off the remainder of Exercise Cold Response because of the outbreak; "
        "U.S. and British Marines will return home.",
    ],
)
def test_a_cancelled_suspended_or_postponed_event_is_no_engagement(text: str) -> None:
    draft = _draft(text)
    assert (draft.kind.value, draft.reasons) == (None, ("cancelled",))
    assert draft.kind.evidence is not None


def test_an_earlier_cancellation_or_a_later_detail_is_no_trap() -> None:
    resumed = _draft(
        "Thai and U.S. troops began Cobra Gold on Tuesday, the exercise having been postponed "
        "last year. Thousands of personnel take part."
    )
    assert resumed.kind.value == "exercise"
    detail = _draft(
        "North Macedonia became NATO's 30th member on Friday after depositing its instrument of "
        "accession with the U.S. State Department. A flag-raising ceremony has been postponed."
    )
    assert detail.kind.value == "alliance"


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        (
            "BEIJING (Xinhua) — Pakistani and Saudi special forces began joint counter-terrorism "
            "drills near Riyadh on Monday.",
            "CHN",
        ),
        (
            "SINGAPORE (Reuters) — Indian and Vietnamese navies held their first bilateral "
            "exercise in the South China Sea on Monday, officials said.",
            "SGP",
        ),
        (
            "SEOUL (Yonhap) — Australian and Japanese troops opened a combined exercise in "
            "Queensland on Monday, Yonhap reported, citing Japan's Kyodo news agency.",
            "KOR",
        ),
        (
            "China's Xinhua news agency reported that Russian and Iranian warships began joint "
            "naval drills in the Gulf of Oman on Tuesday.",
            "CHN",
        ),
    ],
)
def test_a_news_agencys_country_is_not_a_participant(text: str, absent: str) -> None:
    draft = _draft(text)
    assert draft.kind.value == "exercise"
    assert absent not in _nations(draft)
    assert len(_nations(draft)) == 2


def test_an_agency_reporting_one_nations_news_is_no_engagement() -> None:
    draft = _draft(
        "TOKYO, Dec. 22 (Yonhap) -- Japan's Cabinet on Friday approved a record defense budget "
        "for fiscal 2024."
    )
    assert (draft.kind.value, draft.reasons) == (None, ("one nation only",))


@pytest.mark.parametrize(
    "text",
    [
        "SAN DIEGO — The aircraft carrier USS Carl Vinson returned to its homeport on Monday "
        "after a five-month deployment.",
        "The guided-missile destroyer USS Higgins arrived at Apra Harbor, Guam, on Monday for a "
        "scheduled stop.",
        "USS Chafee moored at Pearl Harbor on Tuesday after a month-long patrol.",
        "YOKOSUKA — The Japanese helicopter destroyer JS Izumo returned to Yokosuka on Monday "
        "after four months at sea.",
        "SANYA — The Chinese aircraft carrier Shandong returned to its home port on Tuesday.",
    ],
)
def test_a_port_call_in_ones_own_territory_is_no_engagement(text: str) -> None:
    draft = _draft(text)
    assert (draft.kind.value, draft.reasons) == (None, ("a port call in its own territory",))


@pytest.mark.parametrize(
    "text",
    [
        "Pakistan Army troops evacuated thousands of families in Sindh as monsoon floods swept "
        "the province, and set up relief camps.",
        "Japan Ground Self-Defense Force troops continued search and rescue on the Noto "
        "Peninsula on Friday after the earthquake.",
        "RALEIGH, N.C. — More than 1,600 North Carolina National Guard soldiers are supporting "
        "recovery after Hurricane Helene.",
    ],
)
def test_relief_inside_ones_own_country_is_no_engagement(text: str) -> None:
    draft = _draft(text)
    assert (draft.kind.value, draft.reasons) == (None, ("relief inside its own country",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Amid tensions with China, the United States and the Philippines began their annual "
            "Balikatan exercise on Monday.",
            ["PHL", "USA"],
        ),
        (
            "After Russia's invasion of Ukraine, Finland and Sweden signed a memorandum of "
            "understanding on Tuesday to deepen defence cooperation.",
            ["FIN", "SWE"],
        ),
        (
            "Japanese and Australian destroyers drilled together on Monday to deter North Korea, "
            "whose missile launches have alarmed the region.",
            ["AUS", "JPN"],
        ),
        (
            "Mongolia, which lies between Russia and China, hosted U.S. Marines for a field "
            "training exercise on Monday.",
            ["MNG", "USA"],
        ),
        (
            "Indian and French jets flew together on Monday; China has protested the drills.",
            ["FRA", "IND"],
        ),
    ],
)
def test_a_nation_named_only_as_context_is_not_a_participant(
    text: str, expected: list[str]
) -> None:
    draft = _draft(text)
    assert draft.is_engagement
    assert _nations(draft) == expected


def test_context_alone_leaves_one_nation_and_no_engagement() -> None:
    draft = _draft(
        "Amid continuing tensions with China, senators pressed Philippine defence officials on "
        "Tuesday over delays in the modernization of the Armed Forces of the Philippines."
    )
    assert draft.kind.value is None and _nations(draft) == ["PHL"]


def test_a_language_is_not_a_nation() -> None:
    draft = _draft(
        "Officers from Chile and Peru graduated on Thursday from a staff course taught in "
        "Spanish at the Western Hemisphere Institute for Security Cooperation."
    )
    assert "ESP" not in _nations(draft)


def test_an_opinion_piece_is_no_engagement() -> None:
    draft = _draft("Opinion: Japan and the United States need a new approach to deterrence.")
    assert (draft.kind.value, draft.reasons) == (None, ("an opinion piece",))


def _roles(draft: Draft) -> dict[str, str]:
    return {p.nation: p.role for p in draft.participants}


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("Cobra Gold, hosted by Thailand, began on Tuesday with U.S. troops.", "THA"),
        ("Australia hosts Indonesian and Malaysian jets for Pitch Black this month.", "AUS"),
        ("Thai-hosted drills with Singaporean troops began on Monday.", "THA"),
        ("USS Blue Ridge arrived in Manila on Monday for a scheduled port visit.", "PHL"),
        ("Japan's defence minister visited Vietnam on Monday for talks.", "VNM"),
        (
            "Officers from Kenya and Ghana graduated on Friday from the U.S. Army War College.",
            "USA",
        ),
        ("HOHENFELS, Germany — Soldiers from Italy and Poland trained together this month.", "DEU"),
    ],
)
def test_the_host_is_named_or_implied_by_the_place(text: str, host: str) -> None:
    draft = _draft(text)
    assert draft.host.value == host
    assert _roles(draft)[host] == "host"
    assert draft.host.evidence is not None


def test_observers_are_apart_from_the_participants() -> None:
    draft = _draft(
        "Talisman Sabre began on Monday with forces from Australia, the United States and "
        "Japan. Delegations from India and Thailand will attend as observers, and France has "
        "sent a small team to observe."
    )
    roles = _roles(draft)
    assert [roles[k] for k in ("IND", "THA", "FRA")] == ["observer"] * 3
    assert _nations(draft) == ["AUS", "JPN", "USA"]


def test_one_observed_procedure_does_not_make_a_participant_an_observer() -> None:
    draft = _draft(
        "U.S. Army soldiers joined Brazilian instructors in Manaus in a jungle exchange this "
        "month, and the Brazilians observed U.S. casualty evacuation procedures."
    )
    assert _roles(draft)["USA"] != "observer"


def test_personnel_in_all_and_per_nation() -> None:
    draft = _draft(
        "Filipino and American troops opened Balikatan on Tuesday. More than 17,600 personnel "
        "are taking part, including about 12,200 U.S. service members and 5,400 members of the "
        "Armed Forces of the Philippines."
    )
    assert draft.personnel.value == 17600
    assert {p.nation: p.personnel for p in draft.participants} == {"PHL": 5400, "USA": 12200}


@pytest.mark.parametrize(
    ("text", "personnel"),
    [
        ("A 269-member contingent of the Indian Armed Forces marched in Paris.", 269),
        ("The roughly 700-strong Chinese battalion serves in Juba.", 700),
        ("Forty-six officers from Chile and Peru graduated.", 46),
        ("About 200 Airmen arrived in Norway with four bombers.", 200),
        ("The four officers from Indonesia graduated in Carlisle.", None),
    ],
)
def test_personnel_is_read_from_numbers_of_people(text: str, personnel: int | None) -> None:
    assert _draft(text).personnel.value == personnel


@pytest.mark.parametrize(
    ("text", "title", "programme"),
    [
        (
            "Thai and U.S. troops opened Cobra Gold 2024 on Tuesday.",
            "Cobra Gold 2024",
            "Cobra Gold",
        ),
        ("Thai and U.S. troops opened Cobra Gold on Tuesday.", "Cobra Gold 2024", "Cobra Gold"),
        (
            "Australian and Malaysian troops began Exercise Kowari 2024 on Monday.",
            "Kowari 2024",
            "Kowari",
        ),
        (
            "The Japanese destroyer JS Ise made a port visit to Manila on Monday.",
            "Japan–Philippines port call",
            None,
        ),
    ],
)
def test_title_and_programme(text: str, title: str, programme: str | None) -> None:
    draft = _draft(text)
    assert (draft.title.value, draft.programme.value) == (title, programme)


def test_location_is_the_place_named() -> None:
    draft = _draft("Indonesian and U.S. soldiers trained at Fort Magsaysay on Monday.")
    assert draft.location.value == "Fort Magsaysay"
    assert draft.location.evidence is not None
