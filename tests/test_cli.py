"""The `migrate` command end to end on temporary folders: modes, exit codes, diff output."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from migrator.cli import group_main, main
from tests.conftest import FIXTURES

RISKY = FIXTURES / "fp32" / "unset_dtype_inserted"
CLEAN = FIXTURES / "fp32" / "already_fp32_unchanged"


def _copy(tmp_path: Path, *cases: Path) -> list[Path]:
    paths = []
    for case in cases:
        target = tmp_path / f"{case.name}.yaml"
        shutil.copyfile(case / "input.yaml", target)
        paths.append(target)
    return paths


def test_write_mode_writes_expected_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (path,) = _copy(tmp_path, RISKY)
    assert main([str(tmp_path)]) == 0
    assert path.read_bytes() == (RISKY / "expected.yaml").read_bytes()
    assert "1 migrated" in capsys.readouterr().err


def test_nothing_to_do_exits_0(tmp_path: Path) -> None:
    (path,) = _copy(tmp_path, CLEAN)
    assert main(["--check", str(path)]) == 0


def test_check_reports_pending_exits_1_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (path,) = _copy(tmp_path, RISKY)
    before = path.read_bytes()
    assert main(["--check", str(tmp_path)]) == 1
    assert path.read_bytes() == before
    err = capsys.readouterr().err
    assert "would migrate" in err and "MIG001" in err


def test_diff_applies_with_git_apply_and_matches_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [RISKY, FIXTURES / "te" / "style_crlf_bom_no_final_newline", FIXTURES / "te" / "adamw_unset_dtype"]
    _copy(tmp_path, *cases)
    monkeypatch.chdir(tmp_path)
    assert main(["--diff", "--pattern", "te", "."]) == 1
    patch = capsys.readouterr().out
    assert patch.startswith("--- a/")
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "apply", "-"], input=patch.encode(), check=True)
    applied = {path.name: path.read_bytes() for path in tmp_path.glob("*.yaml")}
    for name in applied:
        (tmp_path / name).write_bytes(next(c / "input.yaml" for c in cases if f"{c.name}.yaml" == name).read_bytes())
    assert main(["--pattern", "te", "."]) == 0
    assert applied == {path.name: path.read_bytes() for path in tmp_path.glob("*.yaml")}


def test_failed_file_wins_exit_2_and_other_files_still_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (good,) = _copy(tmp_path, RISKY)
    bad = tmp_path / "broken.yaml"
    bad.write_text("model:\n  torch_dtype: bf16\noptimizer: [unclosed\n")
    before = bad.read_bytes()
    assert main(["--check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml:4:1: error:" in err
    assert main([str(tmp_path)]) == 2
    assert bad.read_bytes() == before
    assert good.read_bytes() == (RISKY / "expected.yaml").read_bytes()


def test_amsgrad_true_fails_with_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  amsgrad: true\n")
    before = path.read_bytes()
    assert main(["--pattern", "te", str(path)]) == 2
    assert path.read_bytes() == before
    assert "a.yaml:5:3: error: MIG101" in capsys.readouterr().err


def test_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--pattern", "fp16"], ["--bogus"], ["--check", "--diff"]])
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    _copy(tmp_path, RISKY)
    assert main([*argv, str(tmp_path)]) == 2


def test_group_has_the_same_migrate_command(tmp_path: Path) -> None:
    (path,) = _copy(tmp_path, RISKY)
    assert group_main(["migrate", "--check", str(path)]) == 1
    assert group_main(["--version"]) == 0


def test_assume_bf16_storage_migrates_what_mig115_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = FIXTURES / "fp32" / "hf_from_pretrained_assume_bf16"
    (path,) = _copy(tmp_path, case)
    assert main(["--check", str(path)]) == 1  # held by MIG115: an open finding keeps the gate red
    assert "MIG115" in capsys.readouterr().err
    assert main(["--assume-bf16-storage", str(path)]) == 0
    assert path.read_bytes() == (case / "expected.yaml").read_bytes()
