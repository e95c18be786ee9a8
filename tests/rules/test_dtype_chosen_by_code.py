"""MIG112 dtype-chosen-by-code (Python only): a storage dtype the code chooses on purpose (a loop variable, a
function parameter, a branch on the dtype) is reported and left unchanged."""

from __future__ import annotations

import pytest

from tests.rules.cases import AUTOMODEL_IMPORT, FP32, PYTHON, TE, check

HEAD = "import torch\n" + AUTOMODEL_IMPORT
ON_PURPOSE = "storage dtype chosen on purpose"
NOT_MIGRATED = "; not migrated"
BRANCH = "the model is loaded under `dtype == torch.float32` (line 4)"

CHOSEN = {
    "loop-variable": (
        HEAD
        + "for dtype in (torch.float32, torch.bfloat16):\n"
        + "    model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=dtype)\n"
        + "    optimizer = torch.optim.AdamW(model.parameters())\n",
        [("MIG112", f"{ON_PURPOSE}: `dtype` is a loop variable{NOT_MIGRATED}")],
        [4],
    ),
    "function-parameter": (
        HEAD
        + "def build(p, dtype):\n"
        + "    model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=dtype)\n"
        + "    return torch.optim.AdamW(model.parameters())\n",
        [("MIG112", f"{ON_PURPOSE}: `dtype` is a parameter of `build`{NOT_MIGRATED}")],
        [4],
    ),
    "branch-on-the-dtype": (
        HEAD
        + "def bench(p, dtype):\n"
        + "    if dtype == torch.float32:\n"
        + "        model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.float32)\n"
        + "    else:\n"
        + "        model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        + "    return torch.optim.AdamW(model.parameters())\n",
        # each load is reported, the bf16 one in the else branch too
        [("MIG112", f"{ON_PURPOSE}: {BRANCH}{NOT_MIGRATED}")] * 2,
        [5, 7],
    ),
}


@pytest.mark.parametrize("pattern", [TE.name, FP32.name])
@pytest.mark.parametrize("case", list(CHOSEN))
def test_reported_and_left_unchanged(case: str, pattern: str) -> None:
    source, findings, lines = CHOSEN[case]
    outcome = check(PYTHON, source, None, findings, pattern=pattern)
    assert [located.line for located in outcome.findings] == lines


def test_a_literal_dtype_is_migrated_instead() -> None:
    # The control for `function-parameter`: the same function with the dtype written is decided (MIG001).
    before = (
        HEAD
        + "def build(p):\n"
        + "    model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        + "    return torch.optim.AdamW(model.parameters())\n"
    )
    after = before.replace("torch_dtype=torch.bfloat16", f"torch_dtype=torch.{FP32.storage_dtype}")
    check(PYTHON, before, after, [("MIG001", f"moved to pattern `{FP32.name}`")], pattern=FP32.name)
