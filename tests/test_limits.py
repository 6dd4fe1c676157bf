"""A field's rules read from its model: the bounds, and a validator with the model's messages."""

from __future__ import annotations

import pydantic
import pytest

from comity.model.engagements import Engagement, Participant, Provenance
from comity.model.limits import Limits, field_adapter, field_limits
from comity.model.numbers import MAX_PERSONNEL
from comity.model.validation import field_problems


@pytest.mark.parametrize(
    ("model", "name", "expected"),
    [
        (Engagement, "title", Limits(min_length=1, max_length=300)),
        (Engagement, "location", Limits(max_length=300)),
        (Engagement, "programme", Limits(max_length=200)),
        (Engagement, "external_id", Limits(max_length=200)),
        (Engagement, "latitude", Limits(ge=-90, le=90)),
        (Engagement, "longitude", Limits(ge=-180, le=180)),
        (Engagement, "description", Limits()),
        (Participant, "personnel", Limits(ge=0, le=MAX_PERSONNEL)),
        (Provenance, "dataset", Limits(min_length=1, max_length=54)),
    ],
)
def test_the_limits_are_the_models(
    model: type[pydantic.BaseModel], name: str, expected: Limits
) -> None:
    assert field_limits(model, name) == expected


@pytest.mark.parametrize("personnel", [-1, MAX_PERSONNEL + 1, "x"])
def test_a_fields_validator_refuses_in_the_models_words(personnel: object) -> None:
    with pytest.raises(pydantic.ValidationError) as by_model:
        Participant.model_validate({"nation": "USA", "personnel": personnel})
    with pytest.raises(pydantic.ValidationError) as by_field:
        field_adapter(Participant, "personnel").validate_python(personnel)
    [expected] = field_problems(by_model.value)
    [found] = field_problems(by_field.value)
    assert found.reason == expected.reason


def test_a_fields_validator_applies_the_models_cleaning() -> None:
    assert field_adapter(Engagement, "title").validate_python("  Cobra Gold  ") == "Cobra Gold"
    assert field_adapter(Participant, "personnel").validate_python(None) is None
