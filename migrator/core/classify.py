"""Decide what a loaded config is, from plain data only (no text, no files)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator import patterns
from migrator.core import automodel, builders, interpolation
from migrator.core.builders import Builder
from migrator.core.recipes import Family, family_of, recipe_name


class Kind(enum.Enum):
    NOT_RECIPE = "not-recipe"
    NOT_APPLICABLE = "not-applicable"
    PEFT = "peft"
    ON_PATTERN = "on-pattern"
    INCOMPLETE_TE = "incomplete-te"
    RISKY = "risky"
    UNPROVEN = "storage-unproven"  # torch Adam over a storage dtype the file cannot prove (a checkpoint's, a builder's)
    UNDECIDABLE = "undecidable"  # the optimizer class or storage dtype is read from the environment at load time


class RecipeShapeError(Exception):
    """The config cannot be processed as written; `path` names the offending key."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Classification:
    kind: Kind
    reason: str
    family: Family = Family.TRAIN
    pattern: str | None = None  # for ON_PATTERN and INCOMPLETE_TE: the pattern whose optimizer it runs


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RecipeShapeError(f"`{name}` must be a mapping, found {type(value).__name__}", (name,))
    return value


def storage_key(model: Mapping[str, Any]) -> str:
    """The key that sets the storage dtype: `torch_dtype`, or HF v5's `dtype` where a config spells it that way
    (facts §2.4); with neither written, the builder's own keyword (`dtype` for Hugging Face targets)."""
    if "dtype" in model and "torch_dtype" not in model:
        return "dtype"
    return "torch_dtype" if "torch_dtype" in model else builders.builder_of(model.get("_target_")).dtype_key


INVALID = "invalid"  # a storage dtype AutoModel rejects


@dataclass(frozen=True)
class Storage:
    """The storage dtype a recipe's parameters really get, and what decides it (facts §2.3)."""

    kind: str | None  # automodel.BF16/FP32/FP16 or INVALID; None: not provable from the file
    builder: Builder
    source: str  # where the dtype comes from, or why it is unprovable, for messages (`model.torch_dtype: unset`)
    assumed: bool = False  # not provable, taken as bf16 because the run was asked to (`assume_bf16`)


# KD's `resolve_storage_dtype` (the 2026-08 source) makes unset storage float32; the released 0.7.0 lacks it and
# keeps bf16 (measured by `migrator verify`, facts §11): the file alone does not decide which one runs.
KD_VERSION_DEPENDENT = (
    "KD recipe with model.torch_dtype unset: float32 where AutoModel resolves it (resolve_storage_dtype), "
    "bf16 on the released nemo-automodel 0.7.0"
)


def _kd_resolves_fp32(data: Mapping[str, Any]) -> bool:
    """KD's `resolve_storage_dtype`: unset storage becomes float32 for torch optimizers in non-PEFT runs."""
    optimizer = data.get("optimizer")
    target = optimizer.get("_target_") if isinstance(optimizer, Mapping) else None
    return isinstance(target, str) and target.startswith("torch.optim.") and data.get("peft") is None


def resolve_storage(data: Mapping[str, Any], family: Family, assume_bf16: bool = False) -> Storage:
    """What `model` stores parameters in: the written dtype where the builder honours it, else what the
    recipe family and the builder (`builders.py`) make of an unset one."""
    model = data.get("model")
    model = model if isinstance(model, Mapping) else {}
    key = storage_key(model)
    value = model.get(key)
    written = f"model.{key}: {value if key in model else 'unset'}"
    builder = builders.builder_of(model.get("_target_"))

    def storage(kind: str | None, source: str = written) -> Storage:
        if kind is None and assume_bf16:
            return Storage(automodel.BF16, builder, source, assumed=True)
        return Storage(kind, builder, source)

    if not builder.honours_dtype:
        return storage(builder.unset.value, builder.kind)
    if value is not None and value != automodel.AUTO:
        return storage(automodel.dtype_kind(value) or INVALID)
    if family is Family.KD and _kd_resolves_fp32(data):
        # Where the builder alone gives float32, every AutoModel version agrees; elsewhere the version decides.
        by_builder = resolve_storage(data, Family.TRAIN)
        return by_builder if by_builder.kind == automodel.FP32 else storage(None, KD_VERSION_DEPENDENT)
    if family is Family.BAGEL and key not in model:
        return storage(automodel.FP32)
    unset = builder.unset
    if unset is builders.Unset.CONFIG:
        if key in model:  # a written null or `auto` reaches Hugging Face's from_config as such: not modelled here
            return storage(None, f"{written} goes to {builder.kind} as is, which migrator does not model")
        config_value = builders.config_dtype(model)
        if config_value is not None:
            return storage(automodel.dtype_kind(config_value) or INVALID, f"model.config dtype: {config_value}")
        unset = builders.config_unset(model)
    if unset in (builders.Unset.BF16, builders.Unset.FP32):
        return storage(unset.value)
    return storage(None, builder.unset_means(unset))


