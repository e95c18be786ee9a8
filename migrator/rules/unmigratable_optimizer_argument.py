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

from typing import Iterator

from migrator import optimizer_changes
from migrator.rules import Context, Finding, Level, register


@register("MIG101", "unmigratable-optimizer-argument", "optimizer setting the new class cannot reproduce", Level.ERROR, __doc__)
def check(ctx: Context) -> Iterator[Finding]:
    if not ctx.switches_optimizer_class:
        return
    other = "--pattern fp32" if ctx.switches_to_te else "--pattern te"
    for key in optimizer_changes.unmigratable_arguments(ctx.optimizer, ctx.switches_to_te):
        value = ctx.optimizer[key]
        message = f"`{key}: {value}` has no equivalent after the switch; use {other} or remove it by hand"
        yield check.finding(message, ("optimizer", key), blocks=True)
