"""The process pool gives the same results as one process, in the same order, and contains crashes."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

import pytest

from migrator import process, runner
from migrator.core.outcome import Status
from migrator.core.settings import Mode, Options, Settings
from migrator.core.suppressions import Directives
from migrator.runner import run
from migrator.yaml.front_end import migrate_yaml
from tests.conftest import writable_copy
from tests.repos import RISKY, make_tree


def test_corpus_jobs_2_equals_jobs_1(corpus: Path, tmp_path: Path) -> None:
    writable_copy(corpus / "examples", tmp_path / "examples")
    one = run(Settings((str(tmp_path / "examples"),), Options(pattern="te"), Mode.DIFF, jobs=1))
    two = run(Settings((str(tmp_path / "examples"),), Options(pattern="te"), Mode.DIFF, jobs=2))
    assert len([r for r in one if not r.path.endswith(".py")]) == 511  # plus the examples' .py launch scripts
    assert runner.worker_count(Settings(("x",), jobs=2), len(one)) == 2  # really on the pool
    assert [result.path for result in one] == sorted(result.path for result in one)
    assert two == one


def test_settings_and_results_are_small_plain_data(tmp_path: Path) -> None:
    settings = Settings((str(tmp_path),), Options(pattern="te"), Mode.CHECK, jobs=2, exclude=("legacy",))
    assert len(pickle.dumps(settings)) < 1024
    path = make_tree(tmp_path, {"a.yaml": RISKY}) / "a.yaml"
    result = runner.process_file(path, settings)
    assert result.status is Status.MIGRATED
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.outcome.new_text is None and result.before is None  # texts travel back in --diff mode only


def _crashing_front_end(text: str, options: Options, directives: Directives):  # type: ignore[no-untyped-def]
    if "CRASH" in text:
        os._exit(3)  # a dying worker, as a segfault in a parser would be
    if "BOOM" in text:
        raise RuntimeError("boom")
    return migrate_yaml(text, options, directives)


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="the patched front end reaches workers only through fork"
)
def test_a_dying_worker_fails_only_its_file_and_a_raising_file_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"f{index:03}.yaml": RISKY for index in range(60)}
    files["f010.yaml"] = RISKY + "# CRASH\n"
    files["f040.yaml"] = RISKY + "# BOOM\n"
    make_tree(tmp_path, files)
    monkeypatch.setitem(process.FRONT_ENDS, ".yaml", _crashing_front_end)
    results = run(Settings((str(tmp_path),), mode=Mode.CHECK, jobs=2))
    assert [Path(result.path).name for result in results] == sorted(files)
    failed = {
        Path(result.path).name: result.outcome.problem.message
        for result in results
        if result.status is Status.FAILED and result.outcome.problem
    }
    assert failed == {
        "f010.yaml": "the worker process died on this file",
        "f040.yaml": "internal error: RuntimeError: boom",
    }
    assert sum(result.status is Status.MIGRATED for result in results) == 58


def test_small_runs_stay_in_process() -> None:
    assert runner.worker_count(Settings(("x",), jobs=8), 1) == 1
    assert runner.worker_count(Settings(("x",), jobs=1), 10_000) == 1
    assert runner.worker_count(Settings(("x",), jobs=4), 10_000) == 4


def test_an_interrupt_stops_the_pool_at_once(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"f{index:03}.yaml": RISKY for index in range(200)})
    seen: list[int] = []

    def interrupt_after_a_few(done: int, total: int) -> None:
        seen.append(done)
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(Settings((str(tmp_path),), mode=Mode.CHECK, jobs=2), interrupt_after_a_few)
    assert seen[-1] == 5
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(("files", "workers"), [(511, 2), (5110, 4), (33, 2), (7, 3)])
def test_chunks_cover_the_files_in_order_and_shrink_towards_the_end(files: int, workers: int) -> None:
    from migrator import pool

    paths = [Path(f"{index}.yaml") for index in range(files)]
    chunks = pool._chunks(paths, workers)
    assert [path for chunk in chunks for path in chunk] == paths  # contiguous, in order, each file once
    sizes = [len(chunk) for chunk in chunks]
    assert max(sizes) <= pool.MAX_CHUNK
    assert sizes == sorted(sizes, reverse=True) or sizes[-1] < pool.MIN_CHUNK  # only the remainder breaks the order
    if files >= 100:
        assert sizes[-1] <= pool.MIN_CHUNK < sizes[0]  # the last tasks are small, so the workers finish together
