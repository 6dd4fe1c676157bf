"""Alumni: attendances and career steps, their import, and the figures on a hand-made dataset."""

from __future__ import annotations

import pytest

from comity.access import Role, Viewer
from comity.errors import NotFoundError, ValidationError
from comity.services import alumni, people
from comity.store import Store

OPERATOR = Viewer.operator("tests")
ATTENDANCES = """person,nation,programme,institution,start,end,releasability
Ana Cruz,Philippines,IMET,Naval War College,2000-08-01,2001-06-15,
Ben Ong,PHL,IMET,Naval War College,2004-08-01,,
Carl Uy,PHL,IMET,,2010-08-01,,
Dana Lee,KOR,IMET,,2002-08-01,,
Ana Cruz,PHL,NDC Senior Course,,2008-01,,
Eve Kim,KOR,IMET,,2003-08-01,,REL USA
"""
CAREERS = """person,nation,date,rank,position,seniority
Ana Cruz,PHL,2006-08-01,Commodore,Fleet commander,flag_rank
Ana Cruz,PHL,2012-01-01,Vice Admiral,Flag Officer in Command,service_chief
Ben Ong,PHL,2014-08-01,Brigadier General,Deputy commander,flag_rank
Ben Ong,PHL,2003-01-01,Colonel,Instructor,other
Dana Lee,KOR,2001-01-01,Major General,Division commander,flag_rank
Eve Kim,KOR,2005-08-01,Major General,Division commander,flag_rank
"""


@pytest.fixture
def seeded(store: Store) -> Store:
    """The hand-made alumni dataset (one attendance and one step REL USA)."""
    assert alumni.import_alumni(store, OPERATOR, ATTENDANCES, "attendance") == 6
    assert alumni.import_alumni(store, OPERATOR, CAREERS, "career") == 6
    return store


def test_figures_per_programme_are_computed_by_hand(seeded: Store) -> None:
    figures = {f["group"]: f for f in alumni.alumni_report(seeded, OPERATOR)}
    imet = figures["IMET"]
    # IMET: Ana (2000-08-01 -> flag 2006-08-01: 6.0 y), Ben (2004-08-01 -> 2014-08-01: 10.0 y),
    # Carl (none), Dana (senior in 2001, before her 2002 course: not counted), Eve (2.0 y).
    assert (imet["alumni"], imet["senior"]) == (5, 3)
    assert imet["share"] == pytest.approx(0.6)
    assert imet["median_years"] == pytest.approx(6.0)
    assert (imet["min_years"], imet["max_years"]) == (2.0, 10.0)
    ndc = figures["NDC Senior Course"]
    # Ana's course starts 2008-01-01; her first senior post after it: 2012-01-01, 4.0 years.
    assert (ndc["alumni"], ndc["senior"], ndc["median_years"]) == (1, 1, 4.0)


def test_figures_per_nation_and_filtered(seeded: Store) -> None:
    by_nation = {f["group"]: f for f in alumni.alumni_report(seeded, OPERATOR, by="nation")}
    assert by_nation["PHL"]["alumni"] == 3 and by_nation["PHL"]["senior"] == 2
    assert by_nation["PHL"]["median_years"] == pytest.approx(8.0)
    only = alumni.alumni_report(seeded, OPERATOR, programme="IMET", nation="Korea")
    assert [(f["group"], f["alumni"], f["senior"]) for f in only] == [("IMET", 2, 1)]


def test_figures_leave_out_what_the_viewer_may_not_see(seeded: Store) -> None:
    french = Viewer(name="fr", nation="FRA", role=Role.ANALYST)
    imet = {f["group"]: f for f in alumni.alumni_report(seeded, french)}["IMET"]
    assert (imet["alumni"], imet["senior"]) == (4, 2)  # Eve's attendance is REL USA
    american = Viewer(name="us", nation="USA", role=Role.ANALYST)
    assert {f["group"]: f for f in alumni.alumni_report(seeded, american)}["IMET"]["alumni"] == 5


def test_an_import_with_a_bad_row_writes_nothing(store: Store) -> None:
    text = CAREERS + "Zed Roe,Narnia,2010-01-01,,Chief,admiral_of_the_fleet\n"
    with pytest.raises(ValidationError) as caught:
        alumni.import_alumni(store, OPERATOR, text, "career")
    fields = [p.field for p in caught.value.problems]
    assert fields == ["row 7.nation", "row 7.seniority"]
    assert caught.value.hint == "Nothing was written."
    assert people.list_people(store, OPERATOR) == []
    with pytest.raises(ValidationError) as bad:
        alumni.import_alumni(
            store, OPERATOR, "person_id,date,position,seniority\n1,2010,x,tsar\n", "career"
        )
    assert bad.value.problems[0].field == "row 1.seniority"


def test_recording_needs_a_visible_person(store: Store) -> None:
    secret = people.add_person(
        store, {"name": "X", "nation": "USA", "releasability": "REL USA"}, OPERATOR
    )
    french = Viewer(name="fr", nation="FRA", role=Role.PLANNER)
    with pytest.raises(NotFoundError):
        alumni.add_career_step(
            store,
            {
                "person_id": secret,
                "date": "2010",
                "position": "Chief",
                "seniority": "service_chief",
            },
            french,
        )
    new = alumni.add_attendance(
        store, {"person_id": secret, "programme": "IMET", "start": "2001-09"}, OPERATOR
    )
    assert new >= 1
