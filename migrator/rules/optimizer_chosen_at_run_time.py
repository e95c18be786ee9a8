"""## What it does
Reports, without changing anything, an optimizer whose class is chosen at run time over a model loaded
here: `getattr(torch.optim, name)(model.parameters())`, or a class held in a variable.

## Why?
The class decides whether the Adam state follows the parameter dtype (torch) or is kept in fp32 (TE
FusedAdam with master weights); it cannot be read from the code.

## Example
```python
optimizer = getattr(torch.optim, args.optimizer)(model.parameters(), lr=1e-5)
```
Use instead: pick the class explicitly, or make sure every allowed choice is precision-safe.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

optimizer_chosen_at_run_time = python_rule(
    "MIG107", "optimizer-chosen-at-run-time", "optimizer class chosen at run time", Level.WARNING, __doc__
)
