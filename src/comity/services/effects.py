"""Use case of effect estimates: did a treatment change what a provider's pairs did afterwards?

A treatment is a programme, a kind of engagement or a command's executed plans (docs/effects.md).
The treated pairs are the provider with each partner of a matching record, treated from the
first year of one; the comparison pairs are the provider with the other states, each in the
years it exists as a state. The outcome never includes the treatment's own contribution
(:mod:`comity.services.effect_outcomes`). Every read takes the viewer: the estimate rests on the
records the viewer may see. The designs are in :mod:`comity.analytics.stacked_did` and
:mod:`comity.analytics.synthetic_control`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from comity.access.viewer import Viewer
from comity.errors import FieldProblem, UnknownNationError, ValidationError
from comity.model.engagements import Engagement, EngagementKind
from comity.model.kinds import KINDS
from comity.model.plans import PlanState
from comity.services.effect_outcomes import OUTCOME_KINDS, OUTCOMES, covered_years, read_outcome
from comity.services.engagements import StoredEngagement, list_engagements
from comity.services.plans import list_plans
from comity.services.registry import list_nations, resolve_nation
from comity.store import Store

__all__ = ["DESIGNS", "OUTCOMES", "TreatmentSpec", "estimate_effect", "parse_pair"]

DESIGNS = ("did", "synth")
"""The designs: stacked difference-in-differences, synthetic control for one pair."""


@dataclass(frozen=True)
class TreatmentSpec:
    """What the treatment is: records of a provider matching programmes, kinds, or its plans.

    Attributes:
        provider: The nation that gives the treatment (any name or code).
        programmes: Programme names (case-insensitive), matched against a record's programme
            and the programmes that funded it (``IMET``, ``CTFP``); any one matches.
        kinds: Engagement kinds; any one matches (all kinds when empty).
        series: An exercise series: a programme name whose records are exercises.
        plans: The provider's executed plans instead of its records.
    """

    provider: str
    programmes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    series: str | None = None
    plans: bool = False

    @property
    def wanted_programmes(self) -> tuple[str, ...]:
        """The programmes to match, the exercise series among them."""
        return (*self.programmes, self.series) if self.series else self.programmes

    @property
    def wanted_kinds(self) -> tuple[str, ...]:
        """The kinds to match: those asked, and exercises for an exercise series."""
        exercise = EngagementKind.EXERCISE.value
        if self.series and exercise not in self.kinds:
            return (*self.kinds, exercise)
        return self.kinds

    def describe(self, provider: str) -> str:
        """The treatment in words: ``IMET from USA``, ``training from USA``."""
        kinds = " and ".join(k.replace("_", " ") for k in self.wanted_kinds)
        if self.plans:
            return f"executed plans of {provider}" + (f" ({kinds})" if kinds else "")
        what = " or ".join(self.wanted_programmes) or kinds or "engagements"
        if self.wanted_programmes and kinds:
            what = f"{what} ({kinds})"
        return f"{what} from {provider}"


def _check(spec: TreatmentSpec, outcome: str, design: str) -> list[FieldProblem]:
    problems = []
    known = {k.value for k in EngagementKind}
    for kind in spec.kinds:
        if kind not in known:
            problems.append(FieldProblem("kind", f"is not a kind; known: {', '.join(known)}", kind))
    if not (spec.wanted_programmes or spec.kinds or spec.plans):
        problems.append(FieldProblem("treatment", "name a programme, a series, a kind or plans"))
    if outcome not in OUTCOMES:
        problems.append(FieldProblem("outcome", f"is one of {', '.join(OUTCOMES)}", outcome))
    if design not in DESIGNS:
        problems.append(FieldProblem("design", f"is one of {', '.join(DESIGNS)}", design))
    return problems


def parse_pair(text: str) -> tuple[str, str]:
    """Two nation keys from ``USA-PHL`` (names too, when only one split at a hyphen reads).

    Raises:
        ValidationError: When no split of the text at a hyphen names two nations, or more than
            one does (``Guinea-Bissau-Chad``: write codes).
    """
    parts = text.split("-")
    found = set()
    for cut in range(1, len(parts)):
        try:
            first = resolve_nation("-".join(parts[:cut])).iso3
            second = resolve_nation("-".join(parts[cut:])).iso3
        except UnknownNationError:
            continue  # not a nation's name: try the next split
        found.add((first, second))
    if len(found) == 1:
        return found.pop()
    reason = (
        "names two nations in more than one way; write their codes, e.g. GNB-USA"
        if found
        else "is not two nations joined by a hyphen, e.g. USA-PHL"
    )
    raise ValidationError([FieldProblem("pair", reason, text)], "effect")


def _matches(record: Engagement, wanted: set[str]) -> bool:
    names = {record.programme or ""} | set(getattr(record.details, "funding", ()) or ())
    return any(name.casefold() in wanted for name in names if name)


_FUNDED = tuple(
    spec.value
    for spec in KINDS
    if spec.details is not None and "funding" in spec.details.model_fields
)
"""The kinds whose records name the programmes that funded them (education, training)."""


def _records(
    store: Store, viewer: Viewer, spec: TreatmentSpec, provider: str
) -> list[StoredEngagement]:
    """The provider's records that may match.

    Those of the kinds asked or, for programmes of any kind, those of each programme and those
    of the kinds that name their funding.
    """
    kinds = spec.wanted_kinds
    if kinds or not spec.wanted_programmes:
        return list_engagements(store, viewer, nation=provider, kinds=kinds)
    found = {s.id: s for s in list_engagements(store, viewer, nation=provider, kinds=_FUNDED)}
    for name in spec.wanted_programmes:
        found.update(
            (s.id, s) for s in list_engagements(store, viewer, nation=provider, programme=name)
        )
    return list(found.values())


def _treated(
    store: Store, viewer: Viewer, spec: TreatmentSpec, provider: str
) -> tuple[dict[str, int], set[str], int]:
    """Each partner's first treated year, the kinds of the records, how many records."""
    first: dict[str, int] = {}
    kinds: set[str] = set()
    count = 0

    def note(nations: Sequence[str], year: int, kind: str) -> None:
        nonlocal count
        count += 1
        kinds.add(kind)
        for nation in nations:
            if nation != provider:
                first[nation] = min(year, first.get(nation, year))

    if spec.plans:
        for done in list_plans(store, viewer, states=[PlanState.EXECUTED], nation=provider):
            plan = done.plan
            if not spec.wanted_kinds or plan.kind.value in spec.wanted_kinds:
                note(plan.nations, plan.start.year, plan.kind.value)
        return first, kinds, count
    wanted = {p.casefold() for p in spec.wanted_programmes}
    for stored in _records(store, viewer, spec, provider):
        record = stored.engagement
        if not wanted or _matches(record, wanted):
            note(record.nations, record.start_year, record.kind.value)
    return first, kinds, count


