"""## What it does
Completes a Transformer Engine FusedAdam optimizer that lacks fp32 master weights or keeps its Adam state
in a narrower dtype: sets `master_weights: true`, `exp_avg_dtype`/`exp_avg_sq_dtype: torch.float32`, adds
`bias_correction`/`store_param_remainders` where absent, and writes bf16 storage explicitly. Applies
whatever `--pattern` says: the config is TE already.

## Why is this bad?
TE's `master_weights` defaults to False: without it the bf16 parameters are updated in place, and
`exp_avg_dtype: torch.bfloat16` puts the Adam state back in bf16 — the very trap TE is meant to avoid.

## Example
```yaml
optimizer:
  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam
  exp_avg_dtype: torch.bfloat16
```
Use instead:
```yaml
optimizer:
  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam
  exp_avg_dtype: torch.float32
  master_weights: true
```

## References
- TransformerEngine `transformer_engine/pytorch/optimizers/fused_adam.py` (defaults)
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.core.classify import Kind
from migrator.core.findings import Finding, Fix, Level
from migrator.rules import Context, rule


@rule(
    "MIG004", "incomplete-te-fused-adam", "TE FusedAdam without fp32 master weights or fp32 state", Level.FIX, __doc__
)
def incomplete_te_fused_adam(ctx: Context) -> Iterator[Finding]:
    if ctx.classification.kind is not Kind.INCOMPLETE_TE or ctx.switches_optimizer_class:
        return
    changes = ctx.pattern.completion_changes(ctx.optimizer)
    changes += ctx.storage_changes
    yield incomplete_te_fused_adam.finding(
        ctx.classification.reason,
        ("optimizer", "_target_"),
        changes,
        fix=Fix(
            f"would complete to pattern `{ctx.target}`",
            f"completed to pattern `{ctx.target}`",
            f"not completed to pattern `{ctx.target}`",
        ),
    )
