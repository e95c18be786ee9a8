"""MIG108 unknown-keyword-arguments (Python only): a call the migration would edit passes `**kwargs`."""

from __future__ import annotations

import pytest

from tests.rules.cases import FP32, PYTHON, TE, check

SHARD_HEAD = "import torch\nfrom torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n"
FP32_LOAD = "    model = M.from_pretrained(p, torch_dtype=torch.float32)\n"
BF16_LOAD = "    model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
ADAMW = "    opt = torch.optim.AdamW(model.parameters())\n"


@pytest.mark.parametrize(
    ("source", "part", "line", "pattern"),
    [
        pytest.param(
            "import torch\ndef f(kw):\n    model = M.from_pretrained(p, **kw)\n" + ADAMW,
            "loading call with **kwargs and no explicit torch_dtype: the dtype may be in the mapping",
            3,
            TE.name,
            id="loading-call",
        ),
        pytest.param(
            "import torch\ndef f(kw):\n" + BF16_LOAD + "    opt = torch.optim.AdamW(model.parameters(), **kw)\n",
            "optimizer built with *args/**kwargs: its arguments cannot be checked",
            4,
            TE.name,
            id="optimizer",
        ),
        pytest.param(
            SHARD_HEAD + "def f(kw):\n" + FP32_LOAD + "    fully_shard(model, **kw)\n" + ADAMW,
            "fully_shard with **kwargs: mp_policy may be in the mapping",
            5,
            FP32.name,
            id="fully-shard",
        ),
        pytest.param(
            SHARD_HEAD
            + "def f(kw):\n"
            + FP32_LOAD
            + "    fully_shard(model, mp_policy=MixedPrecisionPolicy(**kw))\n"
            + ADAMW,
            "MixedPrecisionPolicy with **kwargs: its fields cannot be checked",
            5,
            FP32.name,
            id="mixed-precision-policy",
        ),
    ],
)
def test_reported_and_left_unchanged(source: str, part: str, line: int, pattern: str) -> None:
    outcome = check(PYTHON, source, None, [("MIG108", part)], pattern=pattern)
    assert outcome.findings[0].line == line


def test_loading_call_with_kwargs_and_an_explicit_dtype_is_decided() -> None:
    before = "import torch\ndef f(kw):\n    model = M.from_pretrained(p, torch_dtype=torch.bfloat16, **kw)\n" + ADAMW
    after = before.replace("torch.bfloat16", f"torch.{FP32.storage_dtype}")
    check(PYTHON, before, after, [("MIG001", f"moved to pattern `{FP32.name}`")], pattern=FP32.name)