def _panel(
    store: Store,
    provider: str,
    values: dict[tuple[str, int], float],
    first: dict[str, int],
    years: range,
) -> Any:
    """The pair-year panel: the provider with every state in each year it exists."""
    import pandas as pd

    rows = []
    for nation in list_nations(store):
        if nation.iso3 == provider or not nation.spells:  # territories are not partners here
            continue
        treated = first.get(nation.iso3)
        for year in years:
            if nation.exists_in(year):
                rows.append(
                    (
                        f"{provider}-{nation.iso3}",
                        year,
                        values.get((nation.iso3, year), 0.0),
                        float("nan") if treated is None else float(treated),
                    )
                )
    return pd.DataFrame(rows, columns=["unit", "year", "outcome", "first_treated"])


def _estimator(design: str) -> str:
    from comity.analytics import stacked_did, synthetic_control

    return synthetic_control.ESTIMATOR if design == "synth" else stacked_did.ESTIMATOR


def estimate_effect(
    store: Store,
    viewer: Viewer,
    *,
    treatment: TreatmentSpec,
    outcome: str,
    design: str = "did",
    pair: str | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    pre_years: int | None = None,
    post_years: int = 4,
    treatment_year: int | None = None,
) -> dict[str, Any]:
    """Did the treatment change the outcome of the provider's pairs? From what ``viewer`` sees.

    Args:
        store: The store.
        viewer: Whose view.
        treatment: The treatment.
        outcome: One of :data:`OUTCOMES`.
        design: ``did`` (every treated pair) or ``synth`` (one pair, ``pair``).
        pair: The pair for ``synth``: the provider and one partner (``USA-PHL``).
        from_year: Use no year before this.
        to_year: Use no year after this.
        pre_years: Years before the treatment in each window (default 4; 8 for ``synth``).
        post_years: Years after the first treated year in each window.
        treatment_year: For ``synth``: the first treated year, when the records do not say it.

    Returns:
        The result (see :meth:`comity.analytics.effects.EffectResult.to_dict`) with
        ``treated`` (the provider, the treatment asked, the records and kinds that matched,
        the partners treated and those treated already when the source begins),
        ``outcome_name`` and ``years`` (the first and last year used).

    Raises:
        ValidationError: For an unknown outcome, design or kind, a missing pair, a reversed year
            range, or an outcome that would count the treatment's own kind.
        UnknownNationError: When a nation does not resolve.
    """
    from comity.analytics import stacked_did as did
    from comity.analytics import synthetic_control as synth
    from comity.analytics.effects import cannot_answer

    problems = _check(treatment, outcome, design)
    if design == "synth" and pair is None:
        problems.append(FieldProblem("pair", "the synthetic control needs one pair, e.g. USA-PHL"))
    if from_year is not None and to_year is not None and from_year > to_year:
        problems.append(FieldProblem("from_year", f"is after to_year ({to_year})", str(from_year)))
    if problems:
        raise ValidationError(problems, "effect")
    provider = resolve_nation(treatment.provider).iso3
    partner = None
    if design == "synth" and pair is not None:
        keys = parse_pair(pair)
        if provider not in keys:
            reason = f"does not include the provider {provider}"
            raise ValidationError([FieldProblem("pair", reason, pair)], "effect")
        partner = keys[1] if keys[0] == provider else keys[0]
    pre = pre_years if pre_years is not None else (8 if design == "synth" else 4)
    words = treatment.describe(provider)
    first, kinds, records = _treated(store, viewer, treatment, provider)
    outcome_kind = OUTCOME_KINDS[outcome]
    if outcome_kind is not None and outcome_kind in kinds:
        reason = f"counts the treatment's own kind ({outcome_kind}); choose another outcome"
        raise ValidationError([FieldProblem("outcome", reason, outcome)], "effect")
    answer: dict[str, Any] = {
        "treated": {
            "provider": provider,
            "programmes": list(treatment.wanted_programmes),
            "kinds": list(treatment.wanted_kinds),
            "plans": treatment.plans,
            "records": records,
            "treated_kinds": sorted(kinds),
            "treated_partners": len(first),
            "already_treated": [],
        },
        "outcome_name": outcome,
        "years": None,
    }
    if not first:
        reason = f"no record of {words} that you may see names a partner."
        result = cannot_answer(design, _estimator(design), words, outcome, reason)
        return {**result.to_dict(), **answer}
    source = covered_years(store, kinds, provider)
    # A pair treated in the first year the treatment's source covers may have been treated
    # before it: when its treatment began is unknown, so it is neither treated nor comparison.
    censored = sorted(n for n, y in first.items() if source is not None and y <= source[0])
    answer["treated"]["already_treated"] = censored
    series = read_outcome(store, viewer, outcome, provider, kinds)
    starts = [y for n, y in first.items() if n not in censored]
    known = [v for v in (series.first_year, from_year) if v is not None]
    lo = max(known) if known else min(starts or [0]) - pre
    his = [v for v in (series.last_year, to_year, source[1] if source else None) if v is not None]
    hi = min(his) if his else max(starts or [0]) + post_years
    if design == "did" and starts:
        lo, hi = max(lo, min(starts) - pre), min(hi, max(starts) + post_years)
    if lo > hi:
        reason = (
            f"no year in which both the outcome ({series.first_year}-{series.last_year}) and "
            "the treatment are observed, within the years asked."
        )
        result = cannot_answer(design, _estimator(design), words, series.words, reason)
        return {**result.to_dict(), **answer}
    cohorts = {n: y for n, y in first.items() if n not in censored}
    left_out = set(censored)
    if partner is not None and treatment_year is not None:
        cohorts[partner] = treatment_year  # the caller knows when it began
        left_out.discard(partner)
    panel = _panel(store, provider, series.values, cohorts, range(lo, hi + 1))
    panel = panel[~panel["unit"].isin([f"{provider}-{n}" for n in left_out])]
    if design == "synth" and partner is not None:
        unit = f"{provider}-{partner}"
        if partner in censored and treatment_year is None:
            reason = (
                f"{partner} received {words} already in {first[partner]}, the first year the "
                "source covers: when its treatment began is unknown (give the treatment year "
                "if it is known)."
            )
            result = cannot_answer(design, synth.ESTIMATOR, words, series.words, reason)
        else:
            result = synth.estimate_synth(
                panel,
                unit,
                treatment=words,
                outcome=series.words,
                outcome_label=series.label,
                treatment_year=treatment_year,
                comparison=f"pairs of {provider} with states never given {words}, or not before "
                "the end of the window",
                pre_years=pre,
                post_years=post_years,
            )
    else:
        result = did.estimate_did(
            panel,
            treatment=words,
            outcome=series.words,
            outcome_label=series.label,
            comparison=f"pairs of {provider} with states never given {words}, or not before the "
            "end of each window",
            pre_years=pre,
            post_years=post_years,
        )
    data_caveats = [series.note]
    if source is not None:
        data_caveats.append(
            f"The records of the treatment cover {source[0]}-{source[1]}; a pair with none is "
            f"taken as never treated, and {len(censored)} pair(s) treated already in "
            f"{source[0]} are left out (when their treatment began is unknown)."
        )
    if treatment_year is not None:
        data_caveats.append(f"The treatment year {treatment_year} was given, not read.")
    found = result.to_dict()
    found["caveats"] = [*found["caveats"], *data_caveats]
    answer["years"] = [lo, hi]
    return {**found, **answer}
