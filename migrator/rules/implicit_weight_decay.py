"""## What it does
Writes the weight decay out when the optimizer class changes and the config relied on the old default:
torch `AdamW` defaults to 0.01 where TE FusedAdam defaults to 0.0 (and back, for `--convert`).

## Why is this bad?
Dropping into the new class's default would silently change the regularisation of the run.

## Example
```yaml
optimizer:
  _target_: torch.optim.AdamW
```
Use instead (`--pattern te`):
```yaml
optimizer:
  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam
  weight_decay: 0.01
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.core.changes import Set
from migrator.core.findings import Finding, Fix, Level
from migrator.rules import Context, rule


@rule(
    "MIG002",
    "implicit-weight-decay",
    "default weight decay differs between torch AdamW and TE FusedAdam",
    Level.FIX,
    __doc__,
)
def implicit_weight_decay(ctx: Context) -> Iterator[Finding]:
    if not ctx.switches_optimizer_class:
        return
    decay = ctx.pattern.implicit_weight_decay(ctx.optimizer)
    if decay is not None:
        path = ("optimizer", "weight_decay")
        yield implicit_weight_decay.finding(
            f"weight_decay is implicit (the current optimizer's default is {decay}, {ctx.pattern.optimizer_name}'s differs)",
            path,
            [Set(path, decay)],
            fix=Fix(f"would write it out as {decay}", f"written out as {decay}", "not written out"),
        )
