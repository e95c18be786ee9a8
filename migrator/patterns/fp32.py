"""Pattern `fp32`: torch AdamW over float32 parameter storage, so its Adam state is float32 too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from migrator.core import automodel, builders
from migrator.core import schema_blocks as blocks
from migrator.core.changes import Change, Set
from migrator.core.recipes import Family
from migrator.patterns import te
from migrator.patterns.pattern import OPTIMIZER, Pattern, SchemaRules


@dataclass(frozen=True)
class Float32Storage(Pattern):
    def switch_changes(self, optimizer: Mapping[str, Any]) -> list[Change]:
        """FusedAdam -> torch: AdamW for decoupled decay, Adam for TE's L2 mode."""
        target = self.optimizer_target if optimizer.get("adam_w_mode", True) is not False else automodel.TORCH_ADAM
        return [Set((*OPTIMIZER, "_target_"), target)]

    def implicit_weight_decay(self, optimizer: Mapping[str, Any]) -> float | None:
        if "weight_decay" in optimizer or optimizer.get("adam_w_mode", True) is False:
            return None
        return te.DEFAULT_WEIGHT_DECAY  # FusedAdam's 0.0 must not become AdamW's 0.01

    def rejected_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        return [key for key in te.ONLY_ARGUMENTS if key in optimizer]

    def unmigratable_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        return ["bias_correction"] if optimizer.get("bias_correction") is False else []

    def decision_keys(self, optimizer: Mapping[str, Any]) -> tuple[str, ...]:
        return ("adam_w_mode", "bias_correction")

    def on_pattern_reason(self, optimizer_target: str) -> str:
        return f"{optimizer_target} with float32 parameter storage"

    def schema_rules(self) -> SchemaRules:
        # FusedAdam arguments torch rejects: FusedAdam-only keys that are not also torch arguments.
        te_only = [key for key in te.ONLY_ARGUMENTS if key not in te.REJECTED_ARGUMENTS]
        properties: dict[str, Any] = {
            "_target_": {
                "enum": sorted(self.optimizer_targets),
                "description": f"pattern fp32 runs torch Adam/AdamW (`{self.optimizer_target}`)",
            }
        }
        for key in te_only:
            properties[key] = blocks.forbidden(
                f"torch Adam/AdamW does not accept the TE argument `{key}` (TypeError); remove it"
            )
        optimizer = {
            "title": "torch Adam/AdamW",
            "description": f"pattern fp32 needs `_target_: {self.optimizer_target}` (or another torch Adam spelling)",
            "required": ["_target_"],
            "properties": properties,
        }
        fp32 = {
            **blocks.FP32_DTYPE,
            "description": f"pattern fp32 stores parameters in float32: write `{self.storage_dtype}`",
        }
        bagel_storage = {
            **fp32,
            "description": "BAGEL stores parameters in float32 when torch_dtype is unset; a written one must be a float32 spelling",
        }
        unset = {
            "required": ["torch_dtype"],
            "description": "unset is bf16 with AutoModel's loaders (KD recipes: bf16 on nemo-automodel 0.7.0, float32 "
            "where AutoModel resolves it) and undecided with other builders; "
            f"pattern fp32 writes `torch_dtype: {self.storage_dtype}`",
        }
        hf = builders.HF_DTYPE_KEY
        hf_unset = {
            "required": [hf],
            "description": "Hugging Face from_pretrained without a dtype loads the checkpoint's; "
            f"pattern fp32 writes `{hf}: {self.storage_dtype}`",
        }
        # Hugging Face `from_config` builds in its config's dtype when the model sets none (builders.py).
        config_fp32 = {
            "required": ["config"],
            "description": "Hugging Face from_config without a dtype builds in its config's dtype: "
            f"the config must give float32, or the model must say `{hf}: {self.storage_dtype}`",
            **blocks.under("config", blocks.config_gives(blocks.FP32_DTYPE)),
        }
        when_unset = {
            "if": blocks.hf_loader("from_config"),
            "then": config_fp32,
            "else": {"if": blocks.hf_loader("from_pretrained"), "then": hf_unset, "else": unset},
        }
        storage = {
            "title": "float32 parameter storage (BAGEL recipes and some model builders default to it)",
            **blocks.by_builder(
                {
                    "if": blocks.recipe_in(Family.BAGEL),
                    "then": blocks.under("model", blocks.storage(bagel_storage)),
                    "else": blocks.under("model", blocks.storage(fp32, when_unset=when_unset)),
                }
            ),
        }
        model_required = {
            "title": "A model section",
            "required": ["model"],
            "description": "pattern fp32 needs a `model` section: the storage dtype is set there",
        }
        return SchemaRules(optimizer, [model_required, storage])


PATTERN = Float32Storage(
    name="fp32",
    title="torch AdamW with float32 parameter storage",
    storage_dtype="float32",
    storage_kinds=frozenset({automodel.FP32}),
    optimizer_target=automodel.TORCH_ADAMW,
    optimizer_targets=frozenset(automodel.TORCH_ADAM_TARGETS),
    optimizer_name="torch Adam/AdamW",
    needs_model_section=True,
    state_sharded_by_tp=True,
    needs_dtype_strings=False,
    explanations=MappingProxyType(
        {
            "model.torch_dtype": "fp32 storage: torch AdamW keeps its Adam state in the parameter dtype",
            "optimizer._target_": "torch AdamW: its state is as precise as the fp32 parameters",
        }
    ),
)
