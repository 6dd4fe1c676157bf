"""The organisations importer: memberships, and the alliance ties their treaties imply."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from comity import services
from comity.access import Viewer
from comity.errors import ImportRejectedError
from comity.ingest.datasets.organisations import IMPORTER, LAST_YEAR
from comity.ingest.datasets.treaty_ties import EXCEPTION_COLUMNS, TIE_COLUMNS
from comity.model.details import AlliancePledge
from comity.model.engagements import Engagement
from comity.services.analytics import compute_dyad_years
from comity.services.imports import bundled_paths, import_dataset
from comity.store import Store, open_store
from comity.store.imports import list_coverage

_FOLDER = resources.files("comity").joinpath("data/organisations")
_ARMENIA = "treaty pair-year after its end: Armenia froze its participation in the CSTO in 2024"
_NEW_ZEALAND = (
    "treaty pair-year after its end: the United States suspended its ANZUS obligations to New "
    "Zealand in 1986"
)


def _table(name: str) -> list[dict[str, str]]:
    text = _FOLDER.joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t" if name.endswith("tsv") else ","))


@pytest.fixture(scope="module")
def imported(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A seeded store with the bundled organisations imported once, for read-only checks."""
    path = tmp_path_factory.mktemp("organisations") / "comity.db"
    shutil.copyfile(seeded_sqlite_file, path)
    opened = open_store(f"sqlite:///{path}")
    import_dataset(opened, IMPORTER, viewer=Viewer.operator("tester"))
    yield opened
    opened.dispose()


def _ties(store: Store, viewer: Viewer) -> dict[str, Engagement]:
    found = services.list_engagements(store, viewer, kinds=["alliance"])
    return {s.engagement.external_id or "": s.engagement for s in found}


# The bundled data.


def test_init_then_import_twice_adds_the_ties_once(store: Store, operator: Viewer) -> None:
    # `comity init` seeded the memberships; the import adds the ties and finds the rest in place.
    first = import_dataset(store, "organisations", viewer=operator)
    assert (first.added, first.updated, first.removed, first.unchanged) == (1019, 0, 0, 99)
    services.initialise(store)
    second = import_dataset(store, "organisations", viewer=operator)
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 1118)


def test_treaty_ties_per_organisation(imported: Store, operator: Viewer) -> None:
    counts = Counter(key.split(":")[1] for key in _ties(imported, operator))
    assert counts == {"NATO": 496, "EU": 378, "ASEAN": 55, "SCO": 45, "CSTO": 42, "ANZUS": 3}


