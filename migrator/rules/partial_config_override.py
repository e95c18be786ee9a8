"""## What it does
Reports, without changing anything, a config override in Python that sets only part of what the
decision needs, while the rest lives in the YAML it is applied to: `"--model.torch_dtype", "bf16"`
without `--optimizer._target_`, `cfg.set_by_dotted("optimizer._target_", "torch.optim.AdamW")` without
the storage dtype, or a switch of the optimizer class that would need keys removed from the loaded
config (the command line cannot delete keys).

## Why?
The loaded config decides whether the run keeps bf16 Adam state; overriding one half from Python can
create the problem or hide it. Migrating the YAML file itself is the safe fix.

## Example
```python
cmd = ["automodel", "llama.yaml", "--model.torch_dtype", "bf16"]
```
Use instead: `migrate llama.yaml`, then drop the override or set it to `float32`.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

partial_config_override = python_rule(
    "MIG109", "partial-config-override", "Python override sets half of a precision decision", Level.WARNING, __doc__
)
