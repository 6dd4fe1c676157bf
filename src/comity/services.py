"""Use cases shared by the CLI, the API and the web pages.

Each function opens one transaction (writes) or one connection (reads) on the store, validates
its input against the domain model and the nation registry, and returns model objects. Adapters
parse input, call one of these, and format the result; they hold no SQL and no business rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comity.access.viewer import Role, Viewer
from comity.errors import FieldProblem, PermissionDeniedError, ValidationError
from comity.model.engagements import Engagement, EngagementKind
from comity.model.nations import Membership, Nation, NationCode, Organisation
from comity.model.validation import validate_engagement
from comity.nations import default_resolver, load_reference
from comity.nations.organisations import load_organisations
from comity.store import Store
from comity.store import engagements as engagement_store
from comity.store import nations as nation_store
from comity.store.engagements import EngagementFilter, StoredEngagement
from comity.store.nations import SeedCounts

__all__ = [
    "EngagementFilter",
    "InitReport",
    "NationProfile",
    "OrganisationMembers",
    "add_engagement",
    "add_engagements",
    "count_engagements",
    "delete_engagement",
    "edit_engagement",
    "get_engagement",
    "get_nation",
    "get_organisation",
    "initialise",
    "list_engagements",
    "list_nations",
    "list_organisations",
    "resolve_nation",
]


@dataclass(frozen=True)
class InitReport:
    """What :func:`initialise` did.

    Attributes:
        store: The store's URL, password hidden.
        revision_before: Migration the store was at (None when new).
        revision_after: Migration it is at now.
        nations: Seed counts for the nation registry.
        organisations: Seed counts for organisations.
        memberships: Membership spells now stored.
    """

    store: str
    revision_before: str | None
    revision_after: str | None
    nations: SeedCounts
    organisations: SeedCounts
    memberships: int


def initialise(store: Store) -> InitReport:
    """Create or migrate the schema, then seed the nation registry and the organisations.

    Idempotent: running it again applies nothing and reports every seed row unchanged.
    """
    before = store.current_revision()
    store.migrate()
    reference = load_reference()
    organisations, memberships = load_organisations()
    with store.transaction() as connection:
        nations = nation_store.seed_nations(connection, reference.nations.values(), reference.codes)
        orgs = nation_store.seed_organisations(connection, organisations, memberships)
    return InitReport(
        store=store.describe(),
        revision_before=before,
        revision_after=store.current_revision(),
        nations=nations,
        organisations=orgs,
        memberships=len(memberships),
    )


def resolve_nation(text: str, *, year: int | None = None, system: str | None = None) -> Nation:
    """Resolve a name or code to a nation of the registry (see :mod:`comity.nations`).

    Raises:
        UnknownNationError: When nothing matches, with the closest names.
    """
    return default_resolver().resolve(text, system=system, year=year)


def list_nations(
    store: Store,
    *,
    search: str | None = None,
    region: str | None = None,
    historical: bool | None = None,
) -> list[Nation]:
    """Nations of the registry, by name (see :func:`comity.store.nations.list_nations`)."""
    store.check_ready()
    with store.connect() as connection:
        return nation_store.list_nations(
            connection, search=search, region=region, historical=historical
        )


@dataclass(frozen=True)
class NationProfile:
    """A nation with its codes and its organisation memberships."""

    nation: Nation
    codes: list[NationCode]
    memberships: list[Membership]


def get_nation(store: Store, text: str) -> NationProfile:
    """A nation, its codes and memberships; ``text`` may be any name or code.

    Raises:
        UnknownNationError: When ``text`` names no nation.
    """
    store.check_ready()
    key = resolve_nation(text).iso3
    with store.connect() as connection:
        nation = nation_store.get_nation(connection, key)
        return NationProfile(
            nation=nation,
            codes=nation_store.nation_codes(connection, nation.iso3),
            memberships=nation_store.list_memberships(connection, nation=nation.iso3),
        )


def list_organisations(store: Store) -> list[tuple[Organisation, int]]:
    """Organisations with their number of current members."""
    store.check_ready()
    with store.connect() as connection:
        return nation_store.list_organisations(connection)


@dataclass(frozen=True)
class OrganisationMembers:
    """An organisation and its membership spells, with the members' names."""

    organisation: Organisation
    memberships: list[Membership]
    names: dict[str, str]


