"""## What it does
Notes, without changing anything, a torch Adam/AdamW or TE FusedAdam construction whose parameters do
not come from a model loaded in the same function or module (`from_pretrained`/`from_config`), and a
model sharded with `fully_shard` whose optimizer is built elsewhere.

## Why?
Whether Adam state is bf16 depends on the parameters' storage dtype, which is only known at the
loading call. Unit tests that build an optimizer over `torch.nn.Linear` parameters (fp32) or over
hand-made bf16 tensors (to test the warning itself) must not change.

## Example
```python
optimizer = torch.optim.AdamW(recipe.trainer_module.parameters(), lr=1e-4)
```
Nothing to do unless those parameters are bf16; then load the model with `torch_dtype=torch.float32`
or switch to TE FusedAdam with `master_weights=True` by hand.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

optimizer_not_linked = python_rule(
    "MIG106", "optimizer-not-linked", "optimizer and model storage dtype are not both visible here", Level.INFO, __doc__
)
