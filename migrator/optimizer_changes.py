"""How an optimizer section and the storage dtype change between torch Adam and TE FusedAdam (§3.4).

Shared by the rules (YAML and recipe-shaped data) and the Python codemod (keyword arguments),
so the mapping exists once.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from migrator import patterns
from migrator.changes import Change, Set
from migrator.classify import storage_key

OPTIMIZER = ("optimizer",)


def as_number(value: Any) -> float | None:
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


def te_adam_w_mode(optimizer: Mapping[str, Any]) -> bool:
    """Classic Adam with non-zero decay is L2 regularisation: TE's `adam_w_mode: false`."""
    kind = patterns.TORCH_ADAM_TARGETS.get(optimizer.get("_target_", ""))
    decay = as_number(optimizer.get("weight_decay", patterns.TE_DEFAULT_WEIGHT_DECAY))
    decoupled = optimizer.get("decoupled_weight_decay") is True
    return not (kind == "Adam" and decay != 0 and not decoupled)


def te_settings_changes(optimizer: Mapping[str, Any]) -> Iterator[Change]:
    """Precision keys forced to the canonical value; precision-safe ones only added when absent."""
    for key, value in patterns.TE_OPTIMIZER_SETTINGS.items():
        if key in patterns.TE_PRECISION_KEYS:
            current = optimizer.get(key)
            ok = current is True if value is True else patterns.dtype_kind(current) == patterns.dtype_kind(value)
            if not ok or key not in optimizer:
                yield Set(OPTIMIZER + (key,), value)
        elif key not in optimizer:
            yield Set(OPTIMIZER + (key,), value)


def to_te_changes(optimizer: Mapping[str, Any]) -> list[Change]:
    """torch Adam/AdamW -> TE FusedAdam: target, update rule, fp32 master weights and state."""
    return [
        Set(OPTIMIZER + ("_target_",), patterns.TE_FUSED_ADAM),
        Set(OPTIMIZER + ("adam_w_mode",), te_adam_w_mode(optimizer)),
        *te_settings_changes(optimizer),
    ]


def to_torch_changes(optimizer: Mapping[str, Any]) -> list[Change]:
    """TE FusedAdam -> torch: AdamW for decoupled decay, Adam for TE's L2 mode."""
    target = patterns.TORCH_ADAMW if optimizer.get("adam_w_mode", True) is not False else patterns.TORCH_ADAM
    return [Set(OPTIMIZER + ("_target_",), target)]


def storage_changes(model: Mapping[str, Any], target: str, model_present: bool) -> list[Change]:
    """The storage dtype for the target pattern; an existing spelling of the right dtype stays as written."""
    key = storage_key(model)
    wanted = patterns.PATTERNS[target].storage_dtype
    if key in model and patterns.dtype_kind(model[key]) == patterns.dtype_kind(wanted):
        return []
    if not model_present:
        return []
    return [Set(("model", key), wanted)]


def implicit_weight_decay(optimizer: Mapping[str, Any], switching_to_te: bool) -> float | None:
    """The weight decay to write out when the new class's default differs, else None."""
    if "weight_decay" in optimizer:
        return None
    target = optimizer.get("_target_", "")
    if switching_to_te and patterns.TORCH_ADAM_TARGETS.get(target) == "AdamW":
        return patterns.ADAMW_DEFAULT_WEIGHT_DECAY
    if not switching_to_te and optimizer.get("adam_w_mode", True) is not False:
        return patterns.TE_DEFAULT_WEIGHT_DECAY  # TE's 0.0 must not become AdamW's 0.01
    return None


def rejected_arguments(optimizer: Mapping[str, Any], switching_to_te: bool) -> list[str]:
    """Keys present that the new optimizer class does not accept."""
    keys = patterns.TE_REJECTED_ARGUMENTS if switching_to_te else patterns.TE_ONLY_ARGUMENTS
    return [key for key in keys if key in optimizer]


def unmigratable_arguments(optimizer: Mapping[str, Any], switching_to_te: bool) -> list[str]:
    """Settings that the new class cannot reproduce: the migration would change the maths."""
    if switching_to_te:
        return [key for key, bad in patterns.TE_UNMIGRATABLE_VALUES.items() if optimizer.get(key) is bad]
    return ["bias_correction"] if optimizer.get("bias_correction") is False else []


def decision_keys(optimizer: Mapping[str, Any]) -> tuple[str, ...]:
    """Optimizer keys whose values the functions above read: a front end that cannot evaluate one must not decide."""
    keys = ("_target_", "decoupled_weight_decay", "adam_w_mode", *patterns.TE_UNMIGRATABLE_VALUES, *patterns.TE_PRECISION_KEYS, "bias_correction")
    if patterns.TORCH_ADAM_TARGETS.get(optimizer.get("_target_", "")) == "Adam":
        keys += ("weight_decay",)  # decides adam_w_mode (L2 or decoupled)
    return keys

