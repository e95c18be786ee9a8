"""Public training repositories that are not AutoModel (MIGRATOR_EXTERNAL_CORPUS, see its SOURCE.md), on a copy.

None of their files provably trains a bf16-stored model with a plain torch Adam that nothing else manages, so
the right number of edited files is 0 under both patterns. Run with `-s` to see the findings per repository.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from migrator.core.outcome import Status
from migrator.core.settings import Mode, Options, Settings
from migrator.runner import run
from tests.conftest import writable_copy

REPOSITORIES = ("huggingface+accelerate", "huggingface+diffusers", "huggingface+peft", "huggingface+trl")


@pytest.fixture(scope="module")
def copy(external_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("external") / "corpus"
    writable_copy(external_corpus, root)
    return root


@pytest.mark.parametrize("pattern", ["te", "fp32"])
def test_nothing_is_edited(copy: Path, pattern: str) -> None:
    before = {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()}
    results = run(Settings((str(copy),), Options(pattern=pattern), Mode.WRITE))
    assert len([result for result in results if result.path.endswith(".py")]) == 720
    assert [(r.path, r.outcome.problem) for r in results if r.status is Status.FAILED] == []
    assert [r.path for r in results if r.status is Status.MIGRATED] == []
    assert {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()} == before
    by_repository: dict[str, Counter[str]] = {name: Counter() for name in REPOSITORIES}
    for result in results:
        repository = Path(os.path.abspath(result.path)).relative_to(copy).parts[0]
        if repository not in by_repository:  # SOURCE.md beside the repositories
            continue
        by_repository[repository].update(located.finding.code for located in result.outcome.findings)
    print(f"\n[{pattern}] findings by repository:")
    for name, counts in by_repository.items():
        print(f"  {name}: {dict(sorted(counts.items()))}")
