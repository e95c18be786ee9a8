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

from typing import Iterator

from migrator.rules import Context, Finding, Level, register


@register("MIG107", "optimizer-chosen-at-run-time", "optimizer class chosen at run time", Level.WARNING, __doc__)
def check(ctx: Context) -> Iterator[Finding]:
    return iter(())  # Python front end only
