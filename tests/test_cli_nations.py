"""``comity nation``: what became of a historical state, and what a successor continues."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from comity.cli import app


def _head(output: str) -> str:
    """The profile's lines before its table of codes."""
    lines = output.splitlines()
    end = next(i for i, line in enumerate(lines) if "Codes over time" in line)
    return "\n".join(lines[:end]) + "\n"


def test_a_historical_state_says_what_became_of_it(cli: CliRunner) -> None:
    result = cli.invoke(app, ["nation", "East Germany"])
    assert result.exit_code == 0, result.output
    assert _head(result.stdout) == (
        "East Germany (DDR) historical\n"
        "  Official name:       German Democratic Republic\n"
        "  ISO:                 DD / DDR / 278\n"
        "  Correlates of War:   265 (GDR)\n"
        "  Gleditsch-Ward:      265\n"
        "  Region:              Western Europe, Europe\n"
        "  State-system years:  1954-1990\n"
        "  Succession:          Absorbed by Germany 1990-10-03\n"
    )


def test_the_soviet_union_lists_its_secessions_and_its_continuation(cli: CliRunner) -> None:
    result = cli.invoke(app, ["nation", "USSR"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("  State-system years:  1922-1991")
    assert lines[start + 1 : start + 16] == [
        "  Succession:          Continues Russia from 1922-01-01",
        "                       Lithuania seceded 1990-03-11",
        "                       Georgia seceded 1991-04-09",
        "                       Estonia seceded 1991-08-20",
        "                       Latvia seceded 1991-08-21",
        "                       Ukraine seceded 1991-08-24",
        "                       Belarus seceded 1991-08-25",
        "                       Moldova seceded 1991-08-27",
        "                       Azerbaijan seceded 1991-08-30",
        "                       Kyrgyzstan and Uzbekistan seceded 1991-08-31",
        "                       Tajikistan seceded 1991-09-09",
        "                       Armenia seceded 1991-09-23",
        "                       Turkmenistan seceded 1991-10-27",
        "                       Kazakhstan seceded 1991-12-16",
        "                       Continued by Russia from 1991-12-26",
    ]
    assert "Codes over time" in lines[start + 16]


def test_a_successor_says_what_it_continues(cli: CliRunner) -> None:
    result = cli.invoke(app, ["nation", "CZE"])
    assert result.exit_code == 0, result.output
    assert "  Succession:          Formed when Czechoslovakia dissolved 1993-01-01\n" in (
        result.stdout
    )
    russia = cli.invoke(app, ["nation", "Russia"]).stdout.splitlines()
    assert russia[russia.index("  State-system years:  1816-1921, 1991-") + 1 :][:6] == [
        "  Succession:          Finland seceded 1917-12-06",
        "                       Lithuania seceded 1918-02-16",
        "                       Estonia seceded 1918-02-24",
        "                       Latvia seceded 1918-11-18",
        "                       Continued by the Soviet Union from 1922-01-01",
        "                       Continues the Soviet Union from 1991-12-26",
    ]


def test_a_nation_with_no_succession_shows_none(cli: CliRunner) -> None:
    result = cli.invoke(app, ["nation", "FRA"])
    assert result.exit_code == 0, result.output
    assert "Succession" not in result.stdout
    data = json.loads(cli.invoke(app, ["nation", "FRA", "--json"]).stdout)
    assert data["successions"] == []


def test_json_gives_each_succession_with_its_source(cli: CliRunner) -> None:
    result = cli.invoke(app, ["nation", "Czechoslovakia", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["successions"] == [
        {
            "role": "predecessor",
            "kind": "dissolution",
            "predecessor": "CSK",
            "successors": ["CZE", "SVK"],
            "date": "1993-01-01",
            "text": "Dissolved into Czechia and Slovakia 1993-01-01",
            "source": "Correlates of War state system v2016 (315 ends 1992-12-31; 316 and 317 "
            "from 1993-01-01); ISO 3166-3 CSHH",
            "note": "the constitutional act on the dissolution of the Czech and Slovak "
            "Federative Republic",
        }
    ]
    eritrea = json.loads(cli.invoke(app, ["nation", "ERI", "--json"]).stdout)
    assert [(s["role"], s["text"]) for s in eritrea["successions"]] == [
        ("successor", "Seceded from Ethiopia 1993-05-24")
    ]
