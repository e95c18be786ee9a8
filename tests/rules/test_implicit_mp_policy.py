from __future__ import annotations

import pytest

from tests.tools import check_noop, check_transformed, codes

HEAD = "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n"
POLICY = (
    "  mp_policy:\n    _target_: torch.distributed.fsdp.MixedPrecisionPolicy\n    param_dtype: bfloat16\n"
    "    reduce_dtype: float32\n    output_dtype: bfloat16\n    cast_forward_inputs: true\n"
)


@pytest.mark.parametrize(
    "distributed",
    [
        pytest.param("  strategy: fsdp2\n", id="fsdp2"),
        pytest.param("  dp_size: none\n", id="no-strategy"),
        pytest.param("  _target_: nemo_automodel.components.distributed.fsdp2.FSDP2Manager\n", id="legacy-target"),
    ],
)
def test_policy_added_under_fsdp2(distributed: str) -> None:
    outcome = check_transformed(HEAD + "distributed:\n" + distributed, HEAD + "distributed:\n" + distributed + POLICY)
    assert codes(outcome) == ["MIG005"]


def test_policy_goes_before_trailing_comments_and_blank_lines() -> None:
    check_transformed(
        "distributed:\n  strategy: fsdp2\n  # tp_size: 2\n\n" + HEAD,
        "distributed:\n  strategy: fsdp2\n" + POLICY + "  # tp_size: 2\n\n" + HEAD,
    )


def test_four_space_file_gets_four_space_policy() -> None:
    check_transformed(
        "model:\n    torch_dtype: float32\noptimizer:\n    _target_: torch.optim.AdamW\ndistributed:\n    strategy: fsdp2\n",
        "model:\n    torch_dtype: float32\noptimizer:\n    _target_: torch.optim.AdamW\ndistributed:\n    strategy: fsdp2\n"
        + POLICY.replace("    ", "        ").replace("  mp_policy", "    mp_policy"),
    )


def test_existing_values_kept_missing_keys_added() -> None:
    check_transformed(
        HEAD + "distributed:\n  mp_policy:\n    param_dtype: bf16\n    output_dtype: float32\n",
        HEAD + "distributed:\n  mp_policy:\n    param_dtype: bf16\n    output_dtype: float32\n"
        "    _target_: torch.distributed.fsdp.MixedPrecisionPolicy\n    reduce_dtype: float32\n    cast_forward_inputs: true\n",
    )


@pytest.mark.parametrize("strategy", ["megatron_fsdp", "ddp", "mfsdp", "something_new"])
def test_noop_for_strategies_without_mp_policy(strategy: str) -> None:
    outcome = check_noop(HEAD + f"distributed:\n  strategy: {strategy}\n")
    assert codes(outcome) == ["MIG104"]


def test_noop_when_complete() -> None:
    check_noop(HEAD + "distributed:\n  strategy: fsdp2\n" + POLICY)
