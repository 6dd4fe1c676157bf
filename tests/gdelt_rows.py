"""GDELT-shaped event rows for the media-pipeline tests: hand-made ones and a seeded generator."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

from comity.ingest.media.events import COLUMNS as GDELT1_COLUMNS
from comity.ingest.media.gdelt_files import GDELT2_COLUMNS

NATIONS = ("USA", "GBR", "FRA", "DEU", "JPN", "KOR", "AUS", "IND", "CHN", "RUS", "BRA", "ZAF")
CODES = ("062", "064", "072", "074", "042", "043", "046", "057", "0312", "010", "190", "112")


def event(event_id: int, **values: Any) -> dict[str, str]:
    """One event with sensible defaults: USA and GBR cooperating militarily on 2016-07-28."""
    row = {
        "globaleventid": str(event_id),
        "day": "20160728",
        "actor1countrycode": "USA",
        "actor2countrycode": "GBR",
        "eventcode": "062",
        "goldsteinscale": "7.4",
        "nummentions": "4",
        "numsources": "2",
        "numarticles": "4",
        "avgtone": "1.5",
        "dateadded": "20160728",
        "sourceurl": f"https://news.example.org/{event_id}",
    }
    row.update({k: str(v) for k, v in values.items()})
    return row


def write_events(path: Path, rows: list[dict[str, str]], *, version: int = 1) -> Path:
    """Write rows as a header-less GDELT 1.0 (58 fields) or 2.0 (61 fields) event file."""
    columns = GDELT1_COLUMNS if version == 1 else GDELT2_COLUMNS
    text = "".join("\t".join(row.get(c, "") for c in columns) + "\n" for row in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def generated_events(count: int, seed: int = 9) -> list[dict[str, str]]:
    """GDELT-shaped events over 2014-2016, with regions, blanks and re-reported duplicates."""
    rng = random.Random(seed)
    actors = NATIONS + ("AFR", "EUR", "")
    rows = []
    for n in range(count):
        event_id = 700_000_000 + n - (1 if n % 40 == 7 else 0)  # some ids reported twice
        day = f"{rng.choice((2014, 2015, 2016))}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        rows.append(
            event(
                event_id,
                day=day,
                dateadded=day,
                actor1countrycode=rng.choice(actors),
                actor2countrycode=rng.choice(actors),
                eventcode=rng.choice(CODES),
                goldsteinscale=f"{rng.uniform(-10, 10):.1f}",
                avgtone=f"{rng.uniform(-20, 20):.6f}",
                numsources=str(rng.randint(1, 5)),
                nummentions=str(rng.randint(1, 30)),
                sourceurl=f"https://news.example.org/{n // 3}",
            )
        )
    return rows
