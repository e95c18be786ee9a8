"""## What it does
Reports, without changing anything, a call the migration would edit that passes `**kwargs` (or
`*args`): a model-loading call without an explicit dtype, an optimizer, `fully_shard`, or
`MixedPrecisionPolicy`.

## Why?
The unpacked mapping may already hold the argument (`torch_dtype`, `mp_policy`, `foreach`); adding it
again raises `TypeError: got multiple values for keyword argument`, and leaving it may keep bf16 state.

## Example
```python
fully_shard(model, **shard_kwargs)
```
Use instead: put `mp_policy=MixedPrecisionPolicy(...)` into `shard_kwargs` where it is built.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

unknown_keyword_arguments = python_rule(
    "MIG108", "unknown-keyword-arguments", "call with **kwargs: its arguments cannot be checked", Level.WARNING, __doc__
)
