"""``--settings FILE`` and ``--set KEY=VALUE``: the index's settings changed for one command.

Every command that reports the index takes both; they are read by
:func:`comity.analytics.settings.parse_overrides`, the same reader as the API's ``set``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["Assignments", "SettingsFile", "read_overrides"]

SettingsFile = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        metavar="FILE",
        help="A TOML file of index settings to change for this command, shaped like "
        "tie_index.toml (docs/methodology.md).",
    ),
]
Assignments = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Change one index setting for this command, e.g. --set weights.exercise=2 "
        "--set beyond_coverage=hold (repeatable; wins over --settings).",
    ),
]


def read_overrides(file: Path | None, assignments: list[str] | None) -> dict[str, Any]:
    """The overrides given with ``--settings`` and ``--set`` (empty when neither is).

    Raises:
        ValidationError: Naming the file or the key that is wrong.
    """
    from comity.analytics.settings import parse_overrides

    return parse_overrides(assignments or (), file=file)
