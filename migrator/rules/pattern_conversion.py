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

from collections.abc import Iterator

from migrator.core.classify import Kind
from migrator.core.findings import Finding, Fix, Level
from migrator.rules import Context, rule


@rule(
    "MIG006", "pattern-conversion", "config converted to the other recommended pattern (--convert)", Level.FIX, __doc__
)
def pattern_conversion(ctx: Context) -> Iterator[Finding]:
    kind = ctx.classification.kind
    if kind not in (Kind.ON_PATTERN, Kind.INCOMPLETE_TE) or not ctx.switches_optimizer_class:
        return
    changes = ctx.pattern.switch_changes(ctx.optimizer)
    changes += ctx.storage_changes
    message = f"on pattern `{ctx.classification.pattern}`; --convert asks for `{ctx.target}`"
    fix = Fix(f"would convert to `{ctx.target}`", f"converted to `{ctx.target}`", f"not converted to `{ctx.target}`")
    yield pattern_conversion.finding(message, ("optimizer", "_target_"), changes, fix=fix)
