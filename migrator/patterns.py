"""The single source of truth for the recommended precision patterns.

The YAML engine, the Python codemod, `generate` and the JSON Schemas read the canonical
values from here (the schemas are checked against this module by a test). Facts cite
`automodel-config-reference.md` sections (§) in the shared project notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

# §3.2: the torch Adam family AutoModel's own bf16 warning recognises, mapped to the class kind.
TORCH_ADAM_TARGETS: Mapping[str, str] = MappingProxyType(
    {
        "torch.optim.Adam": "Adam",
        "torch.optim.AdamW": "AdamW",
        "torch.optim.adam.Adam": "Adam",
        "torch.optim.adamw.AdamW": "AdamW",
    }
)
TORCH_ADAMW = "torch.optim.AdamW"
TORCH_ADAM = "torch.optim.Adam"

TE_FUSED_ADAM = "transformer_engine.pytorch.optimizers.fused_adam.FusedAdam"
TE_FUSED_ADAM_TARGETS = frozenset({TE_FUSED_ADAM, "transformer_engine.pytorch.optimizers.FusedAdam"})

# §2.1: dtype_from_str lower-cases its input; these are the spellings it maps per dtype.
BF16_SPELLINGS = ("bf16", "bfloat16", "torch.bfloat16")
FP32_SPELLINGS = ("float32", "float", "torch.float32", "torch.float")
FP16_SPELLINGS = ("float16", "half", "torch.float16", "torch.half")
AUTO = "auto"  # exact, lower-case only (§2.1)

# §3.4: TE FusedAdam settings that keep fp32 master weights and fp32 Adam state.
# `adam_w_mode` is derived per optimizer (see plan_optimizer.te_adam_w_mode).
TE_OPTIMIZER_SETTINGS: Mapping[str, Any] = MappingProxyType(
    {
        "bias_correction": True,
        "master_weights": True,
        "store_param_remainders": True,
        "exp_avg_dtype": "torch.float32",
        "exp_avg_sq_dtype": "torch.float32",
    }
)
# Keys whose absence or other value loses precision; the remaining ones are precision-safe.
TE_PRECISION_KEYS = ("master_weights", "exp_avg_dtype", "exp_avg_sq_dtype")
# TE's own defaults for the state dtypes are fp32, so an absent key is precision-safe.
TE_STATE_DTYPE_KEYS = ("exp_avg_dtype", "exp_avg_sq_dtype")

# §3.4: torch keyword arguments TE FusedAdam rejects (TypeError or RuntimeError).
TE_REJECTED_ARGUMENTS = (
    "foreach",
    "fused",
    "maximize",
    "differentiable",
    "capturable",
    "decoupled_weight_decay",
    "amsgrad",
)
# A rejected argument with one of these values changes the maths: refuse rather than drop.
TE_UNMIGRATABLE_VALUES: Mapping[str, Any] = MappingProxyType({"amsgrad": True, "maximize": True})
# TE-only keyword arguments torch Adam/AdamW do not accept (for `--convert` te -> fp32).
TE_ONLY_ARGUMENTS = (
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

ADAMW_DEFAULT_WEIGHT_DECAY = 0.01  # torch AdamW's default; TE defaults to 0.0
TE_DEFAULT_WEIGHT_DECAY = 0.0

# §4.3: equal to FSDP2Config's default, so writing it out changes nothing at run time.
MP_POLICY: Mapping[str, Any] = MappingProxyType(
    {
        "_target_": "torch.distributed.fsdp.MixedPrecisionPolicy",
        "param_dtype": "bfloat16",
        "reduce_dtype": "float32",
        "output_dtype": "bfloat16",
        "cast_forward_inputs": True,
    }
)

# §4.5, §7: how Python code names the FSDP2 entry points (public and private import paths).
MP_POLICY_CLASSES = frozenset(
    {
        MP_POLICY["_target_"],
        "torch.distributed.fsdp._fully_shard.MixedPrecisionPolicy",
        "torch.distributed.fsdp._fully_shard._fsdp_api.MixedPrecisionPolicy",
        "torch.distributed._composable.fsdp.MixedPrecisionPolicy",
    }
)
FULLY_SHARD_FUNCTIONS = frozenset(
    {
        "torch.distributed.fsdp.fully_shard",
        "torch.distributed.fsdp._fully_shard.fully_shard",
        "torch.distributed.fsdp._fully_shard._fully_shard.fully_shard",
        "torch.distributed._composable.fsdp.fully_shard",
    }
)
# §2.3, §7: the model-loading calls whose storage dtype keyword Python code sets.
MODEL_LOADERS = ("from_pretrained", "from_config")
DTYPE_KEYWORDS = ("torch_dtype", "dtype")

# §4.1, §4.6: where `distributed.mp_policy` is accepted.
FSDP2_STRATEGIES = frozenset({"fsdp2"})
NO_MP_POLICY_STRATEGIES = frozenset({"megatron_fsdp", "megatron-fsdp", "mfsdp", "ddp"})
FSDP2_LEGACY_TARGETS = frozenset(
    {
        "nemo_automodel.components.distributed.fsdp2.FSDP2Manager",
        "nemo_automodel.components.distributed.config.FSDP2Config",
    }
)


@dataclass(frozen=True)
class Pattern:
    name: str
    title: str
    storage_dtype: str  # the spelling migrate writes to model.torch_dtype
    optimizer_target: str  # the optimizer a migration to this pattern writes


PATTERNS: Mapping[str, Pattern] = MappingProxyType(
    {
        "te": Pattern("te", "Transformer Engine FusedAdam, fp32 master weights and state", "bfloat16", TE_FUSED_ADAM),
        "fp32": Pattern("fp32", "torch AdamW with float32 parameter storage", "float32", TORCH_ADAMW),
    }
)


def dtype_kind(value: object) -> str | None:
    """'bf16', 'fp32', 'fp16' for a spelling AutoModel accepts, else None."""
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    for kind, spellings in (("bf16", BF16_SPELLINGS), ("fp32", FP32_SPELLINGS), ("fp16", FP16_SPELLINGS)):
        if lowered in spellings:
            return kind
    return None
