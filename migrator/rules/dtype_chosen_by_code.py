"""## What it does
Notes, without changing anything, a storage dtype the code chooses on purpose: a loop variable
(`for dtype in (torch.float32, torch.bfloat16)`), a function parameter, or a load inside a branch that
tests the dtype or the precision.

## Why?
Such code compares precisions (benchmarks, tests, "fp32 or bf16" switches): rewriting one branch
would make it measure or run the same thing twice.

## Example
```python
for dtype in (torch.float32, torch.bfloat16):
    model = NeMoAutoModelForCausalLM.from_pretrained(path, torch_dtype=dtype)
    optimizer = torch.optim.AdamW(model.parameters())
```
Nothing to do; if a branch trains for real in bf16, switch that branch by hand.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

dtype_chosen_by_code = python_rule(
    "MIG112", "dtype-chosen-by-code", "the storage dtype is chosen by the code on purpose", Level.INFO, __doc__
)
