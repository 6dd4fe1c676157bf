"""The alliance ties a treaty organisation's membership implies, between every two co-members.

Two reviewable tables beside the memberships say which treaty binds the members of which
organisation, and where a tie ends before a membership does:

- ``treaty_ties.tsv`` (org, pledge, from_year, treaty, article, citation): one row per
  organisation whose founding or governing treaty commits its members to each other. NATO
  (North Atlantic Treaty, Article 5), the CSTO (Collective Security Treaty, Article 4), ANZUS
  (Article IV) and the EU (Treaty on European Union, Article 42(7), from 2009) carry ``defence``;
  ASEAN (Treaty of Amity and Cooperation, 1976) and the SCO (2007 treaty) ``non_aggression``. An
  organisation without a row (Five Eyes: intelligence, not defence) implies no tie.
- ``treaty_exceptions.tsv`` (org, nation, partner, last_year, reason, citation): the last year of
  a member's ties in one organisation, with every co-member (``partner`` empty) or with one.
  Armenia froze its CSTO participation in 2024 (its CSTO ties end in 2023); the United States
  suspended its ANZUS obligations to New Zealand in 1986 (USA-NZL ends in 1985).

The rules, in the order they apply:

1. A pair of co-members is tied in a year when both are members that year (a membership counts
   in the years it begins and ends), the year is the treaty's ``from_year`` or later, neither
   exception has ended the tie, and both nations are states that year by the registry (a nation
   takes part only while it exists: Germany joins NATO in 1955, as the Federal Republic).
2. Maximal runs of consecutive tied years become one spell: a member that left and rejoined
   (Uzbekistan in the CSTO, 1992-1999 and 2006-2012) gives two spells.
3. A spell starts in its first year and ends in its last, known to the year. A spell that reaches
   the data's last year with both nations still members has no end: in force, right-censored.
4. Each spell is one ``alliance`` engagement: the two nations as participants (no host), the
   treaty's pledge in ``details.pledges`` and its article in ``details.treaty``, a title such as
   "North Atlantic Treaty, Article 5: Finland and United States", the treaty's citation as its
   source, the external id ``organisations:{ORG}:{NATION1}-{NATION2}:{start}`` and the lines of
   the two memberships and the treaty as provenance row.

A pair tied by ATOP or CoW too keeps both records: the index weighs a pair-year's alliances by the
strongest pledge in force over all of them, so a treaty is never counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from comity.ingest.base import ImportContext, read_delimited
from comity.model.details import AlliancePledge
from comity.model.engagements import Engagement, EngagementKind
from comity.model.measures import CoverageSpan
from comity.model.nations import Membership
from comity.model.numbers import is_whole

__all__ = [
    "EXCEPTION_COLUMNS",
    "TIE_COLUMNS",
    "Member",
    "TreatyException",
    "TreatyTie",
    "build_treaty_ties",
    "members_by_organisation",
    "read_treaty_exceptions",
    "read_treaty_ties",
    "treaty_coverage",
]

TIE_COLUMNS = ("org", "pledge", "from_year", "treaty", "article", "citation")
EXCEPTION_COLUMNS = ("org", "nation", "partner", "last_year", "reason", "citation")
_PLEDGE_VALUES = frozenset(pledge.value for pledge in AlliancePledge)
_PLEDGES = ", ".join(pledge.value for pledge in AlliancePledge)


@dataclass(frozen=True)
class TreatyTie:
    """The tie an organisation's treaty implies between every two of its members.

    Attributes:
        organisation: The organisation's code.
        pledge: The pledge the treaty implies.
        from_year: The first year of the tie (the treaty's, or the clause's, year).
        treaty: The treaty's short name, as titles show it.
        article: The article that carries the pledge.
        citation: The treaty's full citation.
        line: Its line in ``treaty_ties.tsv``.
    """

    organisation: str
    pledge: AlliancePledge
    from_year: int
    treaty: str
    article: str
    citation: str
    line: int


@dataclass(frozen=True)
class TreatyException:
    """The last year of a member's treaty ties in one organisation.

    Attributes:
        organisation: The organisation's code.
        nation: The member whose ties end.
        partner: The one co-member they end with; None for every co-member.
        last_year: The last year of the ties.
        reason: Why, in a few words.
        line: Its line in ``treaty_exceptions.tsv``.
    """

    organisation: str
    nation: str
    partner: str | None
    last_year: int
    reason: str
    line: int

    def applies_to(self, organisation: str, pair: tuple[str, str]) -> bool:
        """True when the exception ends the tie of ``pair`` in ``organisation``."""
        if organisation != self.organisation or self.nation not in pair:
            return False
        return self.partner is None or self.partner in pair


@dataclass(frozen=True)
class Member:
    """A membership spell with the line of the file it was read from."""

    membership: Membership
    line: int


def _year(
    row: dict[str, str], column: str, file: str, line: int, last: int, context: ImportContext
) -> int | None:
    text = row[column].strip()
    if not is_whole(text) or not 1800 <= int(text) <= last:
        context.issue(file, line, f"is not a year from 1800 to {last}", column=column, value=text)
        return None
    return int(text)


def _required(
    row: dict[str, str], columns: Iterable[str], file: str, line: int, context: ImportContext
) -> bool:
    empty = [column for column in columns if not row[column].strip()]
    for column in empty:
        context.issue(file, line, "is empty", column=column)
    return not empty


def read_treaty_ties(
    path: Path, context: ImportContext, organisations: Iterable[str], last: int
) -> dict[str, TreatyTie]:
    """Read ``treaty_ties.tsv``: one tie per organisation, each naming a known one.

    An organisation no membership of the import names (a corrected memberships file of NATO
    alone) simply has no co-members to tie.

    Args:
        path: The file.
        context: Where problems go.
        organisations: The codes of the organisations comity knows (``organisations.tsv`` and
            the memberships read).
        last: The data's last year.

    Returns:
        The ties by organisation code, in file order.
    """
    ties: dict[str, TreatyTie] = {}
    name = path.name
    known = list(dict.fromkeys(organisations))
    for line, row in read_delimited(path, context, required=TIE_COLUMNS, delimiter="\t"):
        code = row["org"].strip()
        if code not in known:
            reason = f"is not an organisation comity knows ({', '.join(known)})"
            context.issue(name, line, reason, column="org", value=code)
            continue
        if code in ties:
            context.issue(
                name,
                line,
                f"repeats the organisation of line {ties[code].line}",
                column="org",
                value=code,
            )
            continue
        text = row["pledge"].strip()
        pledge = AlliancePledge(text) if text in _PLEDGE_VALUES else None
        if pledge is None:
            context.issue(name, line, f"is not a pledge ({_PLEDGES})", column="pledge", value=text)
        year = _year(row, "from_year", name, line, last, context)
        filled = _required(row, ("treaty", "article", "citation"), name, line, context)
        if pledge is None or year is None or not filled:
            continue
        ties[code] = TreatyTie(
            code,
            pledge,
            year,
            row["treaty"].strip(),
            row["article"].strip(),
            row["citation"].strip(),
            line,
        )
    return ties


def read_treaty_exceptions(
    path: Path,
    context: ImportContext,
    ties: Mapping[str, TreatyTie],
    members: Mapping[str, Mapping[str, Sequence[Member]]],
    *,
    organisations: Iterable[str],
    last: int,
) -> list[TreatyException]:
    """Read ``treaty_exceptions.tsv``: each names a known organisation and members of it.

    A row of an organisation with no tie in ``treaty_ties.tsv``, or that no membership of the
    import names, does not apply and is skipped.

    Args:
        path: The file.
        context: Where problems go.
        ties: The ties read from ``treaty_ties.tsv``.
        members: The membership spells of each organisation, by nation.
        organisations: The codes of the organisations comity knows.
        last: The data's last year.
    """
    found: list[TreatyException] = []
    name = path.name
    known = list(dict.fromkeys(organisations))
    for line, row in read_delimited(path, context, required=EXCEPTION_COLUMNS, delimiter="\t"):
        code = row["org"].strip()
        if code not in known:
            reason = f"is not an organisation comity knows ({', '.join(known)})"
            context.issue(name, line, reason, column="org", value=code)
            continue
        if code not in ties or code not in members:
            continue
        keys: list[str | None] = []
        for column in ("nation", "partner"):
            text = row[column].strip()
            if not text and column == "partner":
                keys.append(None)
                continue
            key = context.resolve(text, file=name, row=line, column=column)
            if key is not None and key not in members[code]:
                context.issue(name, line, f"is not a member of {code}", column=column, value=text)
                key = None
            keys.append(key)
        year = _year(row, "last_year", name, line, last, context)
        filled = _required(row, ("reason", "citation"), name, line, context)
        nation, partner = keys
        if nation is None or (partner is None and row["partner"].strip()) or year is None:
            continue
        if filled:
            found.append(TreatyException(code, nation, partner, year, row["reason"].strip(), line))
    return found


def treaty_coverage(dataset: str, ties: Iterable[TreatyTie], last: int) -> list[CoverageSpan]:
    """What the ties cover: alliances among each organisation's co-members, its years to ``last``.

    The index reads such a span only to know through which year the dataset's own treaty ties
    are observed; it says nothing of pairs outside the organisation.
    """
    spans = []
    for tie in ties:
        pledge = tie.pledge.value.replace("_", "-")
        spans.append(
            CoverageSpan(
                dataset=dataset,
                first_year=tie.from_year,
                last_year=last,
                note=f"{tie.treaty}, {tie.article}: {pledge} ties of co-members",
                kind=EngagementKind.ALLIANCE.value,
                organisation=tie.organisation,
            )
        )
    return spans


@dataclass(frozen=True)
class _Spell:
    first: int
    last: int


def _runs(years: Iterable[int]) -> list[_Spell]:
    spells: list[_Spell] = []
    for year in sorted(years):
        if spells and year == spells[-1].last + 1:
            spells[-1] = _Spell(spells[-1].first, year)
        else:
            spells.append(_Spell(year, year))
    return spells


def build_treaty_ties(
    ties: Mapping[str, TreatyTie],
    exceptions: Sequence[TreatyException],
    members: Mapping[str, Mapping[str, Sequence[Member]]],
    context: ImportContext,
    *,
    files: tuple[str, str],
    last: int,
) -> list[Engagement]:
    """One alliance engagement per spell of co-membership of each tied organisation.

    Args:
        ties: The ties by organisation code.
        exceptions: Where ties end before a membership does.
        members: The membership spells of each organisation, by nation.
        context: Where nations are looked up and records validated.
        files: The names of the memberships file and the treaty file, for provenance.
        last: The data's last year: a spell reaching it with both still members has no end.

    Returns:
        The engagements, by organisation (file order), pair and start year.
    """
    engagements: list[Engagement] = []
    for code, tie in ties.items():
        nations = members.get(code, {})
        for pair in combinations(sorted(nations), 2):
            cuts = [e for e in exceptions if e.applies_to(code, pair)]
            cut = min(cuts, key=lambda e: e.last_year) if cuts else None
            until = last if cut is None else min(last, cut.last_year)
            years = [y for y in range(tie.from_year, until + 1) if _tied(pair, y, nations, context)]
            after = [y for y in range(until + 1, last + 1) if _tied(pair, y, nations, context)]
            if cut is not None and after:
                context.exclude(f"treaty pair-year after its end: {cut.reason}", len(after))
            for spell in _runs(years):
                ended_by = cut if cut is not None and spell.last == cut.last_year else None
                engagement = _engagement(
                    tie, pair, spell, nations, context, ended_by, files=files, last=last
                )
                if engagement is not None:
                    engagements.append(engagement)
    return engagements


def _tied(
    pair: tuple[str, str],
    year: int,
    nations: Mapping[str, Sequence[Member]],
    context: ImportContext,
) -> bool:
    """Both members that year and both states that year (rule 1)."""
    for key in pair:
        if not any(m.membership.active_in(year) for m in nations[key]):
            return False
        nation = context.nations.get(key)
        if nation is not None and not nation.exists_in(year):
            return False
    return True


def _engagement(
    tie: TreatyTie,
    pair: tuple[str, str],
    spell: _Spell,
    nations: Mapping[str, Sequence[Member]],
    context: ImportContext,
    ended_by: TreatyException | None,
    *,
    files: tuple[str, str],
    last: int,
) -> Engagement | None:
    code = tie.organisation
    starting = [
        next(m for m in nations[key] if m.membership.active_in(spell.first)) for key in pair
    ]
    still = spell.last == last and all(
        any(m.membership.left is None for m in nations[key]) for key in pair
    )
    names = [_name(key, context) for key in pair]
    lines = ", ".join(str(m.line) for m in starting)
    description = f"Implied by the membership of both in {code}."
    if ended_by is not None:
        description += f" Ends in {ended_by.last_year}: {ended_by.reason}."
    return context.engagement(
        {
            "kind": EngagementKind.ALLIANCE.value,
            "title": f"{tie.treaty}, {tie.article}: {names[0]} and {names[1]}",
            "start": f"{spell.first:04d}",
            "end": None if still else f"{spell.last:04d}",
            "participants": [{"nation": pair[0]}, {"nation": pair[1]}],
            "description": description,
            "details": {"pledges": [tie.pledge.value], "treaty": f"{tie.treaty}, {tie.article}"},
            "sources": [{"document": tie.citation}],
            "external_id": f"organisations:{code}:{pair[0]}-{pair[1]}:{spell.first}",
            "provenance": {
                "dataset": "organisations",
                "version": context.version,
                "row": f"{files[0]} {lines}; {files[1]} {tie.line}",
            },
        },
        file=files[1],
        row=tie.line,
    )


def members_by_organisation(members: Iterable[Member]) -> dict[str, dict[str, list[Member]]]:
    """The membership spells of each organisation, by nation."""
    grouped: dict[str, dict[str, list[Member]]] = defaultdict(lambda: defaultdict(list))
    for member in members:
        grouped[member.membership.organisation][member.membership.nation].append(member)
    return {code: dict(by_nation) for code, by_nation in grouped.items()}


def _name(key: str, context: ImportContext) -> str:
    nation = context.nations.get(key)
    return nation.name if nation is not None else key
