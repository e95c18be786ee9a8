"""What AutoModel and torch accept and how they name things: dtype spellings, optimizer classes, FSDP2
entry points, strategies. Facts, not recommendations (those are `migrator.patterns`).

`facts §N.M` in comments cites that section of `docs/automodel-facts.md`, which gives the AutoModel source paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# facts §3.2: the torch Adam family AutoModel's own bf16 warning recognises, mapped to the class kind.
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
ADAMW_DEFAULT_WEIGHT_DECAY = 0.01  # torch AdamW's default

# facts §3.4: Transformer Engine's FusedAdam, by its module path and its package re-export.
TE_FUSED_ADAM = "transformer_engine.pytorch.optimizers.fused_adam.FusedAdam"
TE_FUSED_ADAM_TARGETS = frozenset({TE_FUSED_ADAM, "transformer_engine.pytorch.optimizers.FusedAdam"})

# facts §2.1: dtype_from_str lower-cases its input; these are the spellings it maps per dtype.
BF16_SPELLINGS = ("bf16", "bfloat16", "torch.bfloat16")
FP32_SPELLINGS = ("float32", "float", "torch.float32", "torch.float")
FP16_SPELLINGS = ("float16", "half", "torch.float16", "torch.half")
AUTO = "auto"  # exact, lower-case only (facts §2.1)

# facts §4.5, §7: how Python code names the FSDP2 entry points (public and private import paths).
MIXED_PRECISION_POLICY = "torch.distributed.fsdp.MixedPrecisionPolicy"
MP_POLICY_CLASSES = frozenset(
    {
        MIXED_PRECISION_POLICY,
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
# facts §2.3, §7: the model-loading calls whose storage dtype keyword Python code sets.
MODEL_LOADERS = ("from_pretrained", "from_config")
DTYPE_KEYWORDS = ("torch_dtype", "dtype")

# facts §4.1, §4.6: where `distributed.mp_policy` is accepted.
FSDP2_STRATEGIES = frozenset({"fsdp2"})
NO_MP_POLICY_STRATEGIES = frozenset({"megatron_fsdp", "megatron-fsdp", "mfsdp", "ddp"})
FSDP2_LEGACY_TARGETS = frozenset(
    {
        "nemo_automodel.components.distributed.fsdp2.FSDP2Manager",
        "nemo_automodel.components.distributed.config.FSDP2Config",
    }
)

BF16, FP32, FP16 = "bf16", "fp32", "fp16"  # dtype kinds


def dtype_kind(value: object) -> str | None:
    """BF16, FP32 or FP16 for a spelling AutoModel accepts, else None."""
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    for kind, spellings in ((BF16, BF16_SPELLINGS), (FP32, FP32_SPELLINGS), (FP16, FP16_SPELLINGS)):
        if lowered in spellings:
            return kind
    return None


def as_number(value: object) -> float | None:
    """A numeric config value as AutoModel reads it (`1e-2` is a YAML 1.1 string, literal-evaluated later)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