def get_organisation(store: Store, code: str, *, year: int | None = None) -> OrganisationMembers:
    """An organisation with its members over time, or in ``year`` only.

    Raises:
        NotFoundError: When there is no such organisation.
    """
    store.check_ready()
    with store.connect() as connection:
        organisation = nation_store.get_organisation(connection, code)
        memberships = nation_store.list_memberships(
            connection, organisation=organisation.code, year=year
        )
        nations = nation_store.load_nations(connection)
    return OrganisationMembers(
        organisation=organisation,
        memberships=memberships,
        names={m.nation: nations[m.nation].name for m in memberships},
    )


def _require(viewer: Viewer, role: Role, action: str) -> None:
    if not viewer.may(role):
        raise PermissionDeniedError(
            f"{viewer.name} may not {action}: it needs the role {role.name.lower()}."
        )


def _check_release(viewer: Viewer, engagement: Engagement) -> None:
    # A user may not label a record so that the user's own nation could not read it back.
    if viewer.unrestricted or engagement.releasability.is_public:
        return
    if viewer.nation not in engagement.releasability.targets:
        raise ValidationError(
            [
                FieldProblem(
                    "releasability",
                    f"must include your own nation ({viewer.nation}) so you can read it",
                    str(engagement.releasability),
                )
            ],
            "engagement",
        )


def add_engagement(
    store: Store, data: Mapping[str, Any] | Engagement, viewer: Viewer
) -> StoredEngagement:
    """Validate and store one engagement.

    Args:
        store: The store.
        data: The record's fields (or a record), with nation keys.
        viewer: Who adds it; needs the role planner.

    Raises:
        ValidationError: Naming every offending field.
        PermissionDeniedError: When the viewer may not write.
    """
    _require(viewer, Role.PLANNER, "add engagements")
    store.check_ready()
    with store.transaction() as connection:
        directory = nation_store.load_nations(connection)
        engagement = validate_engagement(data, directory)
        _check_release(viewer, engagement)
        (engagement_id,) = engagement_store.insert_engagements(
            connection, [engagement], viewer.name
        )
        return engagement_store.get_engagement(connection, engagement_id, viewer)


def add_engagements(
    store: Store, records: Sequence[Mapping[str, Any] | Engagement], viewer: Viewer
) -> list[int]:
    """Validate and store many engagements in one transaction: all of them, or none.

    Raises:
        ValidationError: For the first invalid record, its index in the field names.
    """
    _require(viewer, Role.PLANNER, "add engagements")
    store.check_ready()
    with store.transaction() as connection:
        directory = nation_store.load_nations(connection)
        valid = []
        for index, data in enumerate(records):
            try:
                engagement = validate_engagement(data, directory)
            except ValidationError as error:
                problems = [
                    FieldProblem(f"{index}.{p.field}", p.reason, p.value) for p in error.problems
                ]
                raise ValidationError(problems, "engagements") from None
            _check_release(viewer, engagement)
            valid.append(engagement)
        return engagement_store.insert_engagements(connection, valid, viewer.name)