@pytest.mark.parametrize(
    ("external_id", "title", "start", "end", "pledge"),
    [
        (
            "organisations:NATO:FIN-USA:2023",
            "North Atlantic Treaty, Article 5: Finland and United States",
            "2023",
            None,
            "defence",
        ),
        (
            "organisations:NATO:DEU-USA:1955",
            "North Atlantic Treaty, Article 5: Germany and United States",
            "1955",
            None,
            "defence",
        ),
        (
            "organisations:CSTO:ARM-RUS:1992",
            "Collective Security Treaty, Article 4: Armenia and Russia",
            "1992",
            "2023",
            "defence",
        ),
        (
            "organisations:CSTO:RUS-UZB:2006",
            "Collective Security Treaty, Article 4: Russia and Uzbekistan",
            "2006",
            "2012",
            "defence",
        ),
        (
            "organisations:ANZUS:NZL-USA:1951",
            "ANZUS Treaty, Article IV: New Zealand and United States",
            "1951",
            "1985",
            "defence",
        ),
        (
            "organisations:ANZUS:AUS-NZL:1951",
            "ANZUS Treaty, Article IV: Australia and New Zealand",
            "1951",
            None,
            "defence",
        ),
        (
            "organisations:EU:DEU-GBR:2009",
            "Treaty on European Union, Article 42(7): Germany and United Kingdom",
            "2009",
            "2020",
            "defence",
        ),
        (
            "organisations:ASEAN:IDN-TLS:2025",
            "Treaty of Amity and Cooperation in Southeast Asia, Articles 2 and 13: Indonesia and "
            "Timor-Leste",
            "2025",
            None,
            "non_aggression",
        ),
        (
            "organisations:SCO:CHN-IND:2017",
            "SCO Treaty on Long-Term Good-Neighbourliness, Friendship and Cooperation, Articles 2 "
            "and 4: China and India",
            "2017",
            None,
            "non_aggression",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and value.startswith("org") else "",
)
def test_bundled_treaty_ties(
    imported: Store,
    operator: Viewer,
    external_id: str,
    title: str,
    start: str,
    end: str | None,
    pledge: str,
) -> None:
    tie = _ties(imported, operator)[external_id]
    assert (tie.title, str(tie.start), tie.end and str(tie.end)) == (title, start, end)
    assert tie.details is not None and tie.details.kind == "alliance"
    assert [p.value for p in tie.details.pledges] == [pledge]


def test_a_tie_is_two_participants_with_its_treaty_and_provenance(
    imported: Store, operator: Viewer
) -> None:
    tie = _ties(imported, operator)["organisations:ANZUS:NZL-USA:1951"]
    assert [(p.nation, p.role.value) for p in tie.participants] == [
        ("NZL", "participant"),
        ("USA", "participant"),
    ]
    assert tie.host is None and tie.releasability.is_public
    assert tie.details is not None and tie.details.kind == "alliance"
    assert tie.details.treaty == "ANZUS Treaty, Article IV"
    assert tie.description == (
        "Implied by the membership of both in ANZUS. Ends in 1985: the United States suspended "
        "its ANZUS obligations to New Zealand in 1986."
    )
    assert tie.provenance is not None
    assert (tie.provenance.dataset, tie.provenance.row) == (
        "organisations",
        "memberships.csv 66, 67; treaty_ties.tsv 4",
    )
    [source] = tie.sources
    assert source.document is not None and source.document.startswith(
        "Security Treaty between Australia, New Zealand and the United States of America, San "
        "Francisco, 1 September 1951"
    )


def test_five_eyes_implies_no_tie(imported: Store, operator: Viewer) -> None:
    assert not [key for key in _ties(imported, operator) if ":FVEY:" in key]


def test_ties_cut_by_an_exception_are_counted(store: Store, operator: Viewer) -> None:
    report = import_dataset(store, "organisations", viewer=operator)
    assert dict(report.excluded) == {_ARMENIA: 10, _NEW_ZEALAND: 40}


def test_coverage_is_memberships_and_each_treaty_organisation(
    store: Store, operator: Viewer
) -> None:
    report = import_dataset(store, "organisations", viewer=operator)
    assert report.coverage == [
        "1946-2025",
        "alliance 1949-2025, co-members of NATO",
        "alliance 1992-2025, co-members of CSTO",
        "alliance 1951-2025, co-members of ANZUS",
        "alliance 2009-2025, co-members of EU",
        "alliance 1976-2025, co-members of ASEAN",
        "alliance 2007-2025, co-members of SCO",
    ]
    with store.connect() as connection:
        spans = list_coverage(connection)["organisations"]
    assert [(s.kind, s.organisation, s.nation) for s in spans[:2]] == [
        (None, None, None),
        ("alliance", "NATO", None),
    ]
    assert spans[1].note == "North Atlantic Treaty, Article 5: defence ties of co-members"


# The treaty tables, as data.


def test_treaty_tables_have_their_columns_and_one_row_per_organisation() -> None:
    ties, exceptions = _table("treaty_ties.tsv"), _table("treaty_exceptions.tsv")
    assert tuple(ties[0]) == TIE_COLUMNS and tuple(exceptions[0]) == EXCEPTION_COLUMNS
    codes = [row["org"] for row in ties]
    assert len(codes) == len(set(codes))
    members = {(row["org"], row["iso3"]) for row in _table("memberships.csv")}
    assert set(codes) <= {org for org, _ in members} - {"FVEY"}
    for row in ties:
        assert row["pledge"] in {p.value for p in AlliancePledge}
        assert 1800 <= int(row["from_year"]) <= LAST_YEAR
        assert row["treaty"] and row["article"] and row["citation"]
    for row in exceptions:
        assert row["org"] in codes and (row["org"], row["nation"]) in members
        assert not row["partner"] or (row["org"], row["partner"]) in members
        assert 1800 <= int(row["last_year"]) <= LAST_YEAR and row["reason"] and row["citation"]


# Corrected or faulty tables.


def _memberships(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "memberships.csv"
    path.write_text("org,org_name,iso3,joined,left,note\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def _tsv(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join("\t".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


_NATO = "NATO,North Atlantic Treaty Organization"


def test_corrected_memberships_alone_keep_the_bundled_treaties(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    path = _memberships(tmp_path, [f"{_NATO},USA,1949,,", f"{_NATO},FIN,2023,2024,"])
    report = import_dataset(store, IMPORTER, [path], viewer=operator)
    assert report.added == 3  # the tie, and the two memberships that differ from the seeded ones
    assert report.coverage == ["1949-2025", "alliance 1949-2025, co-members of NATO"]
    [tie] = _ties(store, operator).values()
    assert (tie.external_id, str(tie.start), str(tie.end)) == (
        "organisations:NATO:FIN-USA:2023",
        "2023",
        "2024",
    )


def test_a_tie_stops_while_a_member_is_not_a_state(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    # Estonia, a NATO member in these rows from 1949, was not a state from 1940 to 1991.
    path = _memberships(tmp_path, [f"{_NATO},USA,1949,,", f"{_NATO},EST,1949,,"])
    import_dataset(store, IMPORTER, [path], viewer=operator)
    [tie] = _ties(store, operator).values()
    assert (tie.external_id, tie.end) == ("organisations:NATO:EST-USA:1991", None)


def _rejected(store: Store, operator: Viewer, paths: list[Path]) -> list[tuple[object, ...]]:
    with pytest.raises(ImportRejectedError) as raised:
        import_dataset(store, IMPORTER, paths, viewer=operator)
    report = raised.value.report
    assert report is not None
    return [(i.file, i.row, i.column, i.value, i.reason) for i in report.issues]


def test_faulty_treaty_rows_are_issues_naming_their_cell(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    ties = _tsv(
        tmp_path,
        "treaty_ties.tsv",
        [
            list(TIE_COLUMNS),
            ["NATO", "defense", "1949", "North Atlantic Treaty", "Article 5", "cite"],
            ["WARSAW", "defence", "1955", "Warsaw Pact", "Article 4", "cite"],
            ["SCO", "non_aggression", "207", "SCO Treaty", "Article 2", "cite"],
            ["ASEAN", "non_aggression", "1976", "", "Article 2", "cite"],
            ["EU", "defence", "2009", "Treaty on European Union", "Article 42(7)", "cite"],
            ["EU", "defence", "2009", "Treaty on European Union", "Article 42(7)", "cite"],
        ],
    )
    memberships = bundled_paths(IMPORTER)[0]
    assert _rejected(store, operator, [memberships, ties]) == [
        (
            "treaty_ties.tsv",
            2,
            "pledge",
            "defense",
            "is not a pledge (defence, offence, neutrality, non_aggression, consultation, entente)",
        ),
        (
            "treaty_ties.tsv",
            3,
            "org",
            "WARSAW",
            "is not an organisation comity knows (NATO, SCO, CSTO, ASEAN, ANZUS, FVEY, EU)",
        ),
        ("treaty_ties.tsv", 4, "from_year", "207", "is not a year from 1800 to 2025"),
        ("treaty_ties.tsv", 5, "treaty", None, "is empty"),
        ("treaty_ties.tsv", 7, "org", "EU", "repeats the organisation of line 6"),
    ]
    assert services.count_engagements(store, operator) == 0


def test_faulty_exception_rows_are_issues_naming_their_cell(
    store: Store, operator: Viewer, tmp_path: Path
) -> None:
    exceptions = _tsv(
        tmp_path,
        "treaty_exceptions.tsv",
        [
            list(EXCEPTION_COLUMNS),
            ["NAT0", "NZL", "", "1985", "why", "cite"],
            ["CSTO", "FRA", "", "2023", "why", "cite"],
            ["ANZUS", "USA", "Freedonia", "1985", "why", "cite"],
            ["ANZUS", "USA", "NZL", "1985", "", "cite"],
        ],
    )
    issues = _rejected(store, operator, [exceptions])
    assert issues[:2] == [
        (
            "treaty_exceptions.tsv",
            2,
            "org",
            "NAT0",
            "is not an organisation comity knows (NATO, SCO, CSTO, ASEAN, ANZUS, FVEY, EU)",
        ),
        ("treaty_exceptions.tsv", 3, "nation", "FRA", "is not a member of CSTO"),
    ]
    assert issues[2][:4] == ("treaty_exceptions.tsv", 4, "partner", "Freedonia")
    assert issues[2][4].startswith("unknown nation")
    assert issues[3:] == [("treaty_exceptions.tsv", 5, "reason", None, "is empty")]


# The index weighs a pair-year by its strongest pledge over all its alliance records.


def _institutional(store: Store, viewer: Viewer) -> dict[int, float]:
    table = compute_dyad_years(store, viewer, horizon=2012, use_cache=False).table
    rows = table.to_pylist()
    return {
        r["year"]: r["institutional"]
        for r in rows
        if (r["iso3_1"], r["iso3_2"]) == ("FRA", "USA") and 2000 <= r["year"] <= 2012
    }


def test_a_treaty_tie_beside_an_atop_tie_counts_once(store: Store, operator: Viewer) -> None:
    pair = [{"nation": "FRA"}, {"nation": "USA"}]
    atop = services.add_engagement(
        store,
        {
            "kind": "alliance",
            "title": "ATOP alliance: France - United States",
            "start": "2000",
            "end": "2010",
            "participants": pair,
            "details": {"pledges": ["defence", "non_aggression", "consultation"]},
        },
        operator,
    )
    alone = _institutional(store, operator)
    services.add_engagement(
        store,
        {
            "kind": "alliance",
            "title": "North Atlantic Treaty, Article 5: France and United States",
            "start": "2000",
            "end": "2010",
            "participants": pair,
            "details": {"pledges": ["defence"], "treaty": "North Atlantic Treaty, Article 5"},
        },
        operator,
    )
    both = _institutional(store, operator)
    services.delete_engagement(store, atop.id, operator)
    treaty_alone = _institutional(store, operator)
    assert alone[2005] > 0
    assert both == pytest.approx(alone) and treaty_alone == pytest.approx(alone)
