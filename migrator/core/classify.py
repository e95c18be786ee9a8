"""Decide what a loaded config is, from plain data only (no text, no files)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator import patterns
from migrator.core import automodel, interpolation
from migrator.core.recipes import Family, family_of, recipe_name


class Kind(enum.Enum):
    NOT_RECIPE = "not-recipe"
    NOT_APPLICABLE = "not-applicable"
    PEFT = "peft"
    ON_PATTERN = "on-pattern"
    INCOMPLETE_TE = "incomplete-te"
    RISKY = "risky"
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
    """`torch_dtype`, or HF v5's `dtype` where a config spells the storage dtype that way (§2.4)."""
    return "dtype" if "dtype" in model and "torch_dtype" not in model else "torch_dtype"


def storage_kind(model: Mapping[str, Any], family: Family) -> str:
    """BF16, FP32, FP16 (`automodel`'s dtype kinds) or 'invalid': the storage dtype the recipe will really use (§2.3)."""
    key = storage_key(model)
    present = key in model
    value = model.get(key)
    if family is Family.KD and (value is None or value == automodel.AUTO):
        return automodel.FP32
    if not present:
        return automodel.FP32 if family is Family.BAGEL else automodel.BF16
    if value is None or value == automodel.AUTO:
        return automodel.BF16
    return automodel.dtype_kind(value) or "invalid"


def classify(data: object, include_peft: bool = False) -> Classification:
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
        return result(Kind.UNDECIDABLE, _with_defaults(data, interpolated, include_peft))
    target = optimizer.get("_target_")
    owner = patterns.running(target)
    if owner is None and target not in automodel.TORCH_ADAM_TARGETS:
        what = f"`{target}`" if target is not None else "an optimizer without `_target_`"
        return result(Kind.NOT_APPLICABLE, f"{what} is outside the torch Adam family and TE FusedAdam")
    if model is None and (owner is None or owner.needs_model_section):
        return result(Kind.NOT_APPLICABLE, "no model section: the storage dtype is not set by this file")
    key = storage_key(model or {})
    storage = storage_kind(model or {}, family)
    if storage == automodel.FP16:
        return result(Kind.NOT_APPLICABLE, "fp16 parameter storage is outside both patterns; review by hand")
    if storage == "invalid":
        value = (model or {}).get(key)
        return result(
            Kind.NOT_APPLICABLE, f"model.{key} {value!r} is not a dtype AutoModel accepts (write float32 or bfloat16)"
        )
    if owner is not None and storage in owner.storage_kinds:
        gaps = owner.precision_gaps(optimizer)
        if gaps:
            return result(Kind.INCOMPLETE_TE, owner.incomplete_reason(gaps), owner.name)
        return result(Kind.ON_PATTERN, owner.on_pattern_reason(target), owner.name)
    spelled = model[key] if model is not None and key in model else "unset"
    return result(Kind.RISKY, f"{target} with bf16 parameters (model.{key}: {spelled}) keeps Adam state in bf16")


def _with_defaults(data: Mapping[str, Any], found: list[interpolation.Interpolated], include_peft: bool) -> str:
    """What the config is when no referenced variable is set, as far as the defaults tell."""
    resolved = interpolation.resolved_data(data, found)
    if resolved is None:
        return "decided at load time from the environment (a reference without a default)"
    return f"decided at load time from the environment; with the defaults: {classify(resolved, include_peft).reason}"
