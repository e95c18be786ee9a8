"""The real AutoModel Python files (MIGRATOR_CORPUS), on a copy: no failure, output compiles, idempotent.

Run with `-s` to see which files change and why (the launch wrappers must not change).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from migrator.core.outcome import Status
from migrator.core.settings import Mode, Options, Settings
from migrator.runner import run

CORPUS_PY_FILES = 145
LAUNCH_WRAPPERS = (
    "examples/llm_finetune/finetune.py",
    "examples/llm_pretrain/pretrain.py",
    "examples/vlm_finetune/finetune.py",
)


@pytest.fixture(scope="module", params=["te", "fp32"])
def migrated(request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp(f"corpus-py-{request.param}")
    for source in corpus.rglob("*.py"):
        target = root / source.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    results = run(Settings((str(root),), Options(pattern=request.param), Mode.WRITE))
    return request.param, root, results


def test_every_python_file_processed_without_failure(migrated) -> None:
    pattern, _root, results = migrated
    assert len(results) == CORPUS_PY_FILES
    assert [(r.path, r.outcome.problem) for r in results if r.status is Status.FAILED] == []
    changed = [r for r in results if r.status is Status.MIGRATED]
    print(
        f"\n[{pattern}] {len(changed)} of {len(results)} files changed; statuses {dict(Counter(r.status.value for r in results))}"
    )
    for result in changed:
        print(f"  {result.path}: " + "; ".join(f"{f.finding.code} line {f.line}" for f in result.outcome.findings))
    print(f"[{pattern}] findings: {dict(Counter(f.finding.code for r in results for f in r.outcome.findings))}")


def test_written_files_compile_and_wrappers_stay(migrated, corpus: Path) -> None:
    _, root, results = migrated
    for result in results:
        if result.status is Status.MIGRATED:
            path = Path(result.path)
            compile(path.read_text(), str(path), "exec", dont_inherit=True)
    for wrapper in LAUNCH_WRAPPERS:
        assert (root / wrapper).read_bytes() == (corpus / wrapper).read_bytes(), wrapper


def test_second_run_changes_nothing(migrated) -> None:
    pattern, root, _ = migrated
    snapshot = {path: path.read_bytes() for path in root.rglob("*.py")}
    again = run(Settings((str(root),), Options(pattern=pattern), Mode.WRITE))
    assert [r.path for r in again if r.status is Status.MIGRATED] == []
    assert snapshot == {path: path.read_bytes() for path in root.rglob("*.py")}
