"""What a recommended precision pattern is: its canonical values and everything that follows from them.

Each pattern is one `Pattern` object in its own module (`te.py`, `fp32.py`). The rules, the Python codemod,
`generate` and the JSON Schemas ask these objects; none of them names a pattern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from migrator.core import automodel
from migrator.core.changes import Change, Set

OPTIMIZER = ("optimizer",)

# facts §4.3: equal to FSDP2Config's default (facts §11: the released 0.7.0 differs in two fields), shared by every pattern.
MP_POLICY: Mapping[str, Any] = MappingProxyType(
    {
        "_target_": automodel.MIXED_PRECISION_POLICY,
        "param_dtype": "bfloat16",
        "reduce_dtype": "float32",
        "output_dtype": "bfloat16",
        "cast_forward_inputs": True,
    }
)
# Why each key of a pattern's recipe is there, by dotted path (`generate` writes these as comments).
SHARED_EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {
        "distributed.mp_policy": "explicit FSDP2 mixed precision: AutoModel's source default (0.7.0 differs in two fields)",
        "distributed.mp_policy._target_": "the policy class FSDP2 applies",
        "distributed.mp_policy.param_dtype": "forward and backward compute in bf16",
        "distributed.mp_policy.reduce_dtype": "gradients reduced in fp32 (an older default used bf16)",
        "distributed.mp_policy.output_dtype": "module outputs in bf16",
        "distributed.mp_policy.cast_forward_inputs": "inputs cast to the compute dtype",
        "optimizer.weight_decay": "written out: torch AdamW defaults to 0.01, TE FusedAdam to 0.0",
        "peft": "LoRA: only the adapters train (bf16 storage would also do here; migrate skips PEFT configs)",
    }
)


@dataclass(frozen=True)
class SchemaRules:
    """A pattern's part of its JSON Schema: what `optimizer` must hold, and rules on the whole config."""

    optimizer: dict[str, Any]
    rules: list[dict[str, Any]]


@dataclass(frozen=True)
class Pattern:
    """A recommended pattern. Subclasses fill in the optimizer-specific answers."""

    name: str
    title: str
    storage_dtype: str  # the spelling migrate writes to the storage key
    storage_kinds: frozenset[str]  # the storage dtype kinds (automodel.BF16, ...) that keep Adam state precise
    optimizer_target: str  # the optimizer a migration to this pattern writes
    optimizer_name: str  # how messages name its optimizer class
    optimizer_targets: frozenset[str]  # every spelling of the optimizer classes this pattern runs
    needs_model_section: bool  # the pattern lives in `model.torch_dtype`: nothing to write without a model section
    state_sharded_by_tp: bool  # tensor parallelism shards the optimizer state (MIG102 when not)
    needs_dtype_strings: bool  # its optimizer block holds dtype strings (BAGEL cannot convert them, MIG103)
    explanations: Mapping[str, str] = field(default_factory=dict)

    def runs(self, optimizer_target: object) -> bool:
        return optimizer_target in self.optimizer_targets

    def precision_gaps(self, optimizer: Mapping[str, Any]) -> list[str]:
        """Keys of this pattern's own optimizer that are missing or lose precision; empty when complete."""
        return []

    def dtype_strings(self, optimizer: Mapping[str, Any]) -> list[str]:
        """Keys of this pattern's own optimizer that hold a dtype string (`needs_dtype_strings`): a recipe that
        instantiates the optimizer without converting them (BAGEL) hands them over as strings."""
        return []

    def completion_changes(self, optimizer: Mapping[str, Any]) -> list[Change]:
        """Changes that close `precision_gaps` (and add the precision-safe canonical keys)."""
        return []

    def switch_changes(self, optimizer: Mapping[str, Any]) -> list[Change]:
        """Changes that replace another pattern's optimizer by this pattern's, keeping its update rule."""
        raise NotImplementedError

    def implicit_weight_decay(self, optimizer: Mapping[str, Any]) -> float | None:
        """The weight decay to write out on a switch, where the old class's default differs from this one's."""
        return None

    def rejected_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        """Keys of another pattern's optimizer that this pattern's class does not accept."""
        return []

    def unmigratable_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        """Settings of another pattern's optimizer that this class cannot reproduce (the switch changes the maths)."""
        return []

    def decision_keys(self, optimizer: Mapping[str, Any]) -> tuple[str, ...]:
        """Optimizer keys whose values this pattern's answers read: a front end that cannot evaluate one must not decide."""
        return ()

    def on_pattern_reason(self, optimizer_target: str) -> str:
        return f"{optimizer_target} on pattern {self.name}: {self.title}"

    def incomplete_reason(self, gaps: list[str]) -> str:
        return f"{self.optimizer_target} missing for pattern {self.name}: " + ", ".join(gaps)

    def schema_rules(self) -> SchemaRules:
        raise NotImplementedError

    def storage_changes(self, model: Mapping[str, Any], storage_key: str, model_present: bool) -> list[Change]:
        """The storage dtype for this pattern; an existing spelling of a dtype it accepts stays as written."""
        if not model_present:
            return []
        written = model.get(storage_key) if storage_key in model else None
        if written is not None and automodel.dtype_kind(written) == automodel.dtype_kind(self.storage_dtype):
            return []
        return [Set(("model", storage_key), _in_spelling_family(self.storage_dtype, written))]


def _in_spelling_family(dtype: str, written: object) -> str:
    """`dtype` spelled as the file spells dtypes: `torch.float32` where it wrote `torch.bfloat16`."""
    torch_prefix = "torch."
    if isinstance(written, str) and written.startswith(torch_prefix):
        return torch_prefix + dtype
    return dtype
