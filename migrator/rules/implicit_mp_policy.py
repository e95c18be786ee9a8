"""## What it does
Makes the FSDP2 mixed-precision policy explicit in `distributed.mp_policy`: `_target_:
torch.distributed.fsdp.MixedPrecisionPolicy`, `param_dtype: bfloat16`, `reduce_dtype: float32`,
`output_dtype: bfloat16`, `cast_forward_inputs: true`. An existing policy keeps every value it has; only
missing keys are added. Applies under `strategy: fsdp2`, no strategy, or the legacy `FSDP2Manager` target.

## Why?
The block equals FSDP2Config's default in AutoModel's source (2026-08). The released nemo-automodel 0.7.0
defaults to `output_dtype: None` and `cast_forward_inputs: false`, so there the block also casts module outputs
to bf16 and forward inputs to the compute dtype (`migrator verify` shows the difference against the installed
AutoModel). Written out, it documents that gradients are reduced in fp32 and survives default changes.

## Example
```yaml
distributed:
  strategy: fsdp2
```
Use instead:
```yaml
distributed:
  strategy: fsdp2
  mp_policy:
    _target_: torch.distributed.fsdp.MixedPrecisionPolicy
    param_dtype: bfloat16
    reduce_dtype: float32
    output_dtype: bfloat16
    cast_forward_inputs: true
```

## References
- AutoModel `nemo_automodel/components/distributed/config.py` (FSDP2Config.mp_policy)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from migrator import patterns
from migrator.core import automodel
from migrator.core.changes import Set
from migrator.core.findings import Finding, Fix, Level
from migrator.core.recipes import Family
from migrator.rules import Context, rule

MP_POLICY = ("distributed", "mp_policy")


def unsupported_reason(ctx: Context) -> str | None:
    """Why no `mp_policy` may be added to this config, or None under FSDP2."""
    if ctx.classification.family is Family.DIFFUSION:
        return "diffusion recipes overwrite fsdp.mp_policy at run time from model.compute_dtype; nothing added"
    distributed = ctx.data.get("distributed")
    if distributed is None:
        return "no distributed section: nothing added (FSDP2's default policy applies)"
    if not isinstance(distributed, Mapping):
        return "`distributed` is not a mapping: nothing added"
    strategy = distributed.get("strategy")
    if strategy is None:
        target = distributed.get("_target_")
        if target is None or target in automodel.FSDP2_LEGACY_TARGETS:
            return None
        return f"distributed._target_ `{target}` is not FSDP2: nothing added"
    if strategy in automodel.FSDP2_STRATEGIES:
        return None
    if strategy in automodel.NO_MP_POLICY_STRATEGIES:
        return f"strategy `{strategy}` rejects mp_policy (AutoModel raises ValueError): nothing added"
    return f"unknown strategy `{strategy}`: nothing added"


@rule("MIG005", "implicit-mp-policy", "FSDP2 mixed-precision policy left implicit", Level.FIX, __doc__)
def implicit_mp_policy(ctx: Context) -> Iterator[Finding]:
    if unsupported_reason(ctx) is not None:
        return
    policy: Any = ctx.data["distributed"].get("mp_policy")
    changes = policy_changes(policy)
    if policy is None:
        yield implicit_mp_policy.finding(
            "distributed.mp_policy is implicit under FSDP2 (AutoModel's default: bf16 parameters, fp32 reduction)",
            MP_POLICY,
            changes,
            fix=Fix("would write the policy out", "policy written out", "not written out"),
        )
    elif changes:
        missing = ", ".join(change.path[-1] for change in changes)
        yield implicit_mp_policy.finding(
            f"distributed.mp_policy misses {missing} (the default applies to them)",
            MP_POLICY,
            changes,
            fix=Fix("would add the missing keys", "missing keys added", "not added"),
        )


def policy_changes(policy: Any) -> list[Set]:
    """No policy: the whole canonical one; a policy mapping: only its missing keys (existing values are kept)."""
    if policy is None:
        return [Set(MP_POLICY, dict(patterns.MP_POLICY))]
    if not isinstance(policy, Mapping):
        return []
    return [Set((*MP_POLICY, key), patterns.MP_POLICY[key]) for key in patterns.MP_POLICY if key not in policy]
