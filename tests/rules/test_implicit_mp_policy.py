"""MIG005 implicit-mp-policy: the FSDP2 mixed-precision policy written out, in YAML and on `fully_shard` calls."""

from __future__ import annotations

import pytest

from migrator import patterns
from tests.rules.cases import (
    PYTHON,
    YAML,
    check,
    mp_policy_call,
    mp_policy_yaml,
    python_arguments,
    python_literal,
    yaml_lines,
)

HEAD = "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n"
MADE_EXPLICIT = (
    "MIG005",
    "distributed.mp_policy is implicit under FSDP2 (AutoModel's default: bf16 parameters, fp32 reduction); "
    "policy written out",
)
POLICY_FIELDS = [key for key in patterns.MP_POLICY if key != "_target_"]


def missing(policy: dict) -> dict:
    return {key: value for key, value in patterns.MP_POLICY.items() if key not in policy}


@pytest.mark.parametrize(
    "distributed",
    [
        pytest.param("  strategy: fsdp2\n", id="fsdp2"),
        pytest.param("  dp_size: none\n", id="no-strategy"),
        pytest.param("  _target_: nemo_automodel.components.distributed.fsdp2.FSDP2Manager\n", id="legacy-target"),
    ],
)
def test_policy_added_under_fsdp2(distributed: str) -> None:
    before = HEAD + "distributed:\n" + distributed
    check(YAML, before, before + mp_policy_yaml(), [MADE_EXPLICIT])


def test_policy_goes_before_trailing_comments_and_blank_lines() -> None:
    check(
        YAML,
        "distributed:\n  strategy: fsdp2\n  # tp_size: 2\n\n" + HEAD,
        "distributed:\n  strategy: fsdp2\n" + mp_policy_yaml() + "  # tp_size: 2\n\n" + HEAD,
        [MADE_EXPLICIT],
    )


def test_four_space_file_gets_four_space_policy() -> None:
    before = "model:\n    torch_dtype: float32\noptimizer:\n    _target_: torch.optim.AdamW\ndistributed:\n    strategy: fsdp2\n"
    check(YAML, before, before + mp_policy_yaml(indent="    "), [MADE_EXPLICIT])


def test_existing_values_kept_missing_keys_added() -> None:
    policy = {"param_dtype": "bf16", "output_dtype": "float32"}
    before = HEAD + "distributed:\n  mp_policy:\n" + yaml_lines(policy, "    ")
    added = missing(policy)
    check(
        YAML,
        before,
        before + yaml_lines(added, "    "),
        [
            (
                "MIG005",
                f"distributed.mp_policy misses {', '.join(added)} (the default applies to them); missing keys added",
            )
        ],
    )


def test_noop_when_complete() -> None:
    check(YAML, HEAD + "distributed:\n  strategy: fsdp2\n" + mp_policy_yaml(), None, [])


# -- Python: the trained model's `fully_shard` calls, and config dicts ---------------------------------------
PY_HEAD = "import torch\nfrom torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n"
LOAD = "    model = M.from_pretrained(p, torch_dtype=torch.float32)\n"
OPT = "    opt = torch.optim.AdamW(model.parameters())\n"
POLICY = mp_policy_call()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            PY_HEAD + "def f():\n" + LOAD + "    fully_shard(model)\n" + OPT,
            PY_HEAD
            + "def f():\n"
            + LOAD
            + f"    mp_policy = {POLICY}\n    fully_shard(model, mp_policy=mp_policy)\n"
            + OPT,
            id="no policy: one defined and passed",
        ),
        pytest.param(
            PY_HEAD
            + "def f():\n"
            + LOAD
            + "    for layer in model.layers:\n        fully_shard(layer)\n    fully_shard(model)\n"
            + OPT,
            PY_HEAD
            + "def f():\n"
            + LOAD
            + f"    mp_policy = {POLICY}\n    for layer in model.layers:\n        fully_shard(layer, mp_policy=mp_policy)\n"
            "    fully_shard(model, mp_policy=mp_policy)\n" + OPT,
            id="defined once per scope, not per call",
        ),
        pytest.param(
            PY_HEAD + "def f(mp_policy):\n" + LOAD + "    fully_shard(model)\n" + OPT,
            PY_HEAD
            + "def f(mp_policy):\n"
            + LOAD
            + f"    explicit_mp_policy = {POLICY}\n    fully_shard(model, mp_policy=explicit_mp_policy)\n"
            + OPT,
            id="name taken by a parameter",
        ),
    ],
)
def test_python_policy_defined_and_passed(before: str, after: str) -> None:
    name = "explicit_mp_policy" if "def f(mp_policy)" in before else "mp_policy"
    calls = [number for number, line in enumerate(before.splitlines(), 1) if "fully_shard(" in line]
    finding = ("MIG005", f"fully_shard without mp_policy: passes `{name}`, an explicit MixedPrecisionPolicy(")
    outcome = check(PYTHON, before, after, [finding] * len(calls), pattern="fp32")
    assert [located.line for located in outcome.findings] == calls


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            PY_HEAD
            + "def f():\n"
            + LOAD
            + "    fully_shard(model, mp_policy=MixedPrecisionPolicy(torch.bfloat16, reduce_dtype=torch.bfloat16))\n"
            + OPT,
            PY_HEAD
            + "def f():\n"
            + LOAD
            + "    fully_shard(model, mp_policy=MixedPrecisionPolicy(torch.bfloat16, reduce_dtype=torch.bfloat16, "
            + python_arguments({key: patterns.MP_POLICY[key] for key in POLICY_FIELDS[2:]})
            + "))\n"
            + OPT,
            id="inline policy completed, positional and explicit values kept",
        ),
        pytest.param(
            "import torch\nfrom torch.distributed.fsdp._fully_shard import MixedPrecisionPolicy as MP, fully_shard\n"
            "def f():\n"
            + LOAD
            + "    pol = MP(param_dtype=torch.bfloat16)\n    fully_shard(model, mp_policy=pol)\n"
            + OPT,
            "import torch\nfrom torch.distributed.fsdp._fully_shard import MixedPrecisionPolicy as MP, fully_shard\n"
            "def f():\n" + LOAD + f"    pol = {mp_policy_call('MP')}\n    fully_shard(model, mp_policy=pol)\n" + OPT,
            id="private import path and alias, policy through a variable",
        ),
    ],
)
def test_python_policy_completed(before: str, after: str) -> None:
    check(PYTHON, before, after, [("MIG005", "completed with")], pattern="fp32")


def test_python_config_dict_gets_the_policy_as_in_yaml() -> None:
    data = {
        "model": {},
        "optimizer": {"_target_": "torch.optim.Adam", "weight_decay": 0},
        "distributed": {"strategy": "fsdp2"},
    }
    after = {
        **data,
        "model": {"torch_dtype": "float32"},
        "distributed": {"strategy": "fsdp2", "mp_policy": dict(patterns.MP_POLICY)},
    }
    check(
        PYTHON,
        f"cfg = {python_literal(data)}\n",
        f"cfg = {python_literal(after)}\n",
        [("MIG001", "moved to pattern `fp32`"), MADE_EXPLICIT],
        pattern="fp32",
    )


def test_python_noop_when_complete() -> None:
    source = PY_HEAD + "def f():\n" + LOAD + f"    fully_shard(model, mp_policy={POLICY})\n" + OPT
    check(PYTHON, source, None, [], pattern="fp32")
