"""Organisation memberships: NATO, SCO, CSTO, ASEAN, ANZUS, Five Eyes and the EU.

``comity init`` seeds them already; importing the dataset again refreshes them from the bundled
(or a corrected) ``memberships.csv`` and records its coverage. Each row is one membership spell:
organisation code and name, the member's ISO alpha-3 code, the year it joined and, if it left,
the year it left. A member that left and rejoined has two rows (Uzbekistan in the CSTO).
The kind of each organisation comes from ``organisations.tsv`` beside it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from comity.errors import ValidationError
from comity.ingest.base import Batch, DatasetInfo, ImportContext, read_delimited
from comity.model.measures import CoverageSpan
from comity.model.nations import Membership, Organisation
from comity.model.validation import validate_record

__all__ = ["IMPORTER", "Organisations"]

_COLUMNS = ("org", "org_name", "iso3", "joined", "left", "note")


def _kinds() -> dict[str, dict[str, str]]:
    text = (
        resources.files("comity")
        .joinpath("data/organisations/organisations.tsv")
        .read_text(encoding="utf-8")
    )
    return {row["code"]: row for row in csv.DictReader(text.splitlines(), delimiter="\t")}


class Organisations:
    """Importer of the organisation memberships."""

    info = DatasetInfo(
        name="organisations",
        title="Memberships of NATO, SCO, CSTO, ASEAN, ANZUS, Five Eyes and the EU",
        files=("memberships.csv",),
        citation="Compiled for comity from the organisations' public membership records.",
        licence="public facts",
        version="2025",
        becomes="organisations and their memberships over time",
    )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read the membership spells."""
        batch = Batch(organisations=[], memberships=[])
        kinds = _kinds()
        organisations: dict[str, Organisation] = {}
        years: list[int] = []
        for path in paths:
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
                            {"code": code, "name": row["org_name"],
                             "kind": extra.get("kind") or None,
                             "parent": extra.get("parent") or None},
                            "organisation",
                        )  # fmt: skip
                except ValidationError as error:
                    for problem in error.problems:
                        context.issue(path.name, line, problem.reason, column=problem.field,
                                      value=problem.value)  # fmt: skip
                    continue
                if nation is None:
                    continue
                batch.memberships.append(membership)  # type: ignore[union-attr]
                years.append(membership.joined)
        batch.organisations = list(organisations.values())
        if years:
            batch.coverage.append(
                CoverageSpan(self.info.name, min(years), 2025, note="membership spells by year")
            )
        return batch


IMPORTER = Organisations()
