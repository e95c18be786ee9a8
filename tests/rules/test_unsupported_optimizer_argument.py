"""MIG003 unsupported-optimizer-argument: arguments the new optimizer class rejects are removed."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.patterns import Pattern, te
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
    python_literal,
    te_arguments,
    te_settings,
    te_yaml,
    yaml_flow,
)

TO_TE = ("MIG001", f"moved to pattern `{TE.name}`")
NO_DISTRIBUTED = ("MIG104", "no distributed section")
PY_LOAD = "model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"


def removed(key: str, to: Pattern = TE) -> tuple[str, str]:
    return ("MIG003", f"`{key}`: {to.optimizer_name} does not accept it; removed")


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("foreach: false", "foreach"),
        ("foreach: true  # fast", "foreach"),
        ("fused: True", "fused"),
        ("amsgrad: false", "amsgrad"),
        ("capturable: false", "capturable"),
        ("differentiable: false", "differentiable"),
        ("maximize: false", "maximize"),
    ],
)
def test_rejected_argument_line_removed(line: str, key: str) -> None:
    check(
        YAML,
        f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n  {line}\n  lr: 1.0e-5\n",
        f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE_TARGET}\n  lr: 1.0e-5\n" + te_yaml(),
        [TO_TE, removed(key), NO_DISTRIBUTED],
        pattern=TE.name,
    )


def test_every_rejected_argument_is_covered() -> None:
    # `decoupled_weight_decay` has its own case below (it decides adam_w_mode, too).
    assert set(te.REJECTED_ARGUMENTS) - {"decoupled_weight_decay"} == {
        "foreach",
        "fused",
        "amsgrad",
        "capturable",
        "differentiable",
        "maximize",
    }


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            "model: {torch_dtype: bf16}\noptimizer: {_target_: torch.optim.Adam, foreach: false, lr: 1.0e-5}\n",
            f"model: {{torch_dtype: bf16}}\noptimizer: {{_target_: {TE_TARGET}, lr: 1.0e-5, {yaml_flow(te_settings())}}}\n",
            [TO_TE, removed("foreach"), NO_DISTRIBUTED],
            id="yaml-flow-mapping",
        ),
        pytest.param(
            YAML,
            "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  weight_decay: 0.1\n"
            "  decoupled_weight_decay: true\n",
            f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE_TARGET}\n  weight_decay: 0.1\n" + te_yaml(),
            [TO_TE, removed("decoupled_weight_decay"), NO_DISTRIBUTED],
            id="yaml-decoupled-weight-decay",
        ),
        pytest.param(
            PYTHON,
            "import torch\n"
            + PY_LOAD
            + "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1, foreach=False, fused=True, amsgrad=False)\n",
            "import torch\n"
            + TE_IMPORT
            + PY_LOAD
            + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {te_arguments()})\n",
            [TO_TE, removed("foreach"), removed("fused"), removed("amsgrad")],
            id="python-keyword-arguments",
        ),
        pytest.param(
            PYTHON,
            'cfg = {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.Adam", "foreach": False}}\n',
            "cfg = "
            + python_literal({"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": TE_TARGET, **te_settings()}})
            + "\n",
            [NO_DISTRIBUTED, TO_TE, removed("foreach")],
            id="python-config-dict",
        ),
    ],
)
def test_rejected_arguments_removed(front: FrontEnd, before: str, after: str, findings: list) -> None:
    check(front, before, after, findings, pattern=TE.name)


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n  foreach: false\n",
            f"model:\n  torch_dtype: {FP32.storage_dtype}\noptimizer:\n  _target_: torch.optim.Adam\n  foreach: false\n",
            [("MIG001", f"moved to pattern `{FP32.name}`"), NO_DISTRIBUTED],
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            "import torch\n" + PY_LOAD + "opt = torch.optim.Adam(model.parameters(), foreach=False)\n",
            "import torch\n"
            + PY_LOAD.replace("bfloat16", FP32.storage_dtype)
            + "opt = torch.optim.Adam(model.parameters(), foreach=False)\n",
            [("MIG001", f"moved to pattern `{FP32.name}`")],
            id="python",
        ),
    ],
)
def test_fp32_keeps_the_class_and_its_arguments(front: FrontEnd, before: str, after: str, findings: list) -> None:
    check(front, before, after, findings, pattern=FP32.name)


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            f"model:\n  torch_dtype: float32\noptimizer:\n  _target_: {TE_TARGET}\n  weight_decay: 0.1\n" + te_yaml(),
            f"model:\n  torch_dtype: float32\noptimizer:\n  _target_: {FP32.optimizer_target}\n  weight_decay: 0.1\n",
            [
                *(removed(key, FP32) for key in te.ONLY_ARGUMENTS if key in te_settings()),
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
            + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {te_arguments()})\n",
            "import torch\n"
            + PY_LOAD.replace("bfloat16", FP32.storage_dtype)
            + f"opt = {FP32.optimizer_target}(model.parameters(), weight_decay=0.1)\n",
            [
                ("MIG006", f"converted to `{FP32.name}`"),
                *(removed(key, FP32) for key in te.ONLY_ARGUMENTS if key in te_settings()),
            ],
            id="python",
        ),
    ],
)
def test_te_only_arguments_removed_when_converting_to_torch(
    front: FrontEnd, before: str, after: str, findings: list
) -> None:
    check(front, before, after, findings, pattern=FP32.name, convert=True)


def test_argument_from_merge_key_cannot_be_removed() -> None:
    outcome = YAML.migrate(
        "base: &b\n  foreach: false\nmodel:\n  torch_dtype: bf16\noptimizer:\n  <<: *b\n  _target_: torch.optim.Adam\n",
        Options(pattern=TE.name),
    )
    assert outcome.status is Status.FAILED and outcome.new_text is None
    assert outcome.problem is not None and "merge key" in outcome.problem.message
