"""MIG104 mp-policy-not-applicable: why a migrated config gets no explicit `distributed.mp_policy` (nothing changed)."""

from __future__ import annotations

import pytest

from migrator.core import automodel
from tests.rules.cases import FP32, PYTHON, YAML, check, mp_policy_yaml, python_literal

HEAD = "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n"
RISKY = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n"
FIXED = f"model:\n  torch_dtype: {FP32.storage_dtype}\noptimizer:\n  _target_: torch.optim.AdamW\n"


@pytest.mark.parametrize(
    ("distributed", "reason"),
    [
        *(
            pytest.param(
                f"distributed:\n  strategy: {strategy}\n", f"strategy `{strategy}` rejects mp_policy", id=strategy
            )
            for strategy in sorted(automodel.NO_MP_POLICY_STRATEGIES)
        ),
        pytest.param("distributed:\n  strategy: something_new\n", "unknown strategy `something_new`", id="unknown"),
        pytest.param("", "no distributed section", id="no-section"),
        pytest.param("distributed: [1]\n", "`distributed` is not a mapping", id="not-a-mapping"),
        pytest.param(
            "distributed:\n  _target_: my.DDPManager\n",
            "distributed._target_ `my.DDPManager` is not FSDP2",
            id="target",
        ),
        pytest.param(
            "fsdp:\n  dp_size: 2\ndistributed:\n  strategy: fsdp2\n", "diffusion recipes overwrite", id="diffusion"
        ),
    ],
)
def test_noted_and_nothing_added(distributed: str, reason: str) -> None:
    source = HEAD + distributed
    outcome = check(YAML, source, None, [("MIG104", reason)], pattern=FP32.name)
    lines = source.splitlines()
    expected = lines.index(next(line for line in lines if line.startswith("distributed"))) + 1 if distributed else 1
    assert outcome.findings[0].line == expected


def test_noted_beside_a_migration() -> None:
    tail = "distributed:\n  strategy: ddp\n"
    check(
        YAML,
        RISKY + tail,
        FIXED + tail,
        [("MIG001", "moved to pattern"), ("MIG104", "strategy `ddp`")],
        pattern=FP32.name,
    )


def test_python_config_dict() -> None:
    data = {
        "model": {"torch_dtype": "bf16"},
        "optimizer": {"_target_": "torch.optim.AdamW"},
        "distributed": {"strategy": "ddp"},
    }
    after = {**data, "model": {"torch_dtype": FP32.storage_dtype}}
    check(
        PYTHON,
        f"cfg = {python_literal(data)}\n",
        f"cfg = {python_literal(after)}\n",
        [("MIG001", "moved to pattern"), ("MIG104", "strategy `ddp` rejects mp_policy")],
        pattern=FP32.name,
    )


def test_not_raised_under_fsdp2() -> None:
    tail = "distributed:\n  strategy: fsdp2\n"
    check(
        YAML,
        RISKY + tail,
        FIXED + tail + mp_policy_yaml(),
        [
            ("MIG001", "moved to pattern"),
            (
                "MIG005",
                "distributed.mp_policy is implicit under FSDP2 (AutoModel's default: bf16 parameters, fp32 reduction); policy written out",
            ),
        ],
        pattern=FP32.name,
    )
