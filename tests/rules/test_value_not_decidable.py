"""MIG105 value-not-decidable (Python only): a value the decision needs is not a literal; nothing changed."""

from __future__ import annotations

import pytest

from tests.rules.cases import FP32, PYTHON, TE, check, mp_policy_call, te_arguments, te_import_in

NOT_LITERAL = "not a literal: not migrated; set it explicitly or migrate by hand"
SHARD_HEAD = "import torch\nfrom torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n"
FP32_LOAD = "    model = M.from_pretrained(p, torch_dtype=torch.float32)\n"
ADAMW = "    opt = torch.optim.AdamW(model.parameters())\n"


@pytest.mark.parametrize(
    ("source", "part", "line", "pattern"),
    [
        pytest.param(
            # (a dtype that is a parameter of the function is chosen by its caller: MIG112)
            "import torch\ndtype = settings.dtype\ndef f():\n    model = M.from_pretrained(p, torch_dtype=dtype)\n"
            + ADAMW,
            f"the storage dtype comes from `dtype`, {NOT_LITERAL}",
            4,
            TE.name,
            id="storage-dtype-from-a-variable",
        ),
        pytest.param(
            "import torch\ndef f(flag):\n    model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            "    opt = torch.optim.AdamW(model.parameters(), amsgrad=flag)\n",
            f"`amsgrad` comes from `flag`, {NOT_LITERAL}",
            4,
            TE.name,
            id="amsgrad-decides-mig101",
        ),
        pytest.param(
            "import torch\ndef f(wd):\n    model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            "    opt = torch.optim.Adam(model.parameters(), weight_decay=wd)\n",
            f"`weight_decay` comes from `wd`, {NOT_LITERAL}",
            4,
            TE.name,
            id="adam-weight-decay-decides-adam-w-mode",
        ),
        pytest.param(
            # (a cast to a literal dtype decides the storage and is migrated: `test_a_literal_cast_is_decided`)
            "import torch\nmodel = M.from_pretrained(p)\nmodel.to(dtype=dtype)\nopt = torch.optim.AdamW(model.parameters())\n",
            f"the storage dtype comes from `dtype`, {NOT_LITERAL}",
            3,
            FP32.name,
            id="cast-to-a-variable-dtype",
        ),
        pytest.param(
            SHARD_HEAD + "def f(policy):\n" + FP32_LOAD + "    fully_shard(model, mp_policy=policy)\n" + ADAMW,
            "mp_policy comes from `policy`, defined elsewhere: not completed",
            5,
            FP32.name,
            id="mp-policy-from-a-parameter",
        ),
        pytest.param(
            'args = ["--model.torch_dtype", dtype, "--optimizer._target_", "torch.optim.AdamW"]\n',
            "override `model.torch_dtype` is not a literal: not migrated",
            1,
            FP32.name,
            id="cli-override-from-a-variable",
        ),
        pytest.param(
            'cfg = {"model": {"torch_dtype": dtype}, "optimizer": {"_target_": "torch.optim.AdamW"}}\n',
            "`model.torch_dtype` is not a literal in this config dict: not migrated",
            1,
            FP32.name,
            id="config-dict-value-from-a-variable",
        ),
        pytest.param(
            # `.to(DTYPE)` after the load may cast back to bf16: a positional dtype variable is a cast, not a device
            "import torch\nDTYPE = pick()\ndef f():\n    model = NeMoAutoModelForCausalLM.from_pretrained(p).to(DTYPE)\n"
            "    opt = torch.optim.AdamW(model.parameters())\n",
            f"the storage dtype comes from `DTYPE`, {NOT_LITERAL}",
            4,
            FP32.name,
            id="chained-positional-cast-to-a-dtype-variable",
        ),
    ],
)
def test_reported_and_left_unchanged(source: str, part: str, line: int, pattern: str) -> None:
    outcome = check(PYTHON, source, None, [("MIG105", part)], pattern=pattern)
    assert outcome.findings[0].line == line


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "import torch\ndef f(wd):\n    model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            "    opt = torch.optim.AdamW(model.parameters(), weight_decay=wd)\n",
            "import torch\ndef f(wd):\n    model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            + te_import_in()
            + f"    opt = FusedAdam(model.parameters(), weight_decay=wd, {te_arguments()})\n",
            id="adamw-weight-decay-is-not-read",
        ),
    ],
)
def test_a_value_the_decision_does_not_read_may_be_a_variable(before: str, after: str) -> None:
    check(PYTHON, before, after, [("MIG001", f"moved to pattern `{TE.name}`")], pattern=TE.name)


def test_a_literal_cast_is_decided() -> None:
    # The control for `cast-to-a-variable-dtype`: a cast to a literal dtype sets the storage, and is what changes.
    before = "import torch\nmodel = M.from_pretrained(p)\nmodel.to(dtype=torch.bfloat16)\nopt = torch.optim.AdamW(model.parameters())\n"
    after = (
        "import torch\nmodel = M.from_pretrained(p)\n"
        f"model.to(dtype=torch.{FP32.storage_dtype})\nopt = torch.optim.AdamW(model.parameters())\n"
    )
    check(PYTHON, before, after, [("MIG001", f"moved to pattern `{FP32.name}`")], pattern=FP32.name)


def test_literal_policy_is_completed_where_a_variable_is_not() -> None:
    # The control for `mp-policy-from-a-parameter`: the same call with the policy written inline.
    source = SHARD_HEAD + "def f():\n" + FP32_LOAD + f"    fully_shard(model, mp_policy={mp_policy_call()})\n" + ADAMW
    check(PYTHON, source, None, [], pattern=FP32.name)
