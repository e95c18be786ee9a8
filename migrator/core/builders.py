"""Which code builds the model, and the storage dtype it gives when the config or the call sets none (facts §2.3).

One table for every front end and for the pattern schemas: a YAML recipe's `model._target_` and a Python
loading call's qualified name are looked up the same way. AutoModel's LLM/VLM/KD/dLLM/retrieval recipes call
`model._target_` with the YAML's keyword arguments (train_ft `build_model`: `cfg_model.instantiate(...)`), so
the dtype an unset `torch_dtype` ends in is the called method's own default:

| builder | unset / `auto` / null gives | source (nemo-automodel 0.7.0, transformers 5.18) |
| --- | --- | --- |
| `NeMoAutoModelFor*` `.from_pretrained` / `.from_config` (`ENTRY_POINTS`) | bf16 | `_transformers/auto_model.py` `from_config` (`"auto"` -> bf16), `model_init.py` `local_torch_dtype` |
| `NeMoAutoModelBiEncoder` / `CrossEncoder` `.from_pretrained` | the checkpoint's dtype | `_NeMoAutoModelForRetrievalBase.from_pretrained` hands `"auto"` to HF `from_pretrained` |
| `transformers.*.from_pretrained` | the checkpoint's dtype | `PreTrainedModel.from_pretrained` (`dtype="auto"` reads config.json) |
| `transformers.*.from_config` | the model config's dtype: fp32 when the config is built without one, the checkpoint's when it is `AutoConfig.from_pretrained` | `PreTrainedModel._from_config` (`dtype = kwargs.pop("dtype", config.dtype)`) |
| `gpt2.build_gpt2_model` | fp32, and a written dtype is swallowed (`**extra_cfg`, with a warning) | `components/models/gpt2.py` |
| anything else | decided by that code | — |

Recipes without `model._target_` (diffusion, BAGEL) are decided by their family (`recipes.py`); KD's
`resolve_storage_dtype` runs before the builder sees the config (`classify.resolve_storage`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator.core import automodel


class Unset(enum.Enum):
    """What an unset (or `auto`) storage dtype means for a builder."""

    BF16 = automodel.BF16  # AutoModel's own resolution
    FP32 = automodel.FP32  # parameters built in torch's default dtype
    CHECKPOINT = "checkpoint"  # loaded in the checkpoint's own dtype: not provable from the file
    CONFIG = "config"  # the dtype of the model config it is given (`model.config`): see `config_dtype`, `config_unset`
    BUILDER = "builder"  # decided by code we do not know


@dataclass(frozen=True)
class Builder:
    target: str | None  # as written (None: the recipe's default loader)
    unset: Unset
    honours_dtype: bool  # an explicit dtype reaches the parameters (False: swallowed by the builder)
    kind: str  # for messages: what decides the dtype
    dtype_key: str = "torch_dtype"  # the keyword migrate writes the storage dtype with

    @property
    def proven(self) -> bool:
        """An unset dtype is known from the builder alone (a CONFIG one can still be, from `model.config`)."""
        return self.unset in (Unset.BF16, Unset.FP32)

    def unset_means(self, unset: Unset | None = None) -> str:
        """What an unset dtype gives, for findings; `unset` is this builder's, resolved (`config_unset`)."""
        unset = unset or self.unset
        if self.unset is Unset.CONFIG and unset is Unset.CHECKPOINT:
            return f"{self.kind} without a dtype builds in its config's dtype, here the checkpoint's"
        if unset is Unset.CHECKPOINT:
            return f"{self.kind} without a dtype loads the checkpoint's dtype"
        if unset is Unset.CONFIG:
            return f"{self.kind} without a dtype builds in its config's dtype"
        if unset is Unset.BUILDER:
            return f"the storage dtype is decided by {self.kind}"
        return f"{self.kind} without a dtype gives {unset.value}"


