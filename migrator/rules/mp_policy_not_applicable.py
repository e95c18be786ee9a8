"""## What it does
Reports, without changing anything, why a migrated config gets no explicit `distributed.mp_policy`:
`megatron_fsdp`/`ddp` strategies (AutoModel raises on `mp_policy` there), diffusion recipes (their
`fsdp.mp_policy` is overwritten at run time), no `distributed` section, or an unknown strategy.

## Why?
So a reviewer knows the policy was considered, not forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.core.findings import Finding, Level
from migrator.rules import Context, rule
from migrator.rules.implicit_mp_policy import unsupported_reason


@rule(
    "MIG104",
    "mp-policy-not-applicable",
    "no explicit mp_policy possible for this strategy or recipe",
    Level.INFO,
    __doc__,
)
def mp_policy_not_applicable(ctx: Context) -> Iterator[Finding]:
    reason = unsupported_reason(ctx)
    if reason is not None:
        yield mp_policy_not_applicable.finding(reason, ("distributed",))
