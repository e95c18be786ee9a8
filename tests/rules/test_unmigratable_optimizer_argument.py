"""MIG101 unmigratable-optimizer-argument (error): a setting the new class cannot reproduce fails the file."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from migrator.patterns import te
from tests.rules.cases import FP32, PYTHON, TE, TE_REEXPORT, YAML, FrontEnd, check, codes, failed, python_literal

BF16_ADAMW = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n"
PY_LOAD = "import torch\nmodel = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"


@pytest.mark.parametrize("key", sorted(te.UNMIGRATABLE_VALUES))
def test_switch_to_te_fails_the_file(key: str) -> None:
    value = te.UNMIGRATABLE_VALUES[key]
    part = f"`{key}: {value}` has no equivalent after the switch; use --pattern {FP32.name}"
    outcome = failed(YAML, BF16_ADAMW + f"  {key}: {str(value).lower()}\n", "MIG101", part, line=5, pattern=TE.name)
    assert sorted(codes(outcome)) == [
        "MIG001",
        "MIG002",
        "MIG003",
        "MIG101",
        "MIG104",
    ]  # the plan, reported; nothing made


@pytest.mark.parametrize(
    ("front", "source", "line"),
    [
        pytest.param(PYTHON, PY_LOAD + "opt = torch.optim.AdamW(model.parameters(), amsgrad=True)\n", 3, id="call"),
        pytest.param(
            PYTHON,
            "cfg = "
            + python_literal(
                {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.AdamW", "maximize": True}}
            )
            + "\n",
            1,
            id="config-dict",
        ),
    ],
)
def test_python_fails_the_file(front: FrontEnd, source: str, line: int) -> None:
    outcome = failed(
        front, source, "MIG101", f"has no equivalent after the switch; use --pattern {FP32.name}", line, pattern=TE.name
    )
    assert codes(outcome) == []  # the error is the problem itself


def test_bias_correction_false_blocks_conversion_to_torch() -> None:
    source = (
        f"model:\n  torch_dtype: float32\noptimizer:\n  _target_: {TE_REEXPORT}\n"
        "  master_weights: true\n  bias_correction: false\n"
    )
    part = f"`bias_correction: False` has no equivalent after the switch; use --pattern {TE.name}"
    failed(YAML, source, "MIG101", part, line=6, pattern=FP32.name, convert=True)


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            BF16_ADAMW + "  amsgrad: true\n",
            BF16_ADAMW.replace("bf16", FP32.storage_dtype) + "  amsgrad: true\n",
            [("MIG001", "moved to pattern"), ("MIG104", "no distributed section")],
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            PY_LOAD + "opt = torch.optim.AdamW(model.parameters(), amsgrad=True)\n",
            PY_LOAD.replace("bfloat16", FP32.storage_dtype)
            + "opt = torch.optim.AdamW(model.parameters(), amsgrad=True)\n",
            [("MIG001", "moved to pattern")],
            id="python",
        ),
    ],
)
def test_amsgrad_true_is_fine_for_fp32(front: FrontEnd, before: str, after: str, findings: list) -> None:
    outcome = check(front, before, after, findings, pattern=FP32.name)
    assert outcome.status is Status.MIGRATED
