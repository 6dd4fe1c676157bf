"""Arrow scalars from bytes, and the command line's index reads that never import pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from comity.analytics.arrow_values import scalar


@pytest.mark.parametrize(
    ("value", "arrow_type"),
    [
        (2010, pa.int16()),
        (-7, pa.int32()),
        (2**40, pa.int64()),
        (0.25, pa.float64()),
        ("USA", pa.string()),
        ("Côte d'Ivoire", pa.large_string()),
        ("", pa.string()),
    ],
)
def test_a_scalar_holds_its_value_and_type(value: object, arrow_type: pa.DataType) -> None:
    made = scalar(value, arrow_type)  # type: ignore[arg-type]
    assert made.type == arrow_type
    assert made.as_py() == value
    assert made == pa.scalar(value, arrow_type)


def test_another_type_is_refused() -> None:
    with pytest.raises(TypeError, match="no scalar of bool"):
        scalar(1, pa.bool_())


_CHILD = """
import sys
import pyarrow.ipc as ipc
from comity.services.index_tables import observed_shares
from comity.services.ties import nation_rows

table = ipc.open_file(sys.argv[1]).read_all()
shares = observed_shares(table)
rows = nation_rows(table, "USA", 2010)
print(sorted(shares.items()), [r["iso3_2"] for r in rows], "pandas" in sys.modules)
"""


def test_the_index_of_a_year_is_read_without_importing_pandas(tmp_path: Path) -> None:
    # What `comity ties` does with a cached index: pandas costs 0.2 s and is not needed.
    table = pa.table(
        {
            "year": pa.array([2010, 2010, 2010, 2011], pa.int32()),
            "iso3_1": ["GBR", "JPN", "FRA", "GBR"],
            "iso3_2": ["USA", "USA", "GBR", "USA"],
            "index": [80.0, 20.0, 50.0, 0.0],
            "projected_share": [0.0, 0.5, None, 0.0],
        }
    )
    path = tmp_path / "index.arrow"
    with ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True
    )
    # 2010: (80 * 1 + 20 * 0.5) / (80 + 20); FRA-GBR has no projected share and 2011 no index.
    assert child.stdout.strip() == "[(2010, 0.9)] ['USA', 'USA'] False"
