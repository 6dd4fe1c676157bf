"""Engagement titles a person can read where the stored title is a source's row id."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from comity.culture.briefing import BriefingInputs, build_briefing
from comity.culture.engagement_titles import is_source_id, readable_title
from comity.culture.render import render_text
from comity.culture.windows import DateWindow
from comity.model.engagements import Engagement
from comity.model.nations import Nation


def _exercise(title: str, external_id: str | None, nations: list[str], **extra: Any) -> Engagement:
    return Engagement.model_validate(
        {
            "kind": "exercise",
            "title": title,
            "start": "2009-05-04",
            "participants": [{"nation": n} for n in nations],
            "external_id": external_id,
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("title", "external_id", "nations", "expected"),
    [
        ("mme2659", "mme_exercises:mme2659", ["SAU", "USA"], "Exercise with United States, 2009"),
        ("mme3457", "mme_exercises:mme3457#2", ["SAU", "USA"], "Exercise with United States, 2009"),
        (
            "mme12",
            "mme_exercises:mme12",
            ["SAU", "USA", "GBR", "FRA", "EGY"],
            "Exercise with United States, United Kingdom, France and 1 more, 2009",
        ),
        (
            "mme13",
            "mme_exercises:mme13",
            ["USA", "GBR", "SAU"],
            "Exercise with United States and United Kingdom, 2009",
        ),
        ("mme14", "mme_exercises:mme14", ["SAU"], "Exercise of Saudi Arabia, 2009"),
        ("Bright Star 2009", "mme_exercises:mme88", ["SAU", "USA"], "Bright Star 2009"),
        ("mme2659", None, ["SAU", "USA"], "mme2659"),
    ],
)
def test_a_bare_source_id_becomes_kind_nations_and_year(
    title: str, external_id: str | None, nations: list[str], expected: str
) -> None:
    assert readable_title(_exercise(title, external_id, nations), "SAU") == expected


def test_a_mapped_file_without_a_title_column_is_read_the_same_way() -> None:
    # A mapped file with no title column titles each record with its id: key "<dataset>:<id>".
    engagement = _exercise("R-17", "FRA/naval_exchanges:R-17", ["SAU", "FRA"])
    assert is_source_id(engagement)
    assert readable_title(engagement, "SAU") == "Exercise with France, 2009"


def test_the_briefing_keeps_the_source_id_as_secondary_text() -> None:
    inputs = BriefingInputs(
        nation=Nation(iso3="SAU", name="Saudi Arabia", iso2="SA"),
        window=DateWindow(date(2027, 3, 1), date(2027, 3, 20)),
        engagements=[
            (7, _exercise("mme2659", "mme_exercises:mme2659", ["SAU", "USA"])),
            (8, _exercise("Bright Star 2009", "mme_exercises:mme88", ["SAU", "USA"])),
        ],
        engagement_count=2,
    )
    briefing = build_briefing(inputs)
    recent = briefing.to_dict()["engagements"]["recent"]
    assert [(e["title"], e["source_id"]) for e in recent] == [
        ("Exercise with United States, 2009", "mme2659"),
        ("Bright Star 2009", None),
    ]
    text = render_text(briefing)
    assert (
        "    #7 2009-05-04 exercise: Exercise with United States, 2009 [source id mme2659] "
        "(SAU, USA)\n" in text
    )
