"""## What it does
Finds `torch.optim.Adam`/`AdamW` (and their `torch.optim.adam`/`adamw` spellings) whose model is stored in
bf16: `model.torch_dtype` unset, `auto`, `null` or a bf16 spelling. Moves the recipe to the chosen pattern:
`fp32` sets `model.torch_dtype: float32`; `te` switches to Transformer Engine FusedAdam with fp32 master
weights and fp32 Adam state and keeps bf16 storage (written `bfloat16` when it was implicit).

## Why is this bad?
torch optimizers keep `exp_avg`/`exp_avg_sq` in the parameter dtype. With bf16 parameters the Adam state
has a 7-bit mantissa: long full-parameter runs converge slower, spike or diverge, silently.

## Example
```yaml
optimizer:
  _target_: torch.optim.AdamW
  lr: 1.0e-5
```
Use instead (`--pattern fp32`):
```yaml
model:
  torch_dtype: float32
```

## References
- AutoModel `docs/guides/mixed-precision-training.mdx`; `nemo_automodel/components/optim/precision_warnings.py`
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.core.classify import Kind
from migrator.core.findings import Finding, Fix, Level
from migrator.rules import Context, rule


@rule(
    "MIG001",
    "torch-adam-bf16-state",
    "torch Adam/AdamW with bf16 parameters keeps its state in bf16",
    Level.FIX,
    __doc__,
)
def torch_adam_bf16_state(ctx: Context) -> Iterator[Finding]:
    if ctx.classification.kind is not Kind.RISKY:
        return
    changes = ctx.storage_changes
    if ctx.switches_optimizer_class:
        changes = ctx.pattern.switch_changes(ctx.optimizer) + changes
    yield torch_adam_bf16_state.finding(
        ctx.classification.reason,
        ("optimizer", "_target_"),
        changes,
        fix=Fix(
            f"would move to pattern `{ctx.target}`",
            f"moved to pattern `{ctx.target}`",
            f"not moved to pattern `{ctx.target}`",
        ),
    )
