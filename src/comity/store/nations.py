"""Nations, their codes and spells, organisations and memberships: reads and the seed writes.

Reference data is public: these reads take no viewer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, or_, select, update

from comity.errors import NotFoundError
from comity.model.nations import (
    CodeSystem,
    Membership,
    Nation,
    NationCode,
    Organisation,
    StateSpell,
)
from comity.nations.successions import load_successions
from comity.nations.years import YEARLY_CODE_SYSTEMS, derive_codes_by_year, derive_nation_years
from comity.store import tables
from comity.store.changes import bump_records
from comity.store.visibility import like_escaped

__all__ = [
    "SeedCounts",
    "codes_by_year",
    "cow_codes_by_year",
    "get_nation",
    "get_organisation",
    "list_memberships",
    "list_nations",
    "list_organisations",
    "load_nations",
    "nation_codes",
    "nation_codes_of_system",
    "nation_years",
    "seed_nations",
    "seed_organisations",
    "sync_memberships",
]

_NATION_FIELDS = (
    "iso3",
    "iso2",
    "iso_numeric",
    "name",
    "official_name",
    "region",
    "continent",
    "cow_code",
    "cow_abbrev",
    "gw_code",
    "historical",
)


@dataclass(frozen=True)
class SeedCounts:
    """What a seed did: rows added, updated and left unchanged."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


def seed_nations(
    connection: Connection, nations: Iterable[Nation], codes: Iterable[NationCode]
) -> SeedCounts:
    """Insert or update the registry's nations; replace their spells and codes.

    Idempotent: seeding the same reference twice reports everything unchanged.
    """
    existing = {
        row.iso3: row._asdict()
        for row in connection.execute(select(*(tables.nations.c[f] for f in _NATION_FIELDS)))
    }
    added, changed = [], []
    spells: list[dict[str, object]] = []
    for nation in nations:
        row = {field: getattr(nation, field) for field in _NATION_FIELDS}
        if nation.iso3 not in existing:
            added.append(row)
        elif existing[nation.iso3] != row:
            changed.append(row)
        spells.extend(
            {"nation": nation.iso3, "start_date": s.start, "end_date": s.end} for s in nation.spells
        )
    if added:
        connection.execute(insert(tables.nations), added)
    for row in changed:
        connection.execute(
            update(tables.nations).where(tables.nations.c.iso3 == row["iso3"]).values(**row)
        )
    code_rows = [
        {
            "system": c.system.value,
            "code": c.code,
            "nation": c.nation,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
        }
        for c in codes
    ]
    # The index reads the nations' spells and codes of each year (codes_by_year), and caches
    # what it reads under the records' counter: a change of either, alone, must move it too.
    moved = _replace_rows(connection, tables.state_spells, spells)
    moved = _replace_rows(connection, tables.nation_codes, code_rows) or moved
    if added or changed or moved:
        bump_records(connection)
    total = len(existing) + len(added)
    return SeedCounts(
        added=len(added), updated=len(changed), unchanged=total - len(added) - len(changed)
    )


def _replace_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> bool:
    """Make ``rows`` the whole content of ``table``; False when it held exactly them already."""
    columns = [table.c[name] for name in rows[0]] if rows else list(table.c)
    names = [column.name for column in columns]
    stored = Counter(tuple(row) for row in connection.execute(select(*columns)))
    if stored == Counter(tuple(row[name] for name in names) for row in rows):
        return False
    connection.execute(delete(table))
    if rows:
        connection.execute(insert(table), rows)
    return True


def seed_organisations(
    connection: Connection,
    organisations: Sequence[Organisation],
    memberships: Sequence[Membership] | None,
) -> SeedCounts:
    """Insert or update organisations, and sync their memberships when given."""
    existing = {
        row.code: (row.name, row.kind, row.parent)
        for row in connection.execute(select(tables.organisations))
    }
    added = updated = 0
    # Parents first, so the self-reference is satisfied.
    for organisation in sorted(organisations, key=lambda o: o.parent is not None):
        values = {
            "name": organisation.name,
            "kind": organisation.kind,
            "parent": organisation.parent,
        }
        current = existing.get(organisation.code)
        if current is None:
            connection.execute(
                insert(tables.organisations).values(code=organisation.code, **values)
            )
            added += 1
        elif current != (organisation.name, organisation.kind, organisation.parent):
            connection.execute(
                update(tables.organisations)
                .where(tables.organisations.c.code == organisation.code)
                .values(**values)
            )
            updated += 1
    if memberships is not None:
        sync_memberships(connection, [o.code for o in organisations], memberships)
    return SeedCounts(added=added, updated=updated, unchanged=len(organisations) - added - updated)


