"""## What it does
Removes optimizer arguments the new optimizer class does not accept: `foreach`, `fused`, `maximize`,
`differentiable`, `capturable`, `decoupled_weight_decay` and `amsgrad: false` when moving to TE FusedAdam;
TE-only arguments (`master_weights`, `exp_avg_dtype`, ...) when converting back to torch.

## Why is this bad?
AutoModel passes every optimizer key to the constructor: TE FusedAdam raises `TypeError` on `foreach` or
`fused`, and `capturable` conflicts with `store_param_remainders`.

## Example
```yaml
optimizer:
  _target_: torch.optim.AdamW
  foreach: false
```
Use instead (`--pattern te`): the same block without `foreach`.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.core.changes import Delete
from migrator.core.findings import Finding, Fix, Level
from migrator.rules import Context, rule


@rule(
    "MIG003", "unsupported-optimizer-argument", "argument the new optimizer class rejects, removed", Level.FIX, __doc__
)
def unsupported_optimizer_argument(ctx: Context) -> Iterator[Finding]:
    if not ctx.switches_optimizer_class:
        return
    for key in ctx.pattern.rejected_arguments(ctx.optimizer):
        path = ("optimizer", key)
        yield unsupported_optimizer_argument.finding(
            f"`{key}`: {ctx.pattern.optimizer_name} does not accept it",
            path,
            [Delete(path)],
            fix=Fix("would remove it", "removed", "not removed"),
        )
