"""Findings say what their fix would do, did, or why it did not happen, per mode and outcome, in every format;
each file's first line says what happened to it as a whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.cli import main
from tests.repos import RISKY, RISKY_TP, RISKY_TP_SUPPRESSED, make_tree

ON_FP32 = "model:\n  torch_dtype: float32\ndistributed:\n  strategy: fsdp2\noptimizer:\n  _target_: torch.optim.AdamW\n"
CLAIMS = ("moved to pattern", "removed", "written out", "made explicit")


def _run(tmp_path: Path, text: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    make_tree(tmp_path, {"a.yaml": text})
    main(["--no-progress", *argv, str(tmp_path / "a.yaml")])
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.mark.parametrize(("argv", "verb"), [(["--check"], "would move to pattern"), ([], "moved to pattern")])
def test_fixes_read_in_the_tense_of_the_mode(
    argv: list[str], verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = _run(tmp_path, RISKY, ["--pattern", "te", *argv], capsys)
    assert (
        f"MIG001 torch.optim.AdamW with bf16 parameters (model.torch_dtype: unset) keeps Adam state in bf16; {verb} `te`"
        in err
    )
    assert ("would remove it" in err) == bool(argv)


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_machine_formats_use_the_same_tense(
    output_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = _run(tmp_path, RISKY, ["--pattern", "te", "--check", "--output-format", output_format], capsys)
    assert "would move to pattern" in out and "; moved to pattern" not in out


@pytest.mark.parametrize("argv", [[], ["--check"]])
def test_a_file_left_unchanged_claims_no_edit(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = _run(tmp_path, RISKY_TP, ["--pattern", "te", *argv], capsys)
    out, _ = _run(tmp_path, RISKY_TP, ["--pattern", "te", "--output-format", "json", *argv], capsys)
    lines = err.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a.yaml'}: left unchanged, open: torch.optim.AdamW")
    assert "not moved to pattern `te`: the file is left unchanged (MIG102)" in err
    findings = [finding["message"] for finding in json.loads(out)["files"][0]["findings"]]
    for message in findings:
        assert not any(f"; {claim}" in message or f"; would {claim}" in message for claim in CLAIMS), message


def test_a_file_held_by_a_suppressed_blocker_gets_a_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = _run(tmp_path, RISKY_TP_SUPPRESSED, ["--pattern", "te", "--check"], capsys)
    assert err.splitlines()[0].endswith("(a suppressed finding blocks the migration)")
    assert "not moved to pattern `te`: the file is left unchanged (suppressed MIG102)" in err
    assert "suppressed: MIG102" in err


def test_a_config_on_the_other_pattern_says_what_it_gains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, err = _run(tmp_path, ON_FP32, ["--pattern", "te", "--check"], capsys)
    assert "would migrate to pattern fp32" not in err
    header = err.splitlines()[0]
    assert header.endswith(
        "a.yaml: already on pattern fp32 (torch.optim.AdamW with float32 parameter storage); would only be completed: implicit-mp-policy"
    )
    assert "distributed.mp_policy is implicit under FSDP2" in err and "would write the policy out" in err