UNPROVEN = "unproven"


def storage_kind(model: Mapping[str, Any], family: Family) -> str:
    """BF16, FP32, FP16 (`automodel`'s dtype kinds), INVALID or UNPROVEN: the storage dtype of `model` alone."""
    return resolve_storage({"model": model}, family).kind or UNPROVEN


# The dtypes a checkpoint or an unknown builder realistically stores parameters in.
CHECKPOINT_DTYPES = frozenset({automodel.BF16, automodel.FP32})


def classify(data: object, include_peft: bool = False, assume_bf16: bool = False) -> Classification:
    """What a config is; `assume_bf16` takes a storage dtype the file cannot prove as bf16."""
    # `model: gpt-4o` alone is some other tool's config; a recipe has a model or optimizer mapping.
    if not isinstance(data, Mapping) or not any(isinstance(data.get(name), Mapping) for name in ("optimizer", "model")):
        return Classification(Kind.NOT_RECIPE, "no `optimizer` or `model` mapping")
    family = family_of(data)
    name = recipe_name(data) or "this recipe"

    def result(kind: Kind, reason: str, pattern: str | None = None) -> Classification:
        return Classification(kind, reason, family, pattern)

    if family is Family.SPECULATIVE:
        return result(
            Kind.NOT_APPLICABLE,
            f"speculative-decoding recipe ({name}) builds the draft optimizer itself and fixes its dtype",
        )
    optimizer = _section(data, "optimizer")
    model = _section(data, "model")
    if optimizer is None:
        return result(Kind.NOT_APPLICABLE, "no optimizer section (not a training config)")
    if data.get("peft") is not None and not include_peft:
        return result(Kind.PEFT, "PEFT/LoRA run: bf16 storage is fine here")  # each command names its option
    interpolated = interpolation.decision_values(data, storage_key(model or {}))
    if interpolated:
        return result(Kind.UNDECIDABLE, _with_defaults(data, interpolated, include_peft, assume_bf16))
    target = optimizer.get("_target_")
    owner = patterns.running(target)
    if owner is None and target not in automodel.TORCH_ADAM_TARGETS:
        what = f"`{target}`" if target is not None else "an optimizer without `_target_`"
        return result(Kind.NOT_APPLICABLE, f"{what} is outside the torch Adam family and TE FusedAdam")
    if model is None and (owner is None or owner.needs_model_section):
        return result(Kind.NOT_APPLICABLE, "no model section: the storage dtype is not set by this file")
    storage = resolve_storage(data, family, assume_bf16)
    if storage.kind == automodel.FP16:
        return result(Kind.NOT_APPLICABLE, "fp16 parameter storage is outside both patterns; review by hand")
    if storage.kind == INVALID:
        return result(
            Kind.NOT_APPLICABLE, f"{storage.source} is not a dtype AutoModel accepts (write float32 or bfloat16)"
        )
    # An unprovable dtype is a checkpoint's or a builder's, bf16 or fp32: a pattern that holds for both needs no proof.
    kinds = {storage.kind} if storage.kind else CHECKPOINT_DTYPES
    if owner is not None and kinds <= owner.storage_kinds:
        gaps = owner.precision_gaps(optimizer)
        if gaps:
            return result(Kind.INCOMPLETE_TE, owner.incomplete_reason(gaps), owner.name)
        # BAGEL instantiates the optimizer raw: a dtype string reaches it unconverted and fails (facts §3.3).
        unconverted = owner.dtype_strings(optimizer) if family is Family.BAGEL else []
        if unconverted:
            keys = ", ".join(unconverted)
            reason = f"BAGEL hands {keys} to {owner.optimizer_name} as a string, which it rejects"
            return result(Kind.INCOMPLETE_TE, reason, owner.name)
        return result(Kind.ON_PATTERN, owner.on_pattern_reason(target), owner.name)
    if storage.kind is None:
        return result(
            Kind.UNPROVEN,
            f"{target} over parameters whose dtype this file does not set: {storage.source}",
        )
    if storage.assumed:
        return result(
            Kind.RISKY,
            f"{target} with parameters assumed bf16 (--assume-bf16-storage; {storage.source}) keeps Adam state in bf16",
        )
    return result(Kind.RISKY, f"{target} with bf16 parameters ({storage.source}) keeps Adam state in bf16")


def _with_defaults(
    data: Mapping[str, Any], found: list[interpolation.Interpolated], include_peft: bool, assume_bf16: bool
) -> str:
    """What the config is when no referenced variable is set, as far as the defaults tell."""
    resolved = interpolation.resolved_data(data, found)
    if resolved is None:
        return "decided at load time from the environment (a reference without a default)"
    return f"decided at load time from the environment; with the defaults: {classify(resolved, include_peft, assume_bf16).reason}"
