"""Which code builds the model, and the storage dtype it gives when the config or the call sets none (§2.3).

One table for both front ends: a YAML recipe's `model._target_` and a Python loading call's qualified name
are looked up the same way. AutoModel applies its own dtype handling only in its `NeMoAutoModel*` entry
points (unset or `auto` -> bf16); any other target is called with the keyword arguments alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from migrator.core import automodel


class Unset(enum.Enum):
    """What an unset (or `auto`) storage dtype means for a builder."""

    BF16 = automodel.BF16  # AutoModel's own resolution
    FP32 = automodel.FP32  # parameters built in torch's default dtype
    CHECKPOINT = "checkpoint"  # loaded in the checkpoint's own dtype: not provable from the file
    BUILDER = "builder"  # decided by code we do not know


@dataclass(frozen=True)
class Builder:
    target: str | None  # as written (None: the recipe's default loader)
    unset: Unset
    honours_dtype: bool  # an explicit dtype reaches the parameters (False: swallowed by the builder)
    kind: str  # for messages: what decides the dtype

    @property
    def proven(self) -> bool:
        """An unset dtype is known from the file alone."""
        return self.unset in (Unset.BF16, Unset.FP32)

    def unset_means(self) -> str:
        """Why an unset dtype is what it is, for findings."""
        if self.unset is Unset.CHECKPOINT:
            return f"storage follows the checkpoint's dtype (`{self.target}` without a dtype)"
        if self.unset is Unset.BUILDER:
            return f"storage dtype decided by `{self.target}`"
        return f"{self.kind}: unset means {self.unset.value}"


# AutoModel's entry points: `nemo_automodel.NeMoAutoModel<Task>` (or its private module path), these methods.
AUTOMODEL_PACKAGE = "nemo_automodel"
AUTOMODEL_CLASS_PREFIX = "NeMoAutoModel"
AUTOMODEL_METHODS = ("from_pretrained", "from_config")
# Hugging Face libraries whose Auto/model classes load without AutoModel's dtype handling.
HF_PACKAGES = ("transformers", "diffusers")
# Project builders known to ignore a dtype argument (their parameters stay in torch's default fp32).
DTYPE_IGNORING_BUILDERS = frozenset({"nemo_automodel.components.models.gpt2.build_gpt2_model"})


def builder_of(target: object) -> Builder:
    """The builder a `model._target_` (or a Python call's qualified name) names."""
    if not isinstance(target, str) or not target.strip():
        return Builder(None, Unset.BF16, True, "the recipe's AutoModel loader")
    target = target.strip()
    parts = target.split(".")
    method = parts[-1]
    owner = parts[-2] if len(parts) > 1 else ""
    if parts[0] == AUTOMODEL_PACKAGE and owner.startswith(AUTOMODEL_CLASS_PREFIX) and method in AUTOMODEL_METHODS:
        return Builder(target, Unset.BF16, True, f"AutoModel's {owner}.{method}")
    if target in DTYPE_IGNORING_BUILDERS:
        return Builder(target, Unset.FP32, False, f"`{target}` (ignores torch_dtype)")
    if parts[0] == "diffusers" and method == "from_config":  # ConfigMixin.from_config drops unknown keywords
        return Builder(target, Unset.FP32, False, f"diffusers {owner}.from_config (ignores torch_dtype)")
    if parts[0] in HF_PACKAGES and method == "from_config":
        return Builder(target, Unset.FP32, True, f"Hugging Face {owner}.from_config")
    if parts[0] in HF_PACKAGES and method == "from_pretrained":
        return Builder(target, Unset.CHECKPOINT, True, f"Hugging Face {owner}.from_pretrained")
    return Builder(target, Unset.BUILDER, True, f"`{target}`")
