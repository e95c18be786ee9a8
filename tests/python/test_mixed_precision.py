"""MIG005 in Python: explicit MixedPrecisionPolicy on the trained model's fully_shard calls."""

from __future__ import annotations

import pytest

from tests.python.tools import check_noop, check_transformed, codes

HEAD = "import torch\nfrom torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n"
LOAD = "    model = M.from_pretrained(p, torch_dtype=torch.float32)\n"
OPT = "    opt = torch.optim.AdamW(model.parameters())\n"
POLICY = "MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32, output_dtype=torch.bfloat16, cast_forward_inputs=True)"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            HEAD + "def f():\n" + LOAD + "    fully_shard(model)\n" + OPT,
            HEAD
            + "def f():\n"
            + LOAD
            + f"    mp_policy = {POLICY}\n    fully_shard(model, mp_policy=mp_policy)\n"
            + OPT,
            id="no policy: one defined and passed",
        ),
        pytest.param(
            HEAD
            + "def f():\n"
            + LOAD
            + "    for layer in model.layers:\n        fully_shard(layer)\n    fully_shard(model)\n"
            + OPT,
            HEAD
            + "def f():\n"
            + LOAD
            + f"    mp_policy = {POLICY}\n    for layer in model.layers:\n        fully_shard(layer, mp_policy=mp_policy)\n    fully_shard(model, mp_policy=mp_policy)\n"
            + OPT,
            id="defined once per scope, not per call",
        ),
        pytest.param(
            HEAD + "def f(mp_policy):\n" + LOAD + "    fully_shard(model)\n" + OPT,
            HEAD
            + "def f(mp_policy):\n"
            + LOAD
            + f"    explicit_mp_policy = {POLICY}\n    fully_shard(model, mp_policy=explicit_mp_policy)\n"
            + OPT,
            id="name taken by a parameter",
        ),
        pytest.param(
            HEAD
            + "def f():\n"
            + LOAD
            + "    fully_shard(model, mp_policy=MixedPrecisionPolicy(torch.bfloat16, reduce_dtype=torch.bfloat16))\n"
            + OPT,
            HEAD
            + "def f():\n"
            + LOAD
            + "    fully_shard(model, mp_policy=MixedPrecisionPolicy(torch.bfloat16, reduce_dtype=torch.bfloat16, output_dtype=torch.bfloat16, cast_forward_inputs=True))\n"
            + OPT,
            id="inline policy completed, positional and explicit values kept",
        ),
        pytest.param(
            "import torch\nfrom torch.distributed.fsdp._fully_shard import MixedPrecisionPolicy as MP, fully_shard\ndef f():\n"
            + LOAD
            + "    pol = MP(param_dtype=torch.bfloat16)\n    fully_shard(model, mp_policy=pol)\n"
            + OPT,
            "import torch\nfrom torch.distributed.fsdp._fully_shard import MixedPrecisionPolicy as MP, fully_shard\ndef f():\n"
            + LOAD
            + "    pol = MP(param_dtype=torch.bfloat16, reduce_dtype=torch.float32, output_dtype=torch.bfloat16, cast_forward_inputs=True)\n    fully_shard(model, mp_policy=pol)\n"
            + OPT,
            id="private import path and alias, policy through a variable",
        ),
    ],
)
def test_transformed(before: str, after: str) -> None:
    check_transformed(before, after, pattern="fp32")


@pytest.mark.parametrize(
    ("source", "code"),
    [
        pytest.param(
            HEAD + "def f(kw):\n" + LOAD + "    fully_shard(model, **kw)\n" + OPT,
            "MIG108",
            id="fully_shard(**kwargs) reported",
        ),
        pytest.param(
            HEAD + "def f(policy):\n" + LOAD + "    fully_shard(model, mp_policy=policy)\n" + OPT,
            "MIG105",
            id="policy from a parameter reported",
        ),
        pytest.param(HEAD + "def f():\n" + LOAD + "    fully_shard(model)\n", "MIG106", id="optimizer built elsewhere"),
        pytest.param(
            HEAD
            + "def f():\n    model = torch.nn.Linear(2, 2)\n    fully_shard(model)\n"
            + OPT
            + "    ref = M.from_pretrained(p)\n",
            "MIG106",
            id="model not loaded here",
        ),
    ],
)
def test_noop_with_finding(source: str, code: str) -> None:
    assert code in codes(check_noop(source, pattern="fp32"))
