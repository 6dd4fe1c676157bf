"""The bundled organisations and their memberships over time (NATO, SCO, CSTO, ASEAN, ...)."""

from __future__ import annotations

import csv
from importlib import resources

from comity.model.nations import Membership, Organisation

__all__ = ["load_organisations"]


def load_organisations() -> tuple[list[Organisation], list[Membership]]:
    """Read ``data/organisations``: the organisations and every membership spell.

    Returns:
        The organisations (with their kind and parent) and the memberships, as validated models.
    """
    folder = resources.files("comity").joinpath("data/organisations")
    kinds = {
        row["code"]: row
        for row in csv.DictReader(
            folder.joinpath("organisations.tsv").read_text(encoding="utf-8").splitlines(),
            delimiter="\t",
        )
    }
    organisations: dict[str, Organisation] = {}
    memberships: list[Membership] = []
    text = folder.joinpath("memberships.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        code = row["org"]
        if code not in organisations:
            extra = kinds.get(code, {})
            organisations[code] = Organisation(
                code=code,
                name=row["org_name"],
                kind=extra.get("kind") or None,
                parent=extra.get("parent") or None,
            )
        memberships.append(
            Membership(
                organisation=code,
                nation=row["iso3"],
                joined=int(row["joined"]),
                left=int(row["left"]) if row["left"] else None,
                note=row["note"] or None,
            )
        )
    return list(organisations.values()), memberships
