"""Pattern `te`: Transformer Engine FusedAdam with fp32 master weights and fp32 Adam state over bf16 storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from migrator.core import automodel
from migrator.core import schema_blocks as blocks
from migrator.core.changes import Change, Set
from migrator.core.recipes import Family
from migrator.patterns.pattern import OPTIMIZER, Pattern, SchemaRules

# facts §3.4: FusedAdam settings that keep fp32 master weights and fp32 Adam state.
# `adam_w_mode` is derived per optimizer (`adam_w_mode` below).
SETTINGS: Mapping[str, Any] = MappingProxyType(
    {
        "bias_correction": True,
        "master_weights": True,
        "store_param_remainders": True,
        "exp_avg_dtype": "torch.float32",
        "exp_avg_sq_dtype": "torch.float32",
    }
)
# Keys whose absence or other value loses precision; the remaining ones are precision-safe.
PRECISION_KEYS = ("master_weights", "exp_avg_dtype", "exp_avg_sq_dtype")
# TE's own defaults for the state dtypes are fp32, so an absent key is precision-safe.
STATE_DTYPE_KEYS = ("exp_avg_dtype", "exp_avg_sq_dtype")
# facts §3.4: torch keyword arguments FusedAdam rejects (TypeError or RuntimeError).
REJECTED_ARGUMENTS = (
    "foreach",
    "fused",
    "maximize",
    "differentiable",
    "capturable",
    "decoupled_weight_decay",
    "amsgrad",
)
# A rejected argument with one of these values changes the maths: refuse rather than drop.
UNMIGRATABLE_VALUES: Mapping[str, Any] = MappingProxyType({"amsgrad": True, "maximize": True})
# FusedAdam-only keyword arguments torch Adam/AdamW do not accept.
ONLY_ARGUMENTS = (
    "adam_w_mode",
    "bias_correction",
    "master_weights",
    "master_weight_dtype",
    "store_param_remainders",
    "exp_avg_dtype",
    "exp_avg_sq_dtype",
    "use_decoupled_grad",
    "set_grad_none",
    "capturable",
)
DEFAULT_WEIGHT_DECAY = 0.0


def adam_w_mode(optimizer: Mapping[str, Any]) -> bool:
    """Classic Adam with non-zero decay is L2 regularisation: TE's `adam_w_mode: false`."""
    kind = automodel.TORCH_ADAM_TARGETS.get(optimizer.get("_target_", ""))
    decay = automodel.as_number(optimizer.get("weight_decay", DEFAULT_WEIGHT_DECAY))
    decoupled = optimizer.get("decoupled_weight_decay") is True
    return not (kind == "Adam" and decay != 0 and not decoupled)


def _precise(key: str, value: Any) -> bool:
    wanted = SETTINGS[key]
    return value is True if wanted is True else automodel.dtype_kind(value) == automodel.dtype_kind(wanted)


