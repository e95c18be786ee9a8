"""MIG109 partial-config-override (Python only): an override sets half of the decision; nothing changed."""

from __future__ import annotations

import pytest

from tests.rules.cases import FP32, PYTHON, TE, check

FROM_LOADED = "comes from the loaded config: migrate that config instead"


@pytest.mark.parametrize(
    ("source", "part", "pattern"),
    [
        pytest.param(
            'args = ["--model.torch_dtype", "bf16"]\n',
            f"override sets `model.torch_dtype` to 'bf16'; `optimizer._target_` {FROM_LOADED}",
            FP32.name,
            id="cli-only-the-dtype",
        ),
        pytest.param(
            'cfg.set_by_dotted("optimizer._target_", "torch.optim.AdamW")\n',
            f"override sets `optimizer._target_` to 'torch.optim.AdamW'; `model.torch_dtype` {FROM_LOADED}",
            FP32.name,
            id="set-by-dotted-only-the-optimizer",
        ),
        pytest.param(
            'args = ["--model.torch_dtype", "bf16", "--optimizer._target_", "torch.optim.AdamW"]\n',
            "switching the optimizer class with overrides cannot add or remove the loaded config's optimizer keys",
            TE.name,
            id="cli-te-switch-needs-keys-the-cli-cannot-remove",
        ),
    ],
)
def test_reported_and_left_unchanged(source: str, part: str, pattern: str) -> None:
    check(PYTHON, source, None, [("MIG109", part)], pattern=pattern)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            'args = ["--model.torch_dtype", "bf16", "--optimizer._target_", "torch.optim.AdamW"]\n',
            f'args = ["--model.torch_dtype", "{FP32.storage_dtype}", "--optimizer._target_", "torch.optim.AdamW"]\n',
            id="both-halves",
        ),
        pytest.param(
            'args = ["--model.torch_dtype=bf16", "--optimizer._target_", "torch.optim.AdamW"]\n',
            f'args = ["--model.torch_dtype={FP32.storage_dtype}", "--optimizer._target_", "torch.optim.AdamW"]\n',
            id="key-equals-value-form",
        ),
    ],
)
def test_both_halves_are_replaced_in_place(before: str, after: str) -> None:
    check(PYTHON, before, after, [("MIG001", f"moved to pattern `{FP32.name}`")], pattern=FP32.name)


def test_a_safe_half_is_not_reported() -> None:
    check(PYTHON, f'args = ["--model.torch_dtype={FP32.storage_dtype}"]\n', None, [], pattern=FP32.name)
