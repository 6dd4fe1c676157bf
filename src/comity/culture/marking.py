"""The marking a printed briefing carries on every page: releasability, reader, date, data.

A briefing is made for one viewer from the records that viewer may see, so once printed it may
go only where every record in it may go. Its marking is the most restrictive releasability of
the records it lists (engagements, notes, assessed engagements and their assessments, plans):

- every record ``PUBLIC`` -> ``PUBLIC``;
- otherwise the nations and organisations every labelled record names (``REL NATO`` and
  ``REL NATO,USA`` -> ``REL NATO``);
- when the labels name no target in common (``REL NATO`` and ``REL USA``), the viewer's own
  nation, which may see them all (``REL USA``); a viewer without a nation (the store's local
  operator) gets every label listed, each applying to its own records.

Counts and the tie index are aggregates over what the viewer may see; the marking covers the
records listed. The header and footer also name the viewer's nation, the day the briefing was
produced and the store's data version (a digest that changes whenever a record changes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from comity.access.viewer import Viewer
from comity.culture.briefing import Briefing
from comity.model import clock
from comity.model.releasability import PUBLIC, Releasability
from comity.nations import default_resolver
from comity.store import Store
from comity.store.analytic_inputs import data_version

__all__ = ["PrintMarking", "create_print_marking", "most_restrictive", "read_data_version"]


@dataclass(frozen=True)
class PrintMarking:
    """What the header and footer of a printed briefing say.

    Attributes:
        marking: The releasability the whole briefing carries (``PUBLIC``, ``REL USA``...).
        labels: Each distinct label of the records listed, with how many records carry it.
        viewer_nation: The viewer's nation in words, e.g. ``United States (USA)``; None when
            the viewer has none.
        produced: The day the briefing was produced.
        data_version: The store's data version.
    """

    marking: str
    labels: tuple[tuple[str, int], ...]
    viewer_nation: str | None
    produced: date
    data_version: str

    @property
    def header(self) -> str:
        """The line at the top of each page."""
        return self.marking

    @property
    def footer(self) -> str:
        """The line at the foot of each page."""
        reader = self.viewer_nation or "no nation (local operator)"
        return (
            f"{self.marking} · Produced {self.produced.isoformat()} for a viewer of {reader} · "
            f"Data version {self.data_version}"
        )

    def describe_labels(self) -> str:
        """The labels of the records listed, e.g. ``Records listed: 3 PUBLIC, 1 REL USA.``."""
        listed = ", ".join(f"{count} {label}" for label, count in self.labels)
        return f"Records listed: {listed}." if listed else "No record listed."

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "marking": self.marking,
            "labels": [{"label": label, "records": count} for label, count in self.labels],
            "viewer_nation": self.viewer_nation,
            "produced": self.produced.isoformat(),
            "data_version": self.data_version,
            "header": self.header,
            "footer": self.footer,
        }


def _labels(briefing: Briefing) -> list[Releasability]:
    i = briefing.inputs
    found = [e.releasability for _, e in i.engagements]
    found += [n.note.releasability for n in i.notes]
    for assessment, _, engagement in i.assessments:
        if briefing.nation.iso3 in engagement.nations:
            found += [assessment.releasability, engagement.releasability]
    found += [p.plan.releasability for p in i.open_plans]
    return found


def most_restrictive(labels: Iterable[Releasability], viewer_nation: str | None) -> str:
    """The marking of a document holding records with these labels (see the module's rules)."""
    restricted = {label for label in labels if not label.is_public}
    if not restricted:
        return str(PUBLIC)
    common = frozenset.intersection(*(label.targets for label in restricted))
    if common:
        return str(Releasability(targets=common))
    if viewer_nation:
        return str(Releasability(targets=frozenset({viewer_nation})))
    return " + ".join(sorted(str(label) for label in restricted))


def create_print_marking(
    briefing: Briefing, viewer: Viewer, version: str, *, produced: date | None = None
) -> PrintMarking:
    """The header and footer of a briefing produced for ``viewer``.

    Args:
        briefing: The briefing.
        viewer: Whom it was produced for.
        version: The store's data version (:func:`read_data_version`).
        produced: The day it was produced (default: today).
    """
    labels = _labels(briefing)
    counted = Counter(str(label) for label in labels)
    nation = None
    if viewer.nation:
        found = default_resolver().get(viewer.nation)
        nation = f"{found.name} ({viewer.nation})" if found else viewer.nation
    return PrintMarking(
        marking=most_restrictive(labels, viewer.nation),
        labels=tuple(sorted(counted.items())),
        viewer_nation=nation,
        produced=produced or clock.today(),
        data_version=version,
    )


def read_data_version(store: Store) -> str:
    """The store's data version: a digest that changes whenever a record changes."""
    with store.connect() as connection:
        return data_version(connection)
