"""A briefing on a partner nation, assembled from CLDR, holidays, Hofstede and the store's records.

:func:`build_briefing` takes what the store holds (read by :mod:`comity.services.culture`) and
adds what the libraries know about the country, then lists every section that has no data:
missing data is said to be missing, never guessed. :meth:`Briefing.to_dict` is the one form that
JSON, text, HTML and PDF are all made from (:mod:`comity.culture.render`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from comity.culture.distance import DIMENSION_NAMES, CulturalDistance
from comity.culture.engagement_titles import is_source_id, readable_title
from comity.culture.hofstede_section import DistanceVerdict, judge_distance
from comity.culture.holiday_calendar import HolidayCalendar, load_holidays
from comity.culture.locale_facts import (
    Language,
    NativeName,
    TimeZone,
    native_names,
    territory_languages,
    time_zones,
)
from comity.culture.observances import Observance, find_observances
from comity.culture.weekends import Weekend, weekends_between
from comity.culture.windows import DateWindow
from comity.model.engagements import Engagement
from comity.model.nations import Membership, Nation
from comity.model.plans import Assessment
from comity.store.notes import StoredNote
from comity.store.plans import StoredPlan

__all__ = ["Briefing", "BriefingInputs", "build_briefing"]

HOFSTEDE_SOURCE = (
    "Hofstede's dimension data matrix (2015-08-16); Hofstede, G., Hofstede, G.J. & Minkov, M. "
    "(2010), Cultures and Organizations: Software of the Mind, 3rd ed."
)
PLANS_NOTICE = "Open plans: none with this nation that you may see."
_RECENT = 10
_TREND_YEARS = 10
# A year is marked an estimate when this share of its index is projected beyond the sources,
# and the headline year carries a caution when its share reaches _CAUTION_SHARE.
_ESTIMATE_SHARE = 0.05
_CAUTION_SHARE = 0.25


@dataclass(frozen=True)
class BriefingInputs:
    """What the store holds for a briefing, as read for one viewer.

    Attributes:
        nation: The partner nation.
        window: The dates the briefing covers.
        window_given: False when the window is the default one.
        perspective: The user's own nation, if given.
        scores: Every scored nation's Hofstede dimensions (nation -> dimension -> score).
        memberships: Membership spells of the nation and of the perspective nation.
        organisation_names: Organisation code -> name.
        ties: The pair's index rows (year, index, ...), oldest first; None when there are none.
        tie_method: The index's method version, when ties were computed.
        tie_default_year: The index's default year: the last whose ties are mostly observed.
        tie_data_through: The years the index's sources reach (``data through: ...``).
        engagements: The most recent engagements (with the perspective nation when given).
        engagement_count: How many there are in all.
        notes: Curated notes on the nation the viewer may see.
        assessments: Assessments with the engagement each assesses.
        open_plans: Plans with the nation not yet executed nor cancelled, that the viewer sees.
    """

    nation: Nation
    window: DateWindow
    window_given: bool = True
    perspective: Nation | None = None
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    memberships: Sequence[Membership] = ()
    organisation_names: Mapping[str, str] = field(default_factory=dict)
    ties: Sequence[Mapping[str, Any]] | None = None
    tie_method: str | None = None
    tie_default_year: int | None = None
    tie_data_through: str | None = None
    engagements: Sequence[tuple[int, Engagement]] = ()
    engagement_count: int = 0
    notes: Sequence[StoredNote] = ()
    assessments: Sequence[tuple[Assessment, int, Engagement]] = ()
    open_plans: Sequence[StoredPlan] = ()


@dataclass(frozen=True)
class Briefing:
    """A briefing: the library facts and store records on a nation, and what is missing.

    Attributes:
        inputs: What the store held.
        languages: Official and widely spoken languages.
        native_names: The country's name in its own languages.
        holidays: Holidays and observances in the window.
        observances: Seasons that span days (Ramadan, Lent...) overlapping the window.
        weekends: Weekend rules in force during the window.
        time_zones: Time zones with their offsets during the window.
        verdict: The Kogut-Singh distance to the perspective nation, or why there is none.
        missing: Every section without data, in words.
        sources: Where the facts come from.
    """

    inputs: BriefingInputs
    languages: tuple[Language, ...]
    native_names: tuple[NativeName, ...]
    holidays: HolidayCalendar
    observances: tuple[Observance, ...]
    weekends: tuple[Weekend, ...]
    time_zones: tuple[TimeZone, ...]
    verdict: DistanceVerdict
    missing: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def nation(self) -> Nation:
        """The partner nation."""
        return self.inputs.nation

    @property
    def distance(self) -> CulturalDistance | None:
        """The Kogut-Singh distance over the shared dimensions (even when not given)."""
        return self.verdict.distance

    @property
    def title(self) -> str:
        """``Briefing: Saudi Arabia (SAU)``."""
        return f"Briefing: {self.nation.name} ({self.nation.iso3})"

    def to_dict(self) -> dict[str, Any]:
        """The whole briefing as a JSON-ready mapping (what every rendering is made from)."""
        i = self.inputs
        return {
            "title": self.title,
            "nation": _nation(i.nation),
            "perspective": _nation(i.perspective) if i.perspective else None,
            "window": {**i.window.to_dict(), "given": i.window_given},
            "languages": [lang.to_dict() for lang in self.languages],
            "native_names": [vars(n) for n in self.native_names],
            "holidays": [h.to_dict() for h in self.holidays.holidays],
            "observances": [o.to_dict() for o in self.observances],
            "weekend": [
                {
                    "days": w.names,
                    "text": w.describe(),
                    "source": w.source,
                    "valid_from": w.valid_from.isoformat() if w.valid_from else None,
                    "valid_to": w.valid_to.isoformat() if w.valid_to else None,
                }
                for w in self.weekends
            ],
            "time_zones": [
                {"name": z.name, "utc_offsets": list(z.offsets)} for z in self.time_zones
            ],
            "hofstede": self.verdict.to_dict(i.scores, i.nation.iso3),
            "memberships": self._memberships(),
            "ties": self._ties(),
            "engagements": {
                "count": i.engagement_count,
                "recent": [_engagement(key, e, i.nation.iso3) for key, e in i.engagements],
            },
            "plans": _plans_text(i.open_plans),
            "open_plans": [
                {
                    "id": p.id,
                    "title": p.plan.title,
                    "state": p.state.value,
                    "start": p.plan.start.isoformat(),
                    "end": p.plan.end.isoformat(),
                    "nations": list(p.plan.nations),
                }
                for p in i.open_plans
            ],
            "notes": [n.to_dict() for n in i.notes],
            "lessons": self._lessons(),
            "missing": list(self.missing),
            "sources": list(self.sources),
        }

    def _memberships(self) -> dict[str, Any]:
        i = self.inputs
        year = i.window.start.year
        active = {m.organisation: m for m in i.memberships if m.nation == i.nation.iso3}
        active = {code: m for code, m in active.items() if m.active_in(year)}
        if i.perspective is not None:
            theirs = {
                m.organisation
                for m in i.memberships
                if m.nation == i.perspective.iso3 and m.active_in(year)
            }
            active = {code: m for code, m in active.items() if code in theirs}
        return {
            "year": year,
            "shared": i.perspective is not None,
            "organisations": [
                {"code": code, "name": i.organisation_names.get(code, code), "since": m.joined}
                for code, m in sorted(active.items())
            ],
        }

    def _ties(self) -> dict[str, Any] | None:
        i = self.inputs
        if i.perspective is None or not i.ties:
            return None
        rows = [r for r in i.ties if r.get("index") is not None]
        if not rows:
            return None
        # The headline year is the index's default year (the last mostly observed); the years
        # after it are labelled estimates, never read as the tie itself.
        default = i.tie_default_year
        observed = [r for r in rows if default is None or r["year"] <= default] or rows
        latest = observed[-1]
        earlier = next((r for r in rows if r["year"] == latest["year"] - 5), None)
        change = latest["index"] - earlier["index"] if earlier else None
        trend = None
        if change is not None:
            trend = "rising" if change > 2 else "falling" if change < -2 else "steady"
        share = float(latest.get("projected_share") or 0.0)
        caution = None
        if share >= _CAUTION_SHARE:
            caution = (
                f"{share:.0%} of the {latest['year']} index rests on projections: the last year "
                f"every source behind this pair observes is {latest.get('last_observed_year')}"
                + (f" ({i.tie_data_through})." if i.tie_data_through else ".")
            )
        last = rows[-1]
        estimate = None
        if last["year"] > latest["year"]:
            estimate = {
                "year": last["year"],
                "index": round(float(last["index"]), 1),
                "projected_share": round(float(last.get("projected_share") or 0.0), 2),
                "last_observed_year": last.get("last_observed_year"),
            }
        return {
            "years": [_tie_year(r) for r in rows[-_TREND_YEARS:]],
            "caution": caution,
            "latest_year": latest["year"],
            "latest_index": round(float(latest["index"]), 1),
            "change_5y": round(float(change), 1) if change is not None else None,
            "trend": trend,
            "estimate": estimate,
            "data_through": i.tie_data_through,
            "method_version": i.tie_method,
        }

    def _lessons(self) -> list[dict[str, Any]]:
        found = []
        for assessment, key, engagement in self.inputs.assessments:
            if self.nation.iso3 not in engagement.nations:
                continue
            if not (assessment.lessons or assessment.cultural_notes):
                continue
            found.append(
                {
                    "engagement_id": key,
                    "engagement": readable_title(engagement, self.nation.iso3),
                    "assessed_on": assessment.assessed_on.isoformat(),
                    "lessons": assessment.lessons,
                    "cultural_notes": assessment.cultural_notes,
                }
            )
        return found[:_RECENT]


def _tie_year(row: Mapping[str, Any]) -> dict[str, Any]:
    share = float(row.get("projected_share") or 0.0)
    return {
        "year": row["year"],
        "index": round(float(row["index"]), 1),
        "estimate": share >= _ESTIMATE_SHARE,
    }


def _nation(nation: Nation) -> dict[str, Any]:
    return {
        "iso3": nation.iso3,
        "iso2": nation.iso2,
        "name": nation.name,
        "official_name": nation.official_name,
        "region": nation.region,
    }


def _engagement(key: int, engagement: Engagement, nation: str) -> dict[str, Any]:
    return {
        "id": key,
        "kind": engagement.kind.value,
        "title": readable_title(engagement, nation),
        "source_id": engagement.title if is_source_id(engagement) else None,
        "start": str(engagement.start),
        "end": str(engagement.end) if engagement.end else None,
        "host": engagement.host,
        "nations": list(engagement.nations),
    }


def _label(nation: Nation) -> str:
    return f"{nation.name} ({nation.iso3})"


def _missing(i: BriefingInputs, b: dict[str, Any]) -> list[str]:
    name, window = _label(i.nation), i.window
    found = []
    if not b["languages"]:
        found.append(f"No language data for {name}: CLDR has none for its territory.")
    found.extend(b["holiday_notices"])
    if b["holidays_covered"] and not b["holidays"]:
        found.append(f"No public holiday or observance of {name} falls in {window}.")
    if not b["weekends"]:
        found.append(f"No weekend data for {name}: CLDR has no week data for its territory.")
    if not b["zones"]:
        found.append(f"No time zone data for {name}: CLDR assigns its territory no zone.")
    for nation in (i.nation, i.perspective):
        scored = i.scores.get(nation.iso3, {}) if nation else None
        if nation is None or scored is None:
            continue
        if not scored:
            found.append(f"No Hofstede scores for {_label(nation)}.")
        elif lacking := [n for c, n in DIMENSION_NAMES.items() if c not in scored]:
            found.append(f"Hofstede scores of {_label(nation)} lack {', '.join(lacking)}.")
    if i.perspective is None:
        found.append(
            "No perspective nation given: no cultural distance, shared memberships or tie index."
        )
    elif i.perspective.iso3 == i.nation.iso3:
        found.append("The perspective nation is the nation briefed: no distance or ties.")
    else:
        if not i.scores.get(i.perspective.iso3) or not i.scores.get(i.nation.iso3):
            found.append("No cultural distance: it needs Hofstede scores for both nations.")
        elif b["verdict"].refusal is not None:
            found.append(f"No cultural distance. {b['verdict'].refusal}")
        if not i.ties:
            found.append(f"No recorded ties between {i.nation.iso3} and {i.perspective.iso3}.")
    if not i.engagement_count:
        found.append(
            "No engagements recorded" + (" with the perspective nation." if i.perspective else ".")
        )
    if not i.open_plans:
        found.append(PLANS_NOTICE)
    if not i.notes:
        found.append(f"No curated notes on {name}.")
    return found


def _plans_text(plans: Sequence[StoredPlan]) -> str:
    if not plans:
        return PLANS_NOTICE
    listed = "; ".join(
        f"#{p.id} {p.plan.title} ({p.state.value}, {p.plan.start} to {p.plan.end})" for p in plans
    )
    return f"Open plans: {listed}."


def build_briefing(inputs: BriefingInputs) -> Briefing:
    """Add the library facts (languages, holidays, weekends, zones, distance) to the records.

    Args:
        inputs: What the store holds for the nation, read for the viewer.

    Returns:
        The briefing, listing every section without data in ``missing``.
    """
    i = inputs
    territory = i.nation.iso2
    languages = territory_languages(territory)
    holidays = load_holidays(territory, i.window.start, i.window.end, _label(i.nation))
    observances = find_observances(territory, i.window, _label(i.nation))
    weekends = weekends_between(territory, i.window.start, i.window.end)
    zones = time_zones(territory, i.window.start, i.window.end)
    verdict = judge_distance(i.nation, i.perspective, i.scores)
    found: dict[str, Any] = {
        "languages": languages,
        "holiday_notices": holidays.notices,
        "holidays_covered": holidays.covered,
        "holidays": holidays.holidays,
        "weekends": weekends,
        "zones": zones,
        "verdict": verdict,
    }
    sources = [
        f"Languages, names, weekends and time zones: CLDR via babel ({_cldr()}).",
        f"Holidays: {holidays.source} (the Python package; national calendars).",
        *(f"{o.name}: {o.source}." for o in _first_of_each(observances)),
        f"Cultural dimensions: {HOFSTEDE_SOURCE}",
        "Kogut, B. & Singh, H. (1988), The effect of national culture on the choice of entry "
        "mode, Journal of International Business Studies 19(3).",
    ]
    if i.tie_method:
        sources.append(f"Tie index: comity method {i.tie_method} (docs/methodology.md).")
    weekend_sources = [w.source for w in weekends if w.corrected]
    sources.extend(weekend_sources)
    return Briefing(
        inputs=i,
        languages=tuple(languages),
        native_names=tuple(native_names(territory, languages)),
        holidays=holidays,
        observances=tuple(observances),
        weekends=tuple(weekends),
        time_zones=tuple(zones),
        verdict=verdict,
        missing=tuple(_missing(i, found)),
        sources=tuple(sources),
    )


def _first_of_each(observances: Sequence[Observance]) -> list[Observance]:
    return list({o.key: o for o in observances}.values())


def _cldr() -> str:
    from babel import __version__
    from babel.core import get_global

    return f"CLDR {get_global('cldr').get('version', '?')}, babel {__version__}"
