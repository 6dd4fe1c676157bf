"""Releasability labels: parsing, canonical text, and refusal of malformed labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.errors import ValidationError
from comity.model import Releasability, validate_record


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("PUBLIC", "PUBLIC"),
        ("", "PUBLIC"),
        ("REL NATO", "REL NATO"),
        ("rel to usa, gbr", "REL GBR,USA"),
        ("REL USA,AUS,GBR,USA", "REL AUS,GBR,USA"),
        ("RELEASABLE TO FVEY", "REL FVEY"),
    ],
)
def test_labels_have_one_canonical_text(text: str, canonical: str) -> None:
    assert str(Releasability.parse(text)) == canonical


@pytest.mark.parametrize("text", ["SECRET", "REL", "REL U$A", "REL TO"])
def test_malformed_labels_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        validate_record(Releasability, text, "label")


codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6)


@given(st.lists(codes, min_size=1, max_size=6))
def test_parsing_the_canonical_text_gives_the_same_label(targets: list[str]) -> None:
    label = Releasability.parse("REL " + ", ".join(targets))
    assert Releasability.parse(str(label)) == label
    assert label.targets == frozenset(targets)
