"""Imports flow one way (STYLE.md section 1), and only the store touches the database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "comity"

# Lower numbers may be imported by higher ones, never the reverse.
LAYERS = {
    "errors": 0,
    "config": 0,
    "lazy": 0,
    "collector": 0,
    "model": 0,
    "access": 1,
    "nations": 1,
    "store": 2,
    "linkage": 2,
    "extract": 3,
    "ingest": 3,
    "analytics": 3,
    "culture": 3,
    "planning": 3,
    "export": 3,
    "services": 4,
    "api": 5,
    "web": 5,
    "cli": 5,
    "__init__": 6,
    "server": 6,
    "__main__": 6,
}
DATABASE_LIBRARIES = {"sqlalchemy", "alembic", "psycopg", "sqlite3", "adbc_driver_sqlite"}


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _part(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "comity":
                # `from comity import services` imports the submodule.
                found.update(f"comity.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_one_way(path: Path) -> None:
    part = _part(path)
    assert part in LAYERS, f"{part} has no layer: add it to LAYERS"
    for name in _imports(path):
        if not name.startswith("comity.") and name != "comity":
            continue
        target = name.split(".")[1] if "." in name else "__init__"
        if target == part:
            continue
        if part not in ("__main__", "server"):  # the two roots that put the interfaces together
            assert target not in {"api", "web", "cli"}, f"{path.name} imports {name}"
        assert LAYERS[target] <= LAYERS[part], f"{path.name} ({part}) imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_the_store_imports_database_libraries(path: Path) -> None:
    if _part(path) == "store":
        return
    for name in _imports(path):
        assert name.split(".")[0] not in DATABASE_LIBRARIES, f"{path} imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_stay_under_five_hundred_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500