# Where the entry-point classes are importable from: the package, its private module, the module's file.
AUTOMODEL_MODULES = ("nemo_automodel", "nemo_automodel._transformers", "nemo_automodel._transformers.auto_model")
# AutoModel's entry points with its own dtype handling (`_BaseNeMoAutoModelClass`), and their methods.
LOADERS = automodel.MODEL_LOADERS  # from_pretrained, from_config
ENTRY_POINTS: Mapping[str, tuple[str, ...]] = {
    "NeMoAutoModelForCausalLM": LOADERS,
    "NeMoAutoModelForImageTextToText": LOADERS,
    "NeMoAutoModelForMultimodalLM": LOADERS,
    "NeMoAutoModelForSequenceClassification": LOADERS,
    "NeMoAutoModelForTokenClassification": LOADERS,
    "NeMoAutoModelForSeq2SeqLM": LOADERS,
    "NeMoAutoModelForTextToWaveform": LOADERS,
    "NeMoAutoModelForDiffusion": LOADERS,
}
# Retrieval entry points (`_NeMoAutoModelForRetrievalBase`): `auto` goes on to Hugging Face's from_pretrained.
RETRIEVAL_ENTRY_POINTS: Mapping[str, tuple[str, ...]] = {
    "NeMoAutoModelBiEncoder": ("from_pretrained",),
    "NeMoAutoModelCrossEncoder": ("from_pretrained",),
}
# Hugging Face transformers: its Auto and model classes load without AutoModel's dtype handling.
HF_PACKAGE = "transformers"
DIFFUSERS_PACKAGE = "diffusers"
HF_DTYPE_KEY = (
    "dtype"  # transformers 5's keyword; `torch_dtype` still works there, with a deprecation warning (facts §2.4)
)
# Project builders known to ignore a dtype argument: their parameters stay in torch's default fp32.
DTYPE_IGNORING_BUILDERS = frozenset({"nemo_automodel.components.models.gpt2.build_gpt2_model"})
# The recipe's own loader when `model._target_` is absent (the families in `recipes.py` decide there).
DEFAULT_LOADER = "the recipe's AutoModel loader"


def _entry_point(module: str, owner: str, method: str, table: Mapping[str, tuple[str, ...]]) -> bool:
    return module in AUTOMODEL_MODULES and method in table.get(owner, ())


def builder_of(target: object) -> Builder:
    """The builder a `model._target_` (or a Python call's qualified name) names."""
    if not isinstance(target, str) or not target.strip():
        return Builder(None, Unset.BF16, True, DEFAULT_LOADER)
    target = target.strip()
    module, _, method = target.rpartition(".")
    package, _, owner = module.rpartition(".")
    if _entry_point(package, owner, method, ENTRY_POINTS):
        return Builder(target, Unset.BF16, True, f"AutoModel's {owner}.{method}")
    if _entry_point(package, owner, method, RETRIEVAL_ENTRY_POINTS):
        return Builder(target, Unset.CHECKPOINT, True, f"AutoModel's {owner}.{method}")
    if target in DTYPE_IGNORING_BUILDERS:
        return Builder(target, Unset.FP32, False, f"`{target}` (ignores torch_dtype)")
    if target.split(".", 1)[0] == DIFFUSERS_PACKAGE and method == "from_config":  # ConfigMixin drops unknown keywords
        return Builder(target, Unset.FP32, False, f"diffusers {owner}.from_config (ignores torch_dtype)")
    if target.split(".", 1)[0] == HF_PACKAGE and method in LOADERS:
        unset = Unset.CONFIG if method == "from_config" else Unset.CHECKPOINT
        return Builder(target, unset, True, f"Hugging Face {owner}.{method}", HF_DTYPE_KEY)
    return Builder(target, Unset.BUILDER, True, f"`{target}`")


CONFIG_DTYPE_KEYS = ("dtype", "torch_dtype")  # a Hugging Face config keeps `dtype` when both are given
CHECKPOINT_CONFIG_METHOD = "from_pretrained"  # `AutoConfig.from_pretrained`: the checkpoint's config.json


def config_dtype(model: Mapping[str, Any]) -> object:
    """The dtype a written `model.config` mapping sets, or None."""
    config = model.get("config")
    if not isinstance(config, Mapping):
        return None
    return next((config[key] for key in CONFIG_DTYPE_KEYS if config.get(key) is not None), None)


def config_built(config_target: object) -> bool:
    """A config built from its arguments alone (a `*Config` class), not loaded from a checkpoint."""
    return isinstance(config_target, str) and config_target.strip().rpartition(".")[2] != CHECKPOINT_CONFIG_METHOD


def config_unset(model: Mapping[str, Any]) -> Unset:
    """What Unset.CONFIG means for this `model` when its config sets no dtype.

    One built from its arguments alone (a `_target_` naming a `*Config` class) has no dtype, so the model is
    built in torch's default fp32; one loaded from a checkpoint (`AutoConfig.from_pretrained`, a path) carries
    the checkpoint's dtype.
    """
    config = model.get("config")
    target = config.get("_target_") if isinstance(config, Mapping) else None
    return Unset.FP32 if config_built(target) else Unset.CHECKPOINT
