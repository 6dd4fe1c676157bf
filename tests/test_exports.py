"""Exports on a small store: code order, the directed table, and the settings each file names.

The store holds two exercises hosted by the Philippines (CoW 840) with the United States (CoW
2) in 2015, no personnel: each adds c = w(exercise) * 1 * m(2) = 1 to the pair, so the pair's
stock in 2015 is 2 and its index 100 * (1 - exp(-2 / 20)). Hosted kinds give from the host: the
directed outreach PHL -> USA is that value, USA -> PHL is 0.
"""

from __future__ import annotations

import csv
import io
import math
import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from comity import services
from comity.access import Viewer
from comity.analytics.settings import default_settings
from comity.errors import ValidationError
from comity.services import analytics
from comity.services.exports import (
    NetworkFormat,
    PairOrder,
    TableFormat,
    compute_directed_dyad_years,
    export_directed_dyad_years,
    export_dyad_years,
    export_network,
)
from comity.store import Store

KAPPA = 20.0
D = 2.0 ** (-1.0 / 3.0)


def scale(stock: float) -> float:
    return 100.0 * (1.0 - math.exp(-stock / KAPPA))


@pytest.fixture
def exercises(store: Store, operator: Viewer) -> Store:
    """The store with two 2015 exercises hosted by the Philippines with the United States."""
    for title in ("Balikatan 2015", "Balikatan 2015 (second phase)"):
        services.add_engagement(
            store,
            {
                "kind": "exercise",
                "title": title,
                "start": date(2015, 4, 20),
                "host": "PHL",
                "participants": [{"nation": "PHL", "role": "host"}, {"nation": "USA"}],
            },
            operator,
        )
    return store


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_directed_table_has_codes_after_the_keys_and_the_method_last(
    exercises: Store, operator: Viewer
) -> None:
    table = compute_directed_dyad_years(exercises, operator)
    outreach = analytics.compute_outreach(exercises, operator)
    names = table.column_names
    assert names[:7] == [
        "nation_from",
        "nation_to",
        "ccode_from",
        "ccode_to",
        "gwcode_from",
        "gwcode_to",
        "year",
    ]
    assert names[-2:] == ["method_version", "settings_digest"]
    # Whatever outreach holds is passed through, in its order.
    assert [n for n in names if n in outreach.column_names] == outreach.column_names
    assert table.num_rows == outreach.num_rows


def test_directed_outreach_goes_from_the_host_with_the_codes_of_the_year(
    exercises: Store, operator: Viewer
) -> None:
    rows = {
        (r["nation_from"], r["nation_to"], r["year"]): r
        for r in compute_directed_dyad_years(exercises, operator).to_pylist()
    }
    given = rows[("PHL", "USA", 2015)]
    assert (given["ccode_from"], given["ccode_to"]) == (840, 2)
    assert (given["gwcode_from"], given["gwcode_to"]) == (840, 2)
    assert given["outreach"] == pytest.approx(scale(2.0), rel=1e-12)
    assert given["outreach"] == pytest.approx(9.516258196404, rel=1e-12)
    assert rows[("PHL", "USA", 2016)]["outreach"] == pytest.approx(scale(2.0 * D), rel=1e-12)
    assert rows[("USA", "PHL", 2015)]["outreach"] == 0.0
    assert (given["method_version"], given["settings_digest"]) == (
        default_settings().method_version,
        default_settings().digest(),
    )


def test_directed_table_takes_the_settings_of_the_call(exercises: Store, operator: Viewer) -> None:
    overrides = {"weights": {"exercise": 2.0}}
    rows = compute_directed_dyad_years(exercises, operator, overrides=overrides).to_pylist()
    given = next(r for r in rows if (r["nation_from"], r["year"]) == ("PHL", 2015))
    assert given["outreach"] == pytest.approx(scale(4.0), rel=1e-12)
    digest = default_settings().with_overrides(overrides).digest()
    assert {r["settings_digest"] for r in rows} == {digest}


