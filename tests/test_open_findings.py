"""Open findings: a risky config the run leaves as it is, or one whose decision values come from the environment.
Both keep `--check`/`--diff` (and a write run) at exit 1 and are named as open in every report."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from migrator.cli import main
from migrator.core import interpolation
from migrator.core.classify import Kind, classify
from tests.repos import INTERPOLATED, RISKY_TP, make_tree
from tests.tools import run, sorted_codes


@pytest.mark.parametrize(
    ("value", "resolved"),
    [
        ("${oc.env:DTYPE,bf16}", "bf16"),
        ("${oc.env:DTYPE, 'float32'}", "float32"),
        ("${DTYPE,bfloat16}", "bfloat16"),
        ("torch.${PRECISION,float32}", "torch.float32"),
        ("${DTYPE}", None),
        ("$DTYPE", None),
        ("${oc.env:OPT}", None),
    ],
)
def test_environment_references_resolve_to_their_defaults(value: str, resolved: str | None) -> None:
    item = interpolation.interpolated(("model", "torch_dtype"), value)
    assert item is not None and item.resolved == resolved


def test_plain_values_are_not_interpolated() -> None:
    assert interpolation.interpolated(("model", "torch_dtype"), "bf16") is None
    assert interpolation.interpolated(("model", "torch_dtype"), None) is None


@pytest.mark.parametrize(
    ("model", "optimizer", "line", "says"),
    [
        ("  torch_dtype: ${oc.env:DTYPE,bf16}\n", "  _target_: torch.optim.AdamW\n", 2, "keeps Adam state in bf16"),
        ("  torch_dtype: ${DTYPE}\n", "  _target_: torch.optim.AdamW\n", 2, "without a default"),
        ("  torch_dtype: bf16\n", "  _target_: ${oc.env:OPT,torch.optim.Adam}\n", 4, "keeps Adam state in bf16"),
    ],
)
def test_an_interpolated_decision_value_is_undecidable_at_its_line(
    model: str, optimizer: str, line: int, says: str
) -> None:
    outcome = run(f"model:\n{model}optimizer:\n{optimizer}  lr: 1.0e-5\n")
    assert outcome.classification is not None and outcome.classification.kind is Kind.UNDECIDABLE
    assert says in outcome.classification.reason
    assert sorted_codes(outcome) == ["MIG105"] and outcome.new_text is None
    assert [(located.line, located.column) for located in outcome.open_findings] == [(line, 3)]


def test_defaults_that_make_a_config_safe_still_depend_on_the_environment() -> None:
    data = {"model": {"torch_dtype": "${DTYPE,float32}"}, "optimizer": {"_target_": "torch.optim.AdamW"}}
    classification = classify(data)
    assert classification.kind is Kind.UNDECIDABLE and "with float32 parameter storage" in classification.reason


def test_a_suppressed_undecidable_value_is_not_open() -> None:
    source = textwrap.dedent(
        """\
        model:
          torch_dtype: ${DTYPE,bf16}  # migrator: ignore[MIG105]
        optimizer:
          _target_: torch.optim.AdamW
        """
    )
    outcome = run(source)
    assert outcome.open_findings == () and sorted_codes(outcome) == []


@pytest.mark.parametrize(("text", "argv"), [(RISKY_TP, ["--pattern", "te"]), (INTERPOLATED, [])])
def test_every_report_names_open_files(
    text: str, argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": text})
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "a.yaml"]) == 1
    err = capsys.readouterr().err
    assert "a.yaml: left unchanged, open" in err
    assert err.rstrip().endswith("1 open (left risky or undecidable)")
    assert (tmp_path / "a.yaml").read_text() == text
    assert main([*argv, "--check", "--output-format", "json", "a.yaml"]) == 1
    assert json.loads(capsys.readouterr().out)["files"][0]["open"] is True