def sync_memberships(
    connection: Connection, organisations: Sequence[str], memberships: Sequence[Membership]
) -> SeedCounts:
    """Make the memberships of ``organisations`` equal to ``memberships``.

    Only the spells that differ are deleted or inserted.
    """
    table = tables.memberships
    fields = ("organisation", "nation", "joined_year", "left_year", "note")
    stored: dict[tuple[object, ...], int] = {}
    for row in connection.execute(select(table).where(table.c.organisation.in_(organisations))):
        stored[tuple(getattr(row, f) for f in fields)] = row.id
    wanted = {(m.organisation, m.nation, m.joined, m.left, m.note) for m in memberships}
    gone = [row_id for key, row_id in stored.items() if key not in wanted]
    new = [dict(zip(fields, key, strict=True)) for key in wanted if key not in stored]
    if gone:
        connection.execute(delete(table).where(table.c.id.in_(gone)))
    if new:
        connection.execute(insert(table), sorted(new, key=lambda r: tuple(map(str, r.values()))))
    if gone or new:
        bump_records(connection)  # who may read a REL <organisation> record changed
    return SeedCounts(added=len(new), updated=0, unchanged=len(wanted) - len(new))


def _nations_from_rows(connection: Connection, where: Sequence[object] = ()) -> list[Nation]:
    query = select(tables.nations).order_by(tables.nations.c.name)
    for condition in where:
        query = query.where(condition)  # type: ignore[arg-type]
    rows = connection.execute(query).all()
    keys = [row.iso3 for row in rows]
    spells: dict[str, list[StateSpell]] = defaultdict(list)
    spell_query = select(tables.state_spells).order_by(tables.state_spells.c.start_date)
    if where:
        spell_query = spell_query.where(tables.state_spells.c.nation.in_(keys))
    for spell in connection.execute(spell_query):
        spells[spell.nation].append(StateSpell(start=spell.start_date, end=spell.end_date))
    return [
        Nation(
            **{field: getattr(row, field) for field in _NATION_FIELDS},
            spells=tuple(spells[row.iso3]),
        )
        for row in rows
    ]


def load_nations(connection: Connection) -> dict[str, Nation]:
    """Every nation in the store, by key (a directory for validation)."""
    return {nation.iso3: nation for nation in _nations_from_rows(connection)}


def list_nations(
    connection: Connection,
    *,
    search: str | None = None,
    region: str | None = None,
    historical: bool | None = None,
) -> list[Nation]:
    """Nations, by name, optionally filtered.

    Args:
        connection: Open connection.
        search: Text contained in the name or official name, or an exact code.
        region: UN region or continent, exact.
        historical: True for former states only, False for current ones only.
    """
    where: list[object] = []
    if search:
        pattern = f"%{like_escaped(search.strip())}%"
        code = search.strip().upper()
        where.append(
            or_(
                tables.nations.c.name.ilike(pattern, escape="\\"),
                tables.nations.c.official_name.ilike(pattern, escape="\\"),
                tables.nations.c.iso3 == code,
                tables.nations.c.iso2 == code,
                tables.nations.c.cow_abbrev == code,
            )
        )
    if region:
        where.append(
            or_(
                func.lower(tables.nations.c.region) == region.lower(),
                func.lower(tables.nations.c.continent) == region.lower(),
            )
        )
    if historical is not None:
        where.append(tables.nations.c.historical.is_(historical))
    return _nations_from_rows(connection, where)


def get_nation(connection: Connection, iso3: str) -> Nation:
    """The nation with this key.

    Raises:
        NotFoundError: When the store has no such nation.
    """
    found = _nations_from_rows(connection, [tables.nations.c.iso3 == iso3.upper()])
    if not found:
        raise NotFoundError(
            f"No nation with the key {iso3!r}.", hint="Run `comity nations --search TEXT`."
        )
    return found[0]


