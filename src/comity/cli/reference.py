"""Generate docs/cli.md from the commands themselves, and check it is current.

Usage: ``python -m comity.cli.reference --write docs/cli.md`` or ``--check docs/cli.md``
(``make docs`` and ``make lint``).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

__all__ = ["iter_commands", "render_reference"]


def iter_commands(
    command: Any = None, path: tuple[str, ...] = ("comity",)
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group, depth first, with its full path (``comity engagements add``)."""
    if command is None:
        from comity.cli import app

        command = typer.main.get_command(app)
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from iter_commands(sub, (*path, name))


def _option_row(param: Any) -> str:
    if param.param_type_name == "argument":
        names = f"`{(param.metavar or param.name).upper()}`"
    else:
        names = ", ".join(f"`{n}`" for n in (*param.opts, *param.secondary_opts))
    help_text = " ".join((param.help or "").split()).replace("|", "\\|")
    if param.required:
        help_text += " (required)"
    default = param.default
    if not getattr(param, "is_flag", False) and default not in (None, False, (), []):
        help_text += f" (default: `{default}`)"
    if getattr(param, "envvar", None):
        help_text += f" (environment: `{param.envvar}`)"
    return f"| {names} | {help_text} |"


def render_reference() -> str:
    """The CLI reference as Markdown."""
    lines = [
        "# CLI reference",
        "",
        "Generated from the commands by `make docs`; `make lint` fails when it is out of date.",
        "",
    ]
    for path, command in iter_commands():
        heading = "#" * min(len(path) + 1, 4)
        lines += [f"{heading} `{' '.join(path)}`", ""]
        doc = inspect.cleandoc(command.help or "")
        if doc:
            lines += [doc, ""]
        params = [p for p in command.params if p.name not in {"help"}]
        if params:
            lines += ["| option | what it does |", "|---|---|"]
            lines += [_option_row(p) for p in params]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Write or check the reference file."""
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the reference to this file")
    group.add_argument("--check", type=Path, help="fail if this file is not current")
    args = parser.parse_args()
    text = render_reference()
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        return
    current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
    if current != text:
        sys.exit(f"{args.check} is out of date: run `make docs` and commit it.")


if __name__ == "__main__":
    main()
