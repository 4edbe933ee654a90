"""Checks §2 and §14 options from Python as an attacker gives them (attack
pass three): framework text that is not JSON is read as JSON and refused as
such, never looked up as a path with its whole text echoed; a suppression
too large for a machine integer is a ValueError naming the allowed range."""
import pytest

import vsend
from conftest import FIXTURES

COHORT = str(FIXTURES / "cohort.csv")


@pytest.mark.parametrize("text", ["[1,2", "[" * 200_000, "  [ ]"])
def test_json_text_that_is_not_a_framework_is_refused_as_json(text):
    with pytest.raises(vsend.FrameworkError) as raised:
        vsend.score(COHORT, framework=text)
    message = str(raised.value)
    assert "bad framework" in message and "No such file" not in message
    assert len(message) < 500


def test_a_missing_framework_path_is_named_once_and_short():
    with pytest.raises(vsend.FrameworkError) as raised:
        vsend.score(COHORT, framework="/no/such/" + "x" * 250 + ".json")
    message = str(raised.value)
    assert "No such file or directory" in message and len(message) < 300


@pytest.mark.parametrize("option", ["suppress", "round_to"])
@pytest.mark.parametrize("value", [2**70, -(2**70)])
def test_a_huge_suppression_is_a_value_error_naming_the_range(option, value):
    kwargs = {"suppress": 3, option: value}
    with pytest.raises(ValueError, match=rf"{option}: {value} is not allowed; allowed a whole number"):
        vsend.cohort(COHORT, **kwargs)
