from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# A landing gate gives the same verdict on the same code: under HYPOTHESIS_PROFILE=ci (set by .ci/run) the property
# tests draw the same examples each run. Elsewhere they explore anew, as deep as MIGRATOR_FUZZ_EXAMPLES asks; what
# they find becomes a fixed case.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

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


@pytest.fixture(scope="session")
def external_corpus() -> Path:
    """Public non-AutoModel training repositories, from MIGRATOR_EXTERNAL_CORPUS (set by .ci/run); missing when set
    is a failure."""
    value = os.environ.get("MIGRATOR_EXTERNAL_CORPUS")
    if not value:
        pytest.skip("MIGRATOR_EXTERNAL_CORPUS is not set (.ci/run sets it)")
    path = Path(value)
    if not (path / "SOURCE.md").is_file():
        pytest.fail(f"MIGRATOR_EXTERNAL_CORPUS={value} does not hold the corpus (no SOURCE.md)")
    return path


def writable_copy(source: Path, target: Path) -> None:
    """Copy a tree's contents without its modes: the corpus is read-only, and migrate refuses read-only files."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for folder in (target, *(path for path in target.rglob("*") if path.is_dir())):
        folder.chmod(0o755)


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports are compared as plain text: no colour forced by the environment the tests run in."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)
