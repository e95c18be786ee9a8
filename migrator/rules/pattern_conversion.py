"""## What it does
With `--convert`, moves a config that already follows the other recommended pattern (or has an incomplete
TE FusedAdam): `fp32` -> `te` switches torch Adam/AdamW to TE FusedAdam and stores the model in
`bfloat16`; `te` -> `fp32` switches TE FusedAdam to torch `AdamW` (`Adam` where TE ran in L2 mode,
`adam_w_mode: false`) with `float32` storage.

## Why?
Both patterns are precision-safe; teams standardise on one (TE saves memory, fp32 needs no Transformer
Engine). Without `--convert` such configs only get an explicit `mp_policy`.

## Example
```yaml
optimizer:
  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam
  adam_w_mode: true
  master_weights: true
```
Use instead (`--pattern fp32 --convert`):
```yaml
optimizer:
  _target_: torch.optim.AdamW
  weight_decay: 0.0
```
"""

from __future__ import annotations

from typing import Iterator

from migrator import optimizer_changes
from migrator.classify import Kind
from migrator.rules import Context, Finding, Level, register


@register("MIG006", "pattern-conversion", "config converted to the other recommended pattern (--convert)", Level.FIX, __doc__)
def check(ctx: Context) -> Iterator[Finding]:
    kind = ctx.classification.kind
    if kind not in (Kind.ON_PATTERN, Kind.INCOMPLETE_TE) or not ctx.switches_optimizer_class:
        return
    if ctx.switches_to_te:
        changes = optimizer_changes.to_te_changes(ctx.optimizer)
    else:
        changes = optimizer_changes.to_torch_changes(ctx.optimizer)
    changes += optimizer_changes.storage_changes(ctx.model, ctx.target, "model" in ctx.data)
    message = f"converted from pattern `{ctx.classification.pattern or 'te'}` to `{ctx.target}`"
    yield check.finding(message, ("optimizer", "_target_"), changes)
