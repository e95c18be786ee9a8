"""## What it does
Reports, without changing anything, a Python value the migration decision needs but cannot read from
the code: a storage dtype held in a variable (`torch_dtype=dtype`), an optimizer argument the decision
reads (`amsgrad=flag`, Adam's `weight_decay=wd`), or an `mp_policy=` defined outside the function.

## Why?
Guessing the value could turn an fp32 model into bf16 or silently change the update rule. The code that
defines the value is where the fix belongs.

## Example
```python
dtype = torch.bfloat16 if args.bf16 else torch.float32
model = NeMoAutoModelForCausalLM.from_pretrained(path, torch_dtype=dtype)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
```
Use instead: write the dtype where the model is loaded (`torch_dtype=torch.float32`), or migrate by hand.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

value_not_decidable = python_rule(
    "MIG105",
    "value-not-decidable",
    "a value the decision needs comes from a variable or expression",
    Level.WARNING,
    __doc__,
)
