"""MIG004 incomplete-te-fused-adam: TE FusedAdam completed to fp32 master weights and state, whatever the pattern."""

from __future__ import annotations

import pytest

from migrator.patterns import PATTERNS, te
from tests.rules.cases import (
    PYTHON,
    TE,
    TE_REEXPORT,
    TE_TARGET,
    YAML,
    FrontEnd,
    check,
    python_arguments,
    python_import,
    python_literal,
    yaml_lines,
)

TARGET = TE_REEXPORT
HEAD = f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TARGET}\n"
PY_HEAD = "import torch\n" + python_import(TE_TARGET) + "model = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
NO_DISTRIBUTED = ("MIG104", "no distributed section")


def without(*keys: str) -> dict:
    return {key: value for key, value in te.SETTINGS.items() if key not in keys}


def completed(*gaps: str) -> tuple[str, str]:
    return ("MIG004", f"without fp32 master weights/state: {', '.join(gaps)}; completed to pattern `{TE.name}`")


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_completed_to_te_whatever_the_pattern(pattern: str) -> None:
    check(
        YAML,
        HEAD + "  exp_avg_dtype: torch.bfloat16  # small\n",
        HEAD + f"  exp_avg_dtype: {te.SETTINGS['exp_avg_dtype']}  # small\n" + yaml_lines(without("exp_avg_dtype")),
        [completed("master_weights", "exp_avg_dtype"), NO_DISTRIBUTED],
        pattern=pattern,
    )


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            HEAD + "  master_weights: false\n  store_param_remainders: false\n",
            HEAD
            + yaml_lines({"master_weights": te.SETTINGS["master_weights"]})
            + "  store_param_remainders: false\n"
            + yaml_lines(without("master_weights", "store_param_remainders")),
            [completed("master_weights"), NO_DISTRIBUTED],
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            PY_HEAD + "opt = FusedAdam(model.parameters(), master_weights=False)\n",
            PY_HEAD
            + f"opt = FusedAdam(model.parameters(), {python_arguments({'master_weights': te.SETTINGS['master_weights']})}, "
            + f"{python_arguments(without('master_weights'))})\n",
            [completed("master_weights")],
            id="python",
        ),
        pytest.param(
            PYTHON,
            "cfg = "
            + python_literal(
                {
                    "model": {"torch_dtype": "bf16"},
                    "optimizer": {"_target_": TARGET, "exp_avg_sq_dtype": "torch.bfloat16", "master_weights": True},
                }
            )
            + "\n",
            "cfg = "
            + python_literal(
                {
                    "model": {"torch_dtype": "bf16"},
                    "optimizer": {
                        "_target_": TARGET,
                        "exp_avg_sq_dtype": te.SETTINGS["exp_avg_sq_dtype"],
                        "master_weights": True,
                        **without("exp_avg_sq_dtype", "master_weights"),
                    },
                }
            )
            + "\n",
            [NO_DISTRIBUTED, completed("exp_avg_sq_dtype")],
            id="python-config-dict",
        ),
    ],
)
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_precision_keys_set_in_place(front: FrontEnd, before: str, after: str, findings: list, pattern: str) -> None:
    check(front, before, after, findings, pattern=pattern)


@pytest.mark.parametrize(
    ("front", "source", "findings"),
    [
        pytest.param(YAML, HEAD + "  master_weights: true\n", [NO_DISTRIBUTED], id="yaml"),
        pytest.param(PYTHON, PY_HEAD + "opt = FusedAdam(model.parameters(), master_weights=True)\n", [], id="python"),
    ],
)
def test_noop_when_only_precision_safe_keys_are_missing(front: FrontEnd, source: str, findings: list) -> None:
    check(front, source, None, findings, pattern=TE.name)
