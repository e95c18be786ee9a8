"""## What it does
Leaves a config unchanged instead of moving it to TE FusedAdam when `distributed.tp_size > 1`,
unless `--force` is given.

## Why?
Under tensor parallelism TE FusedAdam allocates `exp_avg`/`exp_avg_sq` unsharded (TP-local, not FSDP-
sharded) and real runs have gone out of memory in `initialize_state`. Pattern `fp32` is safe there.

## Example
```yaml
distributed:
  tp_size: 4
```
Use instead: `migrate --pattern fp32`, or `--pattern te --force` after checking memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator import patterns
from migrator.core.automodel import as_number
from migrator.core.findings import Finding, Level
from migrator.rules import Context, rule


@rule("MIG102", "te-tensor-parallel", "TE FusedAdam with tp_size > 1 keeps unsharded state", Level.WARNING, __doc__)
def te_tensor_parallel(ctx: Context) -> Iterator[Finding]:
    if not ctx.switches_optimizer_class or ctx.pattern.state_sharded_by_tp or ctx.options.force:
        return
    distributed = ctx.data.get("distributed")
    tp_size = as_number(distributed.get("tp_size")) if isinstance(distributed, dict) else None
    if tp_size is not None and tp_size > 1:
        instead = patterns.choices(lambda pattern: pattern.state_sharded_by_tp)
        message = f"tp_size > 1: {ctx.pattern.optimizer_name} state is not sharded by TP; left unchanged (use {instead}, or --force)"
        yield te_tensor_parallel.finding(message, ("distributed", "tp_size"), blocks=True)