def test_directed_rows_in_code_order_start_with_the_united_states(
    exercises: Store, operator: Viewer
) -> None:
    rows = compute_directed_dyad_years(exercises, operator, order=PairOrder.CCODE).to_pylist()
    assert (rows[0]["nation_from"], rows[0]["year"]) == ("USA", 2015)
    assert rows[-1]["nation_from"] == "PHL"
    years = [r["year"] for r in rows if r["nation_from"] == "PHL"]
    assert years == sorted(years)


def test_directed_export_writes_csv_and_parquet(
    exercises: Store, operator: Viewer, tmp_path: Path
) -> None:
    written = export_directed_dyad_years(
        exercises, operator, TableFormat.PARQUET, tmp_path / "directed.parquet"
    )
    table = pq.read_table(tmp_path / "directed.parquet")
    assert written == table.num_rows > 0
    export_directed_dyad_years(exercises, operator, TableFormat.CSV, tmp_path / "directed.csv")
    first = _csv(tmp_path / "directed.csv")[0]
    assert (first["nation_from"], first["nation_to"], first["ccode_from"]) == ("PHL", "USA", "840")


def test_dyad_years_in_code_order_put_the_united_states_first(
    exercises: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = tmp_path / "dyads.csv"
    export_dyad_years(exercises, operator, TableFormat.CSV, path, order=PairOrder.CCODE)
    rows = _csv(path)
    first = rows[0]
    assert (first["iso3_1"], first["iso3_2"], first["ccode1"], first["ccode2"]) == (
        "USA",
        "PHL",
        "2",
        "840",
    )
    assert (first["gwcode1"], first["gwcode2"], first["year"]) == ("2", "840", "2015")
    assert float(first["index"]) == pytest.approx(scale(2.0), rel=1e-12)
    export_dyad_years(exercises, operator, TableFormat.CSV, path)
    iso = _csv(path)[0]
    assert (iso["iso3_1"], iso["ccode1"]) == ("PHL", "840")
    assert list(iso) == list(first)


def test_dyad_years_name_the_settings_of_the_call(
    exercises: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = tmp_path / "dyads.csv"
    overrides = {"weights": {"exercise": 2.0}, "half_life": 5}
    export_dyad_years(exercises, operator, TableFormat.CSV, path, overrides=overrides)
    rows = _csv(path)
    assert {r["settings_digest"] for r in rows} == {
        default_settings().with_overrides(overrides).digest()
    }
    assert float(rows[0]["index"]) == pytest.approx(scale(4.0), rel=1e-12)
    assert float(rows[1]["index"]) == pytest.approx(scale(4.0 * 2.0 ** (-1 / 5)), rel=1e-12)


def test_a_bad_override_writes_nothing(exercises: Store, operator: Viewer, tmp_path: Path) -> None:
    path = tmp_path / "dyads.csv"
    with pytest.raises(ValidationError, match="half_life: Input should be greater than"):
        export_dyad_years(exercises, operator, TableFormat.CSV, path, overrides={"half_life": 0})
    assert not path.exists()


def test_network_files_name_the_settings_used(
    exercises: Store, operator: Viewer, tmp_path: Path
) -> None:
    overrides = {"partner_threshold": 5.0}
    digest = default_settings().with_overrides(overrides).digest()
    graph = tmp_path / "net.graphml"
    nodes, edges = export_network(
        exercises, operator, 2015, NetworkFormat.GRAPHML, graph, overrides=overrides
    )
    assert (nodes, edges) == (2, 1)
    root = ElementTree.parse(graph).getroot()
    space = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", space)}
    graph_data = {keys[d.get("key")]: d.text for d in root.findall("g:graph/g:data", space)}
    assert graph_data == {
        "year": "2015",
        "method_version": default_settings().method_version,
        "settings_digest": digest,
    }
    edge = {keys[d.get("key")]: d.text for d in root.findall(".//g:edge/g:data", space)}
    assert edge["settings_digest"] == digest
    assert float(edge["weight"]) == pytest.approx(scale(2.0), rel=1e-12)
    measures = tmp_path / "measures.csv"
    export_network(exercises, operator, None, NetworkFormat.CSV, measures, overrides=overrides)
    assert {r["settings_digest"] for r in _csv(measures)} == {digest}
