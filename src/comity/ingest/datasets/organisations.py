"""Organisation memberships (NATO, SCO, CSTO, ASEAN, ANZUS, Five Eyes, EU) and their treaty ties.

``comity init`` seeds the organisations and memberships already; importing the dataset refreshes
them from the bundled (or a corrected) ``memberships.csv``, records its coverage, and adds the
alliance ties the organisations' treaties imply between co-members (:mod:`comity.ingest.
treaty_ties`, from ``treaty_ties.tsv`` and ``treaty_exceptions.tsv``). Each membership row is one
spell: organisation code and name, the member's ISO alpha-3 code, the year it joined and, if it
left, the year it left. A member that left and rejoined has two rows (Uzbekistan in the CSTO).
The kind of each organisation comes from ``organisations.tsv`` beside it.

Files are told apart by name: ``treaty_ties.tsv`` and ``treaty_exceptions.tsv`` are the treaty
tables, any other file holds memberships; a table not given is read from the bundled data, so a
corrected ``memberships.csv`` alone keeps the bundled treaties. The data run to 2025: a tie in
force then with both nations still members has no end.

Coverage: membership spells (no engagement kind), and alliances among the co-members of each
organisation with a treaty row, from its treaty's year to 2025.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from comity.errors import ValidationError
from comity.ingest.base import Batch, DatasetInfo, ImportContext, Importer, read_delimited
from comity.ingest.datasets.treaty_ties import (
    Member,
    build_treaty_ties,
    members_by_organisation,
    read_treaty_exceptions,
    read_treaty_ties,
    treaty_coverage,
)
from comity.model.measures import CoverageSpan
from comity.model.nations import Membership, Organisation
from comity.model.validation import validate_record

__all__ = ["IMPORTER", "LAST_YEAR", "Organisations"]

LAST_YEAR = 2025
"""The last year the memberships describe: a membership with no end holds through it."""

_COLUMNS = ("org", "org_name", "iso3", "joined", "left", "note")
_MEMBERSHIPS = "memberships.csv"
_TIES = "treaty_ties.tsv"
_EXCEPTIONS = "treaty_exceptions.tsv"


def _bundled(name: str) -> Path:
    return Path(str(resources.files("comity").joinpath("data/organisations", name)))


def _kinds() -> dict[str, dict[str, str]]:
    text = _bundled("organisations.tsv").read_text(encoding="utf-8")
    return {row["code"]: row for row in csv.DictReader(text.splitlines(), delimiter="\t")}


class Organisations(Importer):
    """Importer of the organisation memberships and the treaty ties they imply."""

    info = DatasetInfo(
        name="organisations",
        title="Memberships of NATO, SCO, CSTO, ASEAN, ANZUS, Five Eyes and the EU",
        files=(_MEMBERSHIPS, _TIES, _EXCEPTIONS),
        citation="Compiled for comity from the organisations' public membership records and "
        "their treaties (treaty_ties.tsv cites each).",
        licence="public facts",
        version=str(LAST_YEAR),
        becomes="organisations, their memberships over time, and the alliance ties their "
        "treaties imply between co-members",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the membership spells, then build the treaty ties of co-members."""
        named = {path.name: path for path in paths}
        membership_files = [p for p in paths if p.name not in (_TIES, _EXCEPTIONS)]
        batch = Batch(organisations=[], memberships=[])
        members: list[Member] = []
        organisations: dict[str, Organisation] = {}
        for path in membership_files or [_bundled(_MEMBERSHIPS)]:
            members += self._memberships(path, context, batch, organisations)
        batch.organisations = list(organisations.values())
        batch.memberships = [member.membership for member in members]
        if members:
            batch.coverage.append(
                CoverageSpan(
                    self.info.name,
                    min(member.membership.joined for member in members),
                    LAST_YEAR,
                    note="membership spells by year",
                )
            )
        ties_path = named.get(_TIES, _bundled(_TIES))
        known = [*_kinds(), *organisations]
        ties = read_treaty_ties(ties_path, context, known, LAST_YEAR)
        grouped = members_by_organisation(members)
        exceptions = read_treaty_exceptions(
            named.get(_EXCEPTIONS, _bundled(_EXCEPTIONS)),
            context,
            ties,
            grouped,
            organisations=known,
            last=LAST_YEAR,
        )
        if context.issue_count:
            return batch  # the ties would rest on rows that were refused
        files = ((membership_files or [_bundled(_MEMBERSHIPS)])[0].name, ties_path.name)
        batch.engagements.extend(
            build_treaty_ties(ties, exceptions, grouped, context, files=files, last=LAST_YEAR)
        )
        tied = [tie for code, tie in ties.items() if code in grouped]
        batch.coverage += treaty_coverage(self.info.name, tied, LAST_YEAR)
        return batch

    def _memberships(
        self,
        path: Path,
        context: ImportContext,
        batch: Batch,
        organisations: dict[str, Organisation],
    ) -> list[Member]:
        """The membership spells of one file; organisations are collected as they appear."""
        kinds = _kinds()
        found: list[Member] = []
        for line, row in read_delimited(path, context, required=_COLUMNS):
            batch.rows_read += 1
            context.advance()
            code = row["org"].strip()
            nation = context.resolve(row["iso3"], file=path.name, row=line, column="iso3")
            try:
                membership = validate_record(
                    Membership,
                    {
                        "organisation": code,
                        "nation": nation or "XXX",
                        "joined": row["joined"],
                        "left": row["left"] or None,
                        "note": row["note"] or None,
                    },
                    "membership",
                )
                if code not in organisations:
                    extra = kinds.get(code, {})
                    organisations[code] = validate_record(
                        Organisation,
                        {
                            "code": code,
                            "name": row["org_name"],
                            "kind": extra.get("kind") or None,
                            "parent": extra.get("parent") or None,
                        },
                        "organisation",
                    )
            except ValidationError as error:
                for problem in error.problems:
                    context.issue(
                        path.name, line, problem.reason, column=problem.field, value=problem.value
                    )
                continue
            if nation is not None:
                found.append(Member(membership, line))
        return found


IMPORTER = Organisations()
