"""Use cases of the nation registry: initialise the store, nations, organisations."""

from __future__ import annotations

from dataclasses import dataclass, field

from comity.model.nations import Membership, Nation, NationCode, Organisation
from comity.nations import default_resolver, load_reference
from comity.nations.organisations import load_organisations
from comity.nations.successions import Succession, describe_succession, successions_of
from comity.store import Store
from comity.store import nations as nation_store
from comity.store.nations import SeedCounts

__all__ = [
    "InitReport",
    "NationProfile",
    "OrganisationMembers",
    "SuccessionEntry",
    "get_nation",
    "get_organisation",
    "initialise",
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
    with store.connect() as connection:
        return nation_store.list_nations(
            connection, search=search, region=region, historical=historical
        )


@dataclass(frozen=True)
class SuccessionEntry:
    """A succession a nation took part in, told from its side.

    Attributes:
        succession: The row of the successor table.
        role: ``predecessor`` when the nation is the state before, ``successor`` otherwise.
        text: One sentence: "Continued by Russia from 1991-12-26", "Seceded from Ethiopia
            1993-05-24".
    """

    succession: Succession
    role: str
    text: str


@dataclass(frozen=True)
class NationProfile:
    """A nation with its codes, its organisation memberships and its successions, by date."""

    nation: Nation
    codes: list[NationCode]
    memberships: list[Membership]
    successions: list[SuccessionEntry] = field(default_factory=list)


def get_nation(store: Store, text: str) -> NationProfile:
    """A nation, its codes, memberships and successions; ``text`` may be any name or code.

    Raises:
        UnknownNationError: When ``text`` names no nation.
    """
    key = resolve_nation(text).iso3
    with store.connect() as connection:
        nation = nation_store.get_nation(connection, key)
        found = successions_of(nation.iso3)
        names = (
            {k: n.name for k, n in nation_store.load_nations(connection).items()} if found else {}
        )
        return NationProfile(
            nation=nation,
            codes=nation_store.nation_codes(connection, nation.iso3),
            memberships=nation_store.list_memberships(connection, nation=nation.iso3),
            successions=[
                SuccessionEntry(
                    succession=succession,
                    role="predecessor" if succession.predecessor == key else "successor",
                    text=describe_succession(succession, key, names),
                )
                for succession in found
            ],
        )


def list_organisations(store: Store) -> list[tuple[Organisation, int]]:
    """Organisations with their number of current members."""
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
