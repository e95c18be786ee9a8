from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real AutoModel corpus, from MIGRATOR_CORPUS (set by .ci/run); missing when set is a failure."""
    value = os.environ.get("MIGRATOR_CORPUS")
    if not value:
        pytest.skip("MIGRATOR_CORPUS is not set (.ci/run sets it)")
    path = Path(value)
    if not (path / "manifest.tsv").is_file():
        pytest.fail(f"MIGRATOR_CORPUS={value} does not hold the corpus (no manifest.tsv)")
    return path
