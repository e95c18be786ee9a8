"""Configs living in Python: dict literals, CLI override lists, cfg mutations (same rules as YAML).

The rule-specific cases (MIG005 in a dict, MIG105, MIG109) are in `tests/rules/`."""

from __future__ import annotations

import pytest

from tests.python.tools import check_noop, check_transformed


@pytest.mark.parametrize(
    ("before", "after", "pattern"),
    [
        pytest.param(
            'cfg = {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.Adam", "weight_decay": 0}}\n',
            'cfg = {"model": {"torch_dtype": "float32"}, "optimizer": {"_target_": "torch.optim.Adam", "weight_decay": 0}}\n',
            "fp32",
            id="dict: dtype replaced",
        ),
        pytest.param(
            "cfg = {'model': {}, 'optimizer': {'_target_': 'torch.optim.Adam', 'weight_decay': 0}}\n",
            "cfg = {'model': {'torch_dtype': 'float32'}, 'optimizer': {'_target_': 'torch.optim.Adam', 'weight_decay': 0}}\n",
            "fp32",
            id="dict: dtype inserted, quote style kept",
        ),
        pytest.param(
            'def f(cfg):\n    cfg.model.torch_dtype = "auto"\n    cfg.optimizer._target_ = "torch.optim.AdamW"\n',
            'def f(cfg):\n    cfg.model.torch_dtype = "float32"\n    cfg.optimizer._target_ = "torch.optim.AdamW"\n',
            "fp32",
            id="cfg attribute mutation",
        ),
    ],
)
def test_transformed(before: str, after: str, pattern: str) -> None:
    check_transformed(before, after, pattern=pattern)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('state = {"model": model, "optimizer": optimizer}\n', id="checkpoint payload"),
        pytest.param('cfg = {"optimizer": {"_target_": "torch.optim.AdamW"}}\n', id="no model section"),
        pytest.param(
            'cfg = {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.SGD"}}\n', id="SGD"
        ),
        pytest.param(
            'cfg = {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.AdamW"}, "peft": {"dim": 8}}\n',
            id="peft",
        ),
        pytest.param('args = ["--model.torch_dtype=float32"]\n', id="cli: already fp32"),
        pytest.param("text_config.torch_dtype = torch.bfloat16\n", id="HF config attribute, not cfg.model"),
    ],
)
def test_noop(source: str) -> None:
    check_noop(source, pattern="fp32")
