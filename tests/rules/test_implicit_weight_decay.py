"""MIG002 implicit-weight-decay: a switch of optimizer class writes out the old class's default decay."""

from __future__ import annotations

import pytest

from migrator.core import automodel
from migrator.patterns import te
from tests.rules.cases import (
    FP32,
    PYTHON,
    TE,
    TE_IMPORT,
    TE_REEXPORT,
    TE_TARGET,
    YAML,
    FrontEnd,
    check,
    python_import,
    te_arguments,
    te_yaml,
)

TO_TE = ("MIG001", f"moved to pattern `{TE.name}`")
NO_DISTRIBUTED = ("MIG104", "no distributed section")
PY_LOAD = "model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
ADAMW_DECAY = automodel.ADAMW_DEFAULT_WEIGHT_DECAY


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-5\n",
            f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE_TARGET}\n  lr: 1.0e-5\n"
            + te_yaml()
            + f"  weight_decay: {ADAMW_DECAY}\n",
            [
                TO_TE,
                (
                    "MIG002",
                    f"weight_decay is implicit (the current optimizer's default is {ADAMW_DECAY}, {TE.optimizer_name}'s differs); written out as {ADAMW_DECAY}",
                ),
                NO_DISTRIBUTED,
            ],
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            "import torch\n" + PY_LOAD + "opt = torch.optim.AdamW(model.parameters())\n",
            "import torch\n"
            + TE_IMPORT
            + PY_LOAD
            + f"opt = FusedAdam(model.parameters(), {te_arguments()}, weight_decay={ADAMW_DECAY})\n",
            [TO_TE, ("MIG002", f"written out as {ADAMW_DECAY}")],
            id="python",
        ),
    ],
)
def test_adamw_default_decay_written_out_for_te(front: FrontEnd, before: str, after: str, findings: list) -> None:
    check(front, before, after, findings, pattern=TE.name)


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n",
            f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE_TARGET}\n" + te_yaml(),
            [TO_TE, NO_DISTRIBUTED],
            id="yaml-adam-defaults-to-no-decay",
        ),
        pytest.param(
            PYTHON,
            "import torch\n" + PY_LOAD + "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n",
            "import torch\n"
            + TE_IMPORT
            + PY_LOAD
            + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {te_arguments()})\n",
            [TO_TE],
            id="python-decay-already-written",
        ),
    ],
)
def test_not_raised_without_an_implicit_default(front: FrontEnd, before: str, after: str, findings: list) -> None:
    check(front, before, after, findings, pattern=TE.name)


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            f"model:\n  torch_dtype: float32\noptimizer:\n  _target_: {TE_REEXPORT}\n  master_weights: true\n",
            f"model:\n  torch_dtype: float32\noptimizer:\n  _target_: {FP32.optimizer_target}\n"
            f"  weight_decay: {te.DEFAULT_WEIGHT_DECAY}\n",
            [
                ("MIG002", f"written out as {te.DEFAULT_WEIGHT_DECAY}"),
                ("MIG003", f"`master_weights`: {FP32.optimizer_name} does not accept it; removed"),
                ("MIG006", f"converted to `{FP32.name}`"),
                NO_DISTRIBUTED,
            ],
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            "import torch\n"
            + python_import(TE_REEXPORT)
            + PY_LOAD
            + "opt = FusedAdam(model.parameters(), master_weights=True)\n",
            "import torch\n"
            + PY_LOAD.replace("bfloat16", FP32.storage_dtype)
            + f"opt = {FP32.optimizer_target}(model.parameters(), weight_decay={te.DEFAULT_WEIGHT_DECAY})\n",
            [
                ("MIG002", f"written out as {te.DEFAULT_WEIGHT_DECAY}"),
                ("MIG006", f"on pattern `{TE.name}`; --convert asks for `{FP32.name}`; converted to `{FP32.name}`"),
                ("MIG003", f"`master_weights`: {FP32.optimizer_name} does not accept it; removed"),
            ],
            id="python",
        ),
    ],
)
def test_te_default_decay_written_out_when_converting_to_adamw(
    front: FrontEnd, before: str, after: str, findings: list
) -> None:
    check(front, before, after, findings, pattern=FP32.name, convert=True)


@pytest.mark.parametrize(
    ("front", "source", "findings"),
    [
        pytest.param(
            YAML,
            "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n",
            [NO_DISTRIBUTED],
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            "import torch\nmodel = M.from_pretrained(p, torch_dtype=torch.float32)\nopt = torch.optim.AdamW(model.parameters())\n",
            [],
            id="python",
        ),
    ],
)
def test_noop_when_pattern_fp32_keeps_the_optimizer(front: FrontEnd, source: str, findings: list) -> None:
    check(front, source, None, findings, pattern=FP32.name)
