from __future__ import annotations

from tests.tools import check_noop, check_transformed, codes

TE_TAIL = (
    "  adam_w_mode: true\n  bias_correction: true\n  master_weights: true\n  store_param_remainders: true\n"
    "  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n"
)


def test_adamw_default_decay_written_out_for_te() -> None:
    outcome = check_transformed(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-5\n",
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n"
        "  lr: 1.0e-5\n" + TE_TAIL + "  weight_decay: 0.01\n",
        pattern="te",
    )
    assert "MIG002" in codes(outcome)


def test_noop_for_adam_without_decay() -> None:
    outcome = check_transformed(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n",
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n"
        + TE_TAIL,
        pattern="te",
    )
    assert "MIG002" not in codes(outcome)


def test_te_default_decay_written_out_when_converting_to_adamw() -> None:
    outcome = check_transformed(
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n  master_weights: true\n",
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n  weight_decay: 0.0\n",
        pattern="fp32",
        convert=True,
    )
    assert codes(outcome) == ["MIG002", "MIG003", "MIG006", "MIG104"]


def test_noop_when_pattern_fp32_keeps_the_optimizer() -> None:
    check_noop("model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n", pattern="fp32")
