"""## What it does
Refuses to switch optimizer class when a setting has no faithful equivalent: `amsgrad: true` or
`maximize: true` (TE FusedAdam), `bias_correction: false` (torch Adam/AdamW). The file is left unchanged
and reported as failed.

## Why?
Dropping such a setting changes the optimiser's maths; a person has to decide.

## Example
```yaml
optimizer:
  _target_: torch.optim.AdamW
  amsgrad: true
```
Use instead: `--pattern fp32` (keeps torch AdamW), or remove `amsgrad` by hand first.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator import patterns
from migrator.core.findings import Finding, Level
from migrator.rules import Context, rule


@rule(
    "MIG101",
    "unmigratable-optimizer-argument",
    "optimizer setting the new class cannot reproduce",
    Level.ERROR,
    __doc__,
)
def unmigratable_optimizer_argument(ctx: Context) -> Iterator[Finding]:
    if not ctx.switches_optimizer_class:
        return
    current = patterns.running(ctx.optimizer.get("_target_"))
    other = f"--pattern {current.name}" if current is not None else "another pattern"
    for key in ctx.pattern.unmigratable_arguments(ctx.optimizer):
        value = ctx.optimizer[key]
        message = f"`{key}: {value}` has no equivalent after the switch; use {other} or remove it by hand"
        yield unmigratable_optimizer_argument.finding(message, ("optimizer", key), blocks=True)
