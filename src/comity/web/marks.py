"""A passage cut into segments, each marked with the proposed fields whose evidence covers it.

The drafts inbox shows a passage beside the record proposed from it, with the span each value
came from highlighted. Spans may overlap (a participant named inside the exercise's title), so
the passage is cut at every span's ends and each segment carries every field covering it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Mark", "Segment", "segments"]


@dataclass(frozen=True)
class Mark:
    """Evidence of one field: ``text[start:end]`` supports ``label`` (e.g. "kind: exercise")."""

    start: int
    end: int
    field: str
    label: str


@dataclass(frozen=True)
class Segment:
    """A run of the passage and the marks covering every character of it (none: plain text)."""

    text: str
    marks: tuple[Mark, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields marked here, each once, in the order of the marks."""
        return tuple(dict.fromkeys(m.field for m in self.marks))

    @property
    def title(self) -> str:
        """What the marks say, for a tooltip and for screen readers."""
        return "; ".join(m.label for m in self.marks)


def segments(text: str, marks: Iterable[Mark]) -> list[Segment]:
    """Cut ``text`` at the ends of every mark; spans outside the text are clipped or dropped.

    Example:
        >>> found = segments("US and Thai forces", [Mark(0, 2, "nations", "USA")])
        >>> [(s.text, s.fields) for s in found]
        [('US', ('nations',)), (' and Thai forces', ())]
    """
    kept = [
        Mark(max(0, m.start), min(len(text), m.end), m.field, m.label)
        for m in marks
        if m.end > m.start and m.start < len(text) and m.end > 0
    ]
    cuts = sorted({0, len(text), *(m.start for m in kept), *(m.end for m in kept)})
    found: list[Segment] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = tuple(m for m in kept if m.start <= left and right <= m.end)
        if found and not covering and not found[-1].marks:
            found[-1] = Segment(found[-1].text + text[left:right])
        else:
            found.append(Segment(text[left:right], covering))
    return found
