"""MIG103 te-not-expressible (warning): BAGEL recipes cannot take TE FusedAdam's dtype strings."""

from __future__ import annotations

import pytest

from migrator.core import automodel
from migrator.core.outcome import BLOCKED_BY_WARNING, Status
from migrator.core.settings import Options
from tests.rules.cases import FP32, PYTHON, TE, YAML, check, python_literal

BF16_ADAMW = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n"
LEFT = (
    "MIG103",
    f"BAGEL builds the optimizer without dtype-string conversion: TE settings cannot be written in YAML; use --pattern {FP32.name}",
)
NO_DISTRIBUTED = ("MIG104", "no distributed section")
# Left unchanged, each fix reads as not done, blocked by MIG103.
BLOCKED = "the file is left unchanged (MIG103)"


@pytest.mark.parametrize("recipe", ["PretrainRecipeForMultimodal", "FinetuneRecipeForMultimodal"])
def test_switch_left_unchanged(recipe: str) -> None:
    outcome = check(
        YAML,
        f"recipe: {recipe}\n" + BF16_ADAMW,
        None,
        [
            ("MIG001", f"keeps Adam state in bf16; not moved to pattern `{TE.name}`: {BLOCKED}"),
            (
                "MIG002",
                f"weight_decay is implicit (the current optimizer's default is 0.01, TE FusedAdam's differs); not written out: {BLOCKED}",
            ),
            LEFT,
            NO_DISTRIBUTED,
        ],
        Status.SKIPPED,
        pattern=TE.name,
    )
    assert outcome.skip_reason == BLOCKED_BY_WARNING


BAGEL_TE_WITH_STRING = (
    "recipe: FinetuneRecipeForMultimodal\nmodel:\n  torch_dtype: bf16\n"
    f"optimizer:\n  _target_: {automodel.TE_FUSED_ADAM}\n  master_weights: true\n  exp_avg_dtype: torch.float32\n"
)
UNCONVERTED = "BAGEL hands exp_avg_dtype to TE FusedAdam as a string, which it rejects"


@pytest.mark.parametrize(
    ("pattern", "advice"),
    [(TE.name, f"use --pattern {FP32.name} --convert"), (FP32.name, "pass --convert")],
)
def test_a_te_config_with_a_dtype_string_is_not_on_pattern_under_bagel(pattern: str, advice: str) -> None:
    """TE FusedAdam gets BAGEL's dtype strings unconverted and rejects them: the config is incomplete, not on the
    pattern, and only a conversion fixes it (found by the property test: the schema said so, classify did not)."""
    outcome = check(
        YAML,
        BAGEL_TE_WITH_STRING,
        None,
        [
            ("MIG004", f"{UNCONVERTED}; not completed to pattern `{TE.name}`: {BLOCKED}"),
            ("MIG103", f"cannot be written in YAML; {advice}"),
            NO_DISTRIBUTED,
        ],
        Status.SKIPPED,
        pattern=pattern,
    )
    assert outcome.open_findings  # the CI gate stays red: a risky config left as it is


def test_the_conversion_fixes_it() -> None:
    outcome = YAML.migrate(BAGEL_TE_WITH_STRING, Options(pattern=FP32.name, convert=True))
    assert outcome.status is Status.MIGRATED and "exp_avg_dtype" not in (outcome.new_text or "")


def test_completion_left_unchanged() -> None:
    source = f"recipe: PretrainRecipeForMultimodal\nmodel:\n  torch_dtype: bf16\noptimizer:\n  _target_: {automodel.TE_FUSED_ADAM}\n"
    check(
        YAML,
        source,
        None,
        [
            (
                "MIG004",
                f"TE FusedAdam without fp32 master weights/state: master_weights; not completed to pattern `{TE.name}`: {BLOCKED}",
            ),
            LEFT,
            NO_DISTRIBUTED,
        ],
        Status.SKIPPED,
        pattern=TE.name,
    )


def test_python_config_dict_left_unchanged_as_the_yaml_config_is() -> None:
    data = {
        "recipe": "FinetuneRecipeForMultimodal",
        "model": {"torch_dtype": "bf16"},
        "optimizer": {"_target_": "torch.optim.AdamW"},
    }
    outcome = check(
        PYTHON,
        f"cfg = {python_literal(data)}\n",
        None,
        [("MIG001", f"not moved to pattern `{TE.name}`: {BLOCKED}"), ("MIG002", BLOCKED), NO_DISTRIBUTED, LEFT],
        Status.SKIPPED,
        pattern=TE.name,
    )
    assert outcome.skip_reason == BLOCKED_BY_WARNING


def test_fp32_is_the_way_for_bagel() -> None:
    before = "recipe: FinetuneRecipeForMultimodal\n" + BF16_ADAMW
    check(
        YAML,
        before,
        before.replace("bf16", FP32.storage_dtype),
        [("MIG001", f"moved to pattern `{FP32.name}`"), NO_DISTRIBUTED],
        pattern=FP32.name,
    )


def test_bagel_unset_storage_is_already_fp32() -> None:
    check(
        YAML,
        "recipe: FinetuneRecipeForMultimodal\nmodel: {}\noptimizer:\n  _target_: torch.optim.AdamW\n",
        None,
        [NO_DISTRIBUTED],
        pattern=FP32.name,
    )
