"""Decide what a loaded config is, from plain data only (no text, no files)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping

from migrator import patterns
from migrator.recipes import Family, family_of, recipe_name


class Kind(enum.Enum):
    NOT_RECIPE = "not-recipe"
    NOT_APPLICABLE = "not-applicable"
    PEFT = "peft"
    ON_PATTERN = "on-pattern"
    INCOMPLETE_TE = "incomplete-te"
    RISKY = "risky"


class ConfigError(Exception):
    """The config cannot be processed as written; `path` names the offending key."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Classification:
    kind: Kind
    reason: str
    family: Family = Family.TRAIN
    pattern: str | None = None  # for ON_PATTERN: which one


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(f"`{name}` must be a mapping, found {type(value).__name__}", (name,))
    return value


def storage_key(model: Mapping[str, Any]) -> str:
    """`torch_dtype`, or HF v5's `dtype` where a config spells the storage dtype that way (§2.4)."""
    return "dtype" if "dtype" in model and "torch_dtype" not in model else "torch_dtype"


def storage_kind(model: Mapping[str, Any], family: Family) -> str:
    """'bf16', 'fp32', 'fp16' or 'invalid': the storage dtype the recipe will really use (§2.3)."""
    key = storage_key(model)
    present = key in model
    value = model.get(key)
    if family is Family.KD and (value is None or value == patterns.AUTO):
        return "fp32"
    if not present:
        return "fp32" if family is Family.BAGEL else "bf16"
    if value is None or value == patterns.AUTO:
        return "bf16"
    return patterns.dtype_kind(value) or "invalid"


def te_missing_precision(optimizer: Mapping[str, Any]) -> list[str]:
    """Precision-critical TE keys that are absent or wrong (state dtypes default to fp32)."""
    missing = []
    if optimizer.get("master_weights") is not True:
        missing.append("master_weights")
    for key in patterns.TE_STATE_DTYPE_KEYS:
        if key in optimizer and patterns.dtype_kind(optimizer[key]) != "fp32":
            missing.append(key)
    return missing


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
        return result(Kind.PEFT, "PEFT/LoRA run: bf16 storage is fine here; pass --include-peft to migrate anyway")
    target = optimizer.get("_target_")
    is_te = target in patterns.TE_FUSED_ADAM_TARGETS
    if not is_te and target not in patterns.TORCH_ADAM_TARGETS:
        what = f"`{target}`" if target is not None else "an optimizer without `_target_`"
        return result(Kind.NOT_APPLICABLE, f"{what} is outside the torch Adam family and TE FusedAdam")
    if model is None and not is_te:
        return result(Kind.NOT_APPLICABLE, "no model section: the storage dtype is not set by this file")
    key = storage_key(model or {})
    storage = storage_kind(model or {}, family)
    if storage == "fp16":
        return result(Kind.NOT_APPLICABLE, "fp16 parameter storage is outside both patterns; review by hand")
    if storage == "invalid":
        value = (model or {}).get(key)
        return result(Kind.NOT_APPLICABLE, f"model.{key} {value!r} is not a dtype AutoModel accepts (write float32 or bfloat16)")
    if is_te:
        missing = te_missing_precision(optimizer)
        if missing:
            return result(Kind.INCOMPLETE_TE, "TE FusedAdam without fp32 master weights/state: " + ", ".join(missing))
        return result(Kind.ON_PATTERN, "TE FusedAdam with fp32 master weights and state", "te")
    if storage == "bf16":
        spelled = model[key] if model is not None and key in model else "unset"
        return result(Kind.RISKY, f"{target} with bf16 parameters (model.{key}: {spelled}) keeps Adam state in bf16")
    return result(Kind.ON_PATTERN, f"{target} with float32 parameter storage", "fp32")
