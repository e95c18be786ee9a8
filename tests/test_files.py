"""Atomic writes through the runner: modes kept, symlinks followed inside the scanned roots only,
read-only files and write failures reported per file with the original left as it was."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from migrator import files
from migrator.cli import main
from migrator.core.outcome import Status
from migrator.core.settings import Mode, Options, Settings
from migrator.files import TEMP_SUFFIX, FileError, write_atomic
from migrator.runner import run
from tests.conftest import FIXTURES

RISKY = FIXTURES / "fp32" / "unset_dtype_inserted"
BEFORE = (RISKY / "input.yaml").read_bytes()
AFTER = (RISKY / "expected.yaml").read_bytes()


def _migrate(*paths: Path, **settings: object):
    return run(Settings(tuple(str(path) for path in paths), Options(), Mode.WRITE, **settings))  # type: ignore[arg-type]


def _only(results):
    (result,) = results
    return result


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.name.endswith(TEMP_SUFFIX))


def test_permission_bits_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)
    path.chmod(0o640)
    assert _only(_migrate(path)).status is Status.MIGRATED
    assert path.read_bytes() == AFTER
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "a.yaml"
    real.parent.mkdir()
    real.write_bytes(BEFORE)
    link = tmp_path / "links" / "a.yaml"
    link.parent.mkdir()
    link.symlink_to(real)
    assert _only(_migrate(link)).status is Status.MIGRATED  # a file named on the command line is its own root
    assert link.is_symlink() and real.read_bytes() == AFTER
    assert _leftovers(tmp_path) == []


def test_symlink_inside_the_scanned_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_bytes(BEFORE)
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    results = _migrate(tmp_path)
    # Discovery resolves folders, not each file: the link and its target are both visited, and the
    # second visit finds the work done.
    assert sorted(r.status.value for r in results) == ["migrated", "unchanged"]
    assert (tmp_path / "link.yaml").is_symlink() and (tmp_path / "real.yaml").read_bytes() == AFTER


def test_symlink_leaving_the_scanned_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(BEFORE)
    scanned = tmp_path / "repo"
    scanned.mkdir()
    (scanned / "shared.yaml").symlink_to(outside)
    assert main([str(scanned)]) == 2
    assert outside.read_bytes() == BEFORE
    assert "shared.yaml: error: symlink leads outside the scanned folders" in capsys.readouterr().err
    assert main(["--check", str(scanned)]) == 2, "--check must report what a write would refuse"


@pytest.mark.parametrize(("target", "message"), [("missing.yaml", "dangling symlink"), ("a.yaml", "symlink loop")])
def test_broken_symlinks_are_per_file_errors(tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / target)
    result = _only(_migrate(tmp_path))
    assert result.status is Status.FAILED and result.outcome.problem is not None
    assert result.outcome.problem.message == message


def test_read_only_file_is_an_error_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)
    path.chmod(0o444)
    result = _only(_migrate(path))
    assert result.status is Status.FAILED and result.outcome.problem is not None
    assert result.outcome.problem.message == "file is read-only"
    assert path.read_bytes() == BEFORE and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_unwritable_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)

    def denied(**kwargs: object) -> None:  # what mkstemp meets in a folder without write permission
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    result = _only(_migrate(path))
    assert result.status is Status.FAILED and result.outcome.problem is not None
    assert (
        result.outcome.problem.message == f"cannot create a temporary file in {tmp_path.resolve()}: Permission denied"
    )
    assert path.read_bytes() == BEFORE


def test_full_disk_leaves_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_flush_data", no_space)
    result = _only(_migrate(path))
    assert result.status is Status.FAILED and result.outcome.problem is not None
    assert result.outcome.problem.message == "cannot write: No space left on device"
    assert result.outcome.problem.hint == "free some disk space and run again"
    assert path.read_bytes() == BEFORE
    assert _leftovers(tmp_path) == []


def test_temporary_file_never_looks_like_a_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)
    seen: list[str] = []
    real_replace = os.replace

    def spy(source: str, target: object) -> None:
        seen.append(Path(source).name)
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "replace", spy)
    write_atomic(path, AFTER)
    (name,) = seen
    assert name.startswith(".") and name.endswith(TEMP_SUFFIX) and not name.endswith((".yaml", ".yml", ".py"))


def test_interrupt_inside_write_removes_the_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)

    def interrupted(source: str, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, AFTER)
    assert path.read_bytes() == BEFORE and _leftovers(tmp_path) == []


def test_special_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = _only(_migrate(tmp_path))
    assert result.status is Status.FAILED and result.outcome.problem is not None
    assert result.outcome.problem.message == "not a regular file"


def test_write_atomic_refuses_read_only_directly(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(BEFORE)
    path.chmod(0o400)
    with pytest.raises(FileError, match="read-only"):
        write_atomic(path, AFTER)


def test_file_edited_during_the_run_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"# edited by someone else meanwhile\n" + BEFORE)
    with pytest.raises(FileError, match="changed while migrate was running"):
        write_atomic(path, AFTER, original=BEFORE)
    assert path.read_bytes().startswith(b"# edited")
