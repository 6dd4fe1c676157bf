"""A small world for effect estimates: US training of ten partners and their exercises.

Ten partners are trained by the United States (records of kind ``training`` funded by IMET),
five from 2006 and five from 2008, every year from then on; ten others never are. Each of the
twenty holds bilateral exercises with the United States from 2000 to 2012, a seeded random
number a year (0 to 2), and every treated partner one more a year from its first training on:
the planted effect on the pair's yearly exercise contribution is 1.0 (a bilateral exercise
without personnel contributes w = 1.0 times 2/2). One REL USA training of Chile, in 2007, is
seen by US accounts only. No source declares these records' coverage, so every year counts.
:func:`executed_plan` adds an executed plan of US training for the Philippines.
"""

from __future__ import annotations

import random
from typing import Any

from comity import services
from comity.access import Role, Viewer
from comity.services import plan_workflow, plans
from comity.store import Store

TREATED = {
    2006: ("PHL", "THA", "IDN", "MYS", "VNM"),
    2008: ("KEN", "GHA", "SEN", "PER", "COL"),
}
NEVER = ("CHL", "ARG", "BRA", "MEX", "IND", "PAK", "EGY", "MAR", "JOR", "TUN")
"""Never trained (Chile only in a REL USA record)."""
YEARS = range(2000, 2013)
EFFECT = 1.0
AUTHOR = Viewer(name="author.usa", nation="USA", role=Role.PLANNER)


def _exercise(partner: str, year: int, number: int) -> dict[str, Any]:
    return {
        "kind": "exercise",
        "title": f"Drill {partner} {year}-{number}",
        "start": f"{year}-0{number + 1}-10",
        "participants": [{"nation": "USA"}, {"nation": partner}],
    }


def _training(partner: str, year: int, releasability: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "training",
        "title": f"Courses {partner} {year}",
        "start": str(year),
        "host": "USA",
        "participants": [{"nation": "USA", "role": "host"}, {"nation": partner}],
        "details": {"kind": "training", "students": 4, "funding": ["IMET"]},
    }
    if releasability:
        record["releasability"] = releasability
    return record


def seed_effect_world(store: Store) -> None:
    """Write the world's records (one transaction), as the USA's."""
    rng = random.Random(7)
    records: list[dict[str, Any]] = []
    first = {nation: year for year, nations in TREATED.items() for nation in nations}
    for partner in [*first, *NEVER]:
        for year in YEARS:
            count = rng.randint(0, 2) + (1 if year >= first.get(partner, 9999) else 0)
            records += [_exercise(partner, year, n) for n in range(count)]
            if year >= first.get(partner, 9999):
                records.append(_training(partner, year))
    records.append(_training("CHL", 2007, "REL USA"))
    services.add_engagements(store, records, AUTHOR)


def executed_plan(store: Store, start: str, end: str) -> int:
    """An executed US training plan for the Philippines, from ``start`` to ``end``: its id."""
    record = {
        "title": "Courses for the Philippines",
        "kind": "training",
        "objectives": ["Trust"],
        "partners": [{"nation": "PHL"}, {"nation": "USA", "role": "host"}],
        "start": start,
        "end": end,
        "agencies": ["policy"],
    }
    stored = plans.add_plan(store, record, AUTHOR)
    decider = Viewer(name="decider.usa", nation="USA", role=Role.APPROVER, agency="policy")
    plan_workflow.submit_plan(store, stored.id, AUTHOR)
    plan_workflow.approve_plan(store, stored.id, decider)
    plan_workflow.schedule_plan(store, stored.id, AUTHOR)
    return plan_workflow.execute_plan(store, stored.id, AUTHOR).id
