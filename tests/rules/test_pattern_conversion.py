from __future__ import annotations

from tests.tools import check_noop, check_transformed, codes

TE_BLOCK = (
    "optimizer:\n  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n  weight_decay: 0.1\n"
    "  adam_w_mode: {mode}\n  bias_correction: true\n  master_weights: true\n  store_param_remainders: true\n"
    "  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n"
)


def test_noop_without_convert() -> None:
    check_noop("model:\n  torch_dtype: bf16\n" + TE_BLOCK.format(mode="true"), pattern="fp32")


def test_te_l2_mode_converts_to_classic_adam() -> None:
    outcome = check_transformed(
        "model:\n  torch_dtype: bf16\n" + TE_BLOCK.format(mode="false"),
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 0.1\n",
        pattern="fp32",
        convert=True,
    )
    assert "MIG006" in codes(outcome)


def test_fp32_converts_to_te_with_bf16_storage() -> None:
    check_transformed(
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n  weight_decay: 0.1\n",
        "model:\n  torch_dtype: bfloat16\n" + TE_BLOCK.format(mode="true"),
        pattern="te",
        convert=True,
    )


def test_noop_converting_te_to_fp32_without_a_model_section() -> None:
    check_noop(TE_BLOCK.format(mode="true") + "distributed:\n  strategy: ddp\n", pattern="fp32", convert=True)