def nation_codes(connection: Connection, iso3: str) -> list[NationCode]:
    """Every code the nation carries, in every system, with validity dates."""
    rows = connection.execute(
        select(tables.nation_codes)
        .where(tables.nation_codes.c.nation == iso3)
        .order_by(tables.nation_codes.c.system, tables.nation_codes.c.valid_from)
    )
    return [
        NationCode(
            system=CodeSystem(row.system),
            code=row.code,
            nation=row.nation,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
        for row in rows
    ]


def nation_years(connection: Connection) -> list[tuple[str, int, int | None]]:
    """Each nation's spells of existence in whole calendar years, from ``state_spells``.

    A nation exists in a year if one of its spells touches any day of it, except that in a
    continuation (``successions.tsv``) the year of the change belongs to whichever state held the
    shared code on 1 July: the Soviet Union to 1991 and Russia from 1992, Yugoslavia to 2005 and
    Serbia from 2006. Adjacent years are merged; see :mod:`comity.nations.years`.

    Returns:
        (nation, first year, last year or None while it exists), by nation and first year.
        Nations with no spells (territories) are not listed: they are taken to exist every year.
    """
    spells = tables.state_spells
    rows = connection.execute(select(spells.c.nation, spells.c.start_date, spells.c.end_date))
    return derive_nation_years(
        ((row.nation, row.start_date, row.end_date) for row in rows), load_successions()
    )


def codes_by_year(connection: Connection) -> list[tuple[str, int, int | None, int | None]]:
    """The CoW and Gleditsch-Ward codes valid for each nation in each year it exists.

    Unit: nation-year. Years are those of :func:`nation_years`, from a nation's first spell to
    the current year at most; a nation without spells gets only the years one of its codes is
    valid. The code is the one valid on 1 July of the year, or else the one valid on the most
    days of it; no (system, code, year) is ever given for two nations.

    Returns:
        (nation, year, ccode, gwcode) by nation and year; a code is None where the nation holds
        none of that system that year.
    """
    codes = [
        code
        for system in YEARLY_CODE_SYSTEMS
        for code in nation_codes_of_system(connection, system)
    ]
    return derive_codes_by_year(nation_years(connection), codes, current_year=date.today().year)


def cow_codes_by_year(connection: Connection) -> list[tuple[str, int, int]]:
    """(nation, year, Correlates of War code): :func:`codes_by_year` without GW or missing codes."""
    return [
        (nation, year, ccode)
        for nation, year, ccode, _ in codes_by_year(connection)
        if ccode is not None
    ]


def nation_codes_of_system(connection: Connection, system: CodeSystem) -> list[NationCode]:
    """Every code of one system, with its nation and validity dates."""
    rows = connection.execute(
        select(tables.nation_codes).where(tables.nation_codes.c.system == system.value)
    )
    return [
        NationCode(
            system=system,
            code=row.code,
            nation=row.nation,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
        for row in rows
    ]


def list_organisations(connection: Connection) -> list[tuple[Organisation, int]]:
    """Organisations with their number of current members (no departure year)."""
    members = tables.memberships
    current = (
        select(members.c.organisation, func.count(func.distinct(members.c.nation)).label("n"))
        .where(members.c.left_year.is_(None))
        .group_by(members.c.organisation)
        .subquery()
    )
    rows = connection.execute(
        select(tables.organisations, func.coalesce(current.c.n, 0).label("members"))
        .outerjoin(current, current.c.organisation == tables.organisations.c.code)
        .order_by(tables.organisations.c.code)
    )
    return [
        (Organisation(code=r.code, name=r.name, kind=r.kind, parent=r.parent), r.members)
        for r in rows
    ]


def get_organisation(connection: Connection, code: str) -> Organisation:
    """The organisation with this code.

    Raises:
        NotFoundError: When there is none.
    """
    row = connection.execute(
        select(tables.organisations).where(tables.organisations.c.code == code.upper())
    ).first()
    if row is None:
        known = ", ".join(o.code for o, _ in list_organisations(connection))
        raise NotFoundError(f"No organisation with the code {code!r}.", hint=f"Known: {known}.")
    return Organisation(code=row.code, name=row.name, kind=row.kind, parent=row.parent)


def list_memberships(
    connection: Connection,
    *,
    organisation: str | None = None,
    nation: str | None = None,
    year: int | None = None,
) -> list[Membership]:
    """Membership spells, filtered by organisation, nation and the year they cover."""
    members = tables.memberships
    query = select(members).order_by(
        members.c.organisation, members.c.joined_year, members.c.nation
    )
    if organisation:
        query = query.where(members.c.organisation == organisation.upper())
    if nation:
        query = query.where(members.c.nation == nation.upper())
    if year is not None:
        query = query.where(
            members.c.joined_year <= year,
            or_(members.c.left_year.is_(None), members.c.left_year >= year),
        )
    return [
        Membership(
            organisation=row.organisation,
            nation=row.nation,
            joined=row.joined_year,
            left=row.left_year,
            note=row.note,
        )
        for row in connection.execute(query)
    ]