def edit_engagement(
    store: Store,
    engagement_id: int,
    changes: Mapping[str, Any],
    viewer: Viewer,
    *,
    expected_version: int | None = None,
) -> StoredEngagement:
    """Apply ``changes`` (field -> new value) to a stored engagement and re-validate it.

    Raises:
        NotFoundError: When the viewer sees no such engagement.
        ValidationError: When the changed record breaks a rule.
        ConflictError: When ``expected_version`` is given and stale.
    """
    _require(viewer, Role.PLANNER, "edit engagements")
    store.check_ready()
    with store.transaction() as connection:
        current = engagement_store.get_engagement(connection, engagement_id, viewer)
        merged = {**current.engagement.model_dump(mode="json"), **changes}
        if "kind" in changes and "details" not in changes:
            merged["details"] = None
        if merged.get("details"):
            merged["details"] = {k: v for k, v in merged["details"].items() if k != "kind"}
        engagement = validate_engagement(merged, nation_store.load_nations(connection))
        _check_release(viewer, engagement)
        engagement_store.update_engagement(
            connection, engagement_id, engagement, viewer, expected_version
        )
        return engagement_store.get_engagement(connection, engagement_id, viewer)


def delete_engagement(store: Store, engagement_id: int, viewer: Viewer) -> None:
    """Delete a stored engagement.

    Raises:
        NotFoundError: When the viewer sees no such engagement.
    """
    _require(viewer, Role.PLANNER, "delete engagements")
    store.check_ready()
    with store.transaction() as connection:
        engagement_store.delete_engagement(connection, engagement_id, viewer)


def get_engagement(store: Store, engagement_id: int, viewer: Viewer) -> StoredEngagement:
    """One engagement the viewer may see.

    Raises:
        NotFoundError: When there is none visible to the viewer.
    """
    store.check_ready()
    with store.connect() as connection:
        return engagement_store.get_engagement(connection, engagement_id, viewer)


def list_engagements(
    store: Store,
    viewer: Viewer,
    *,
    nation: str | None = None,
    partner: str | None = None,
    kinds: Sequence[EngagementKind | str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
    text: str | None = None,
    programme: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[StoredEngagement]:
    """Engagements the viewer may see, filtered, oldest first.

    ``nation`` and ``partner`` may be any name or code; they are resolved for ``from_year``.

    Raises:
        UnknownNationError: When a nation does not resolve.
        ValidationError: When the year range is reversed.
    """
    store.check_ready()
    where = _filter(nation, partner, kinds, from_year, to_year, text, programme, limit, offset)
    with store.connect() as connection:
        return engagement_store.list_engagements(connection, viewer, where)


def count_engagements(
    store: Store,
    viewer: Viewer,
    *,
    nation: str | None = None,
    partner: str | None = None,
    kinds: Sequence[EngagementKind | str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
    text: str | None = None,
) -> int:
    """How many engagements the viewer may see match the filters."""
    store.check_ready()
    where = _filter(nation, partner, kinds, from_year, to_year, text, None, None, 0)
    with store.connect() as connection:
        return engagement_store.count_engagements(connection, viewer, where)


def _filter(
    nation: str | None,
    partner: str | None,
    kinds: Sequence[EngagementKind | str],
    from_year: int | None,
    to_year: int | None,
    text: str | None,
    programme: str | None,
    limit: int | None,
    offset: int,
) -> EngagementFilter:
    if from_year is not None and to_year is not None and to_year < from_year:
        raise ValidationError(
            [FieldProblem("to_year", f"is before from_year ({from_year})", str(to_year))],
            "filter",
        )
    if partner and not nation:
        raise ValidationError(
            [FieldProblem("partner", "needs a nation to pair with", partner)], "filter"
        )
    if limit is not None and limit < 0:
        raise ValidationError([FieldProblem("limit", "must be 0 or more", str(limit))], "filter")
    try:
        chosen = tuple(EngagementKind(k) for k in kinds)
    except ValueError as error:
        known = ", ".join(k.value for k in EngagementKind)
        raise ValidationError(
            [FieldProblem("kind", f"{error}; known kinds: {known}")], "filter"
        ) from None

    def key(text: str | None) -> str | None:
        return resolve_nation(text, year=from_year).iso3 if text else None

    return EngagementFilter(
        nation=key(nation),
        partner=key(partner),
        kinds=chosen,
        from_year=from_year,
        to_year=to_year,
        text=text,
        programme=programme,
        limit=limit,
        offset=offset,
    )
