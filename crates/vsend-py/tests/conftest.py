import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "fixtures" / "examples"
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def examples() -> pathlib.Path:
    return EXAMPLES


@pytest.fixture
def fixtures() -> pathlib.Path:
    return FIXTURES