@dataclass(frozen=True)
class TransformerEngine(Pattern):
    def precision_gaps(self, optimizer: Mapping[str, Any]) -> list[str]:
        # The state dtypes default to fp32 in TE; master weights default to False.
        missing = [] if optimizer.get("master_weights") is True else ["master_weights"]
        return missing + [key for key in STATE_DTYPE_KEYS if key in optimizer and not _precise(key, optimizer[key])]

    def dtype_strings(self, optimizer: Mapping[str, Any]) -> list[str]:
        return [key for key in STATE_DTYPE_KEYS if key in optimizer]

    def completion_changes(self, optimizer: Mapping[str, Any]) -> list[Change]:
        """Precision keys forced to the canonical value; precision-safe ones only added when absent."""
        changes: list[Change] = []
        for key, value in SETTINGS.items():
            wrong = key in PRECISION_KEYS and not _precise(key, optimizer.get(key))
            if wrong or key not in optimizer:
                changes.append(Set((*OPTIMIZER, key), value))
        return changes

    def switch_changes(self, optimizer: Mapping[str, Any]) -> list[Change]:
        """torch Adam/AdamW -> FusedAdam: target, update rule, fp32 master weights and state."""
        return [
            Set((*OPTIMIZER, "_target_"), self.optimizer_target),
            Set((*OPTIMIZER, "adam_w_mode"), adam_w_mode(optimizer)),
            *self.completion_changes(optimizer),
        ]

    def implicit_weight_decay(self, optimizer: Mapping[str, Any]) -> float | None:
        if "weight_decay" in optimizer or automodel.TORCH_ADAM_TARGETS.get(optimizer.get("_target_", "")) != "AdamW":
            return None
        return automodel.ADAMW_DEFAULT_WEIGHT_DECAY  # AdamW's 0.01 must not become FusedAdam's 0.0

    def rejected_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        return [key for key in REJECTED_ARGUMENTS if key in optimizer]

    def unmigratable_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        return [key for key, bad in UNMIGRATABLE_VALUES.items() if optimizer.get(key) is bad]

    def decision_keys(self, optimizer: Mapping[str, Any]) -> tuple[str, ...]:
        keys = ("decoupled_weight_decay", *UNMIGRATABLE_VALUES, *PRECISION_KEYS)
        if automodel.TORCH_ADAM_TARGETS.get(optimizer.get("_target_", "")) == "Adam":
            keys += ("weight_decay",)  # decides adam_w_mode (L2 or decoupled)
        return keys

    def on_pattern_reason(self, optimizer_target: str) -> str:
        return "TE FusedAdam with fp32 master weights and state"

    def incomplete_reason(self, gaps: list[str]) -> str:
        return "TE FusedAdam without fp32 master weights/state: " + ", ".join(gaps)

    def schema_rules(self) -> SchemaRules:
        properties: dict[str, Any] = {
            "_target_": {
                "enum": sorted(self.optimizer_targets),
                "description": f"pattern te runs Transformer Engine FusedAdam (`{self.optimizer_target}`)",
            },
            "master_weights": {
                "const": SETTINGS["master_weights"],
                "description": "`master_weights: true` keeps fp32 master weights (TE's default is False: bf16 weights updated in place)",
            },
        }
        for key in STATE_DTYPE_KEYS:
            properties[key] = {
                **blocks.FP32_DTYPE,
                "description": f"`{key}` must keep the Adam state in fp32 (absent means TE's fp32 default)",
            }
        for key in REJECTED_ARGUMENTS:
            properties[key] = blocks.forbidden(
                f"TE FusedAdam does not accept `{key}` (TypeError or RuntimeError); remove it"
            )
        optimizer = {
            "title": "TE FusedAdam with fp32 master weights and fp32 Adam state",
            # One `required` per key, so a missing key is reported with its own reason.
            "allOf": [
                {"required": [key], "description": properties[key]["description"]}
                for key in ("_target_", "master_weights")
            ],
            "properties": properties,
        }
        torch_dtype = blocks.dtype_or_unset(
            automodel.BF16_SPELLINGS + automodel.FP32_SPELLINGS,
            f"pattern te stores parameters in bf16 (unset, auto, null or {', '.join(automodel.BF16_SPELLINGS)}); "
            "float32 works too; fp16 and misspelled dtypes do not",
        )
        storage = {
            "title": "bf16 parameter storage",
            **blocks.by_builder(blocks.under("model", blocks.storage(torch_dtype))),
        }
        # BAGEL instantiates the optimizer raw: a dtype string reaches TE unconverted and fails TE's check (facts §3.3).
        no_strings = {
            key: blocks.forbidden(
                f"BAGEL hands `{key}` to TE as a string, which TE rejects; drop it (TE's default is fp32)"
            )
            for key in STATE_DTYPE_KEYS
        }
        bagel = {
            "title": "BAGEL: no TE state dtype strings",
            "if": blocks.recipe_in(Family.BAGEL),
            "then": blocks.under("optimizer", {"properties": no_strings}),
        }
        return SchemaRules(optimizer, [storage, bagel])


PATTERN = TransformerEngine(
    name="te",
    title="Transformer Engine FusedAdam, fp32 master weights and state",
    storage_dtype="bfloat16",
    storage_kinds=frozenset({automodel.BF16, automodel.FP32}),
    optimizer_target=automodel.TE_FUSED_ADAM,
    optimizer_targets=automodel.TE_FUSED_ADAM_TARGETS,
    optimizer_name="TE FusedAdam",
    needs_model_section=False,
    state_sharded_by_tp=False,  # FusedAdam allocates exp_avg/exp_avg_sq TP-local (facts §3.4)
    needs_dtype_strings=True,
    explanations=MappingProxyType(
        {
            "model.torch_dtype": "bf16 storage: TE FusedAdam keeps fp32 master weights and Adam state itself",
            "optimizer._target_": "TE FusedAdam: precise Adam state without fp32 parameters",
            "optimizer.adam_w_mode": "decoupled weight decay, as torch AdamW",
            "optimizer.bias_correction": "as torch Adam/AdamW",
            "optimizer.master_weights": "fp32 master weights; TE's default (False) updates the bf16 weights in place",
            "optimizer.store_param_remainders": "fp32 master kept as bf16 weight + 16-bit remainder: saves memory, same precision",
            "optimizer.exp_avg_dtype": "Adam first moment in fp32",
            "optimizer.exp_avg_sq_dtype": "Adam second moment in fp32",
        }
    ),
)
