"""## What it does
Reports, without changing anything, a value the migration decision needs but cannot read from the file:
in YAML, an optimizer `_target_` or storage dtype that AutoModel takes from the environment when it loads
the config (`${oc.env:DTYPE,bf16}`, `${DTYPE}`, `$DTYPE`); in Python, a storage dtype held in a variable
(`torch_dtype=dtype`), an optimizer argument the decision reads (`amsgrad=flag`, Adam's `weight_decay=wd`),
or an `mp_policy=` defined outside the function. The file is left unchanged and the finding stays open
(`--check` exits 1) until the value is written out or the finding is suppressed.

## Why?
Guessing the value could turn an fp32 model into bf16 or silently change the update rule. The code that
defines the value is where the fix belongs. Where a YAML reference has a default, the report says what the
config is with it.

## Example
```yaml
model:
  torch_dtype: ${oc.env:DTYPE,bf16}
optimizer:
  _target_: torch.optim.AdamW
```
```python
dtype = torch.bfloat16 if args.bf16 else torch.float32
model = NeMoAutoModelForCausalLM.from_pretrained(path, torch_dtype=dtype)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
```
Use instead: write the dtype (`torch_dtype: float32`, `torch_dtype=torch.float32`), or migrate by hand and
suppress the finding (`# migrator: ignore[MIG105]`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from migrator.core import interpolation
from migrator.core.classify import Kind, storage_key
from migrator.core.findings import Finding, Level
from migrator.rules import Context, rule


@rule(
    "MIG105",
    "value-not-decidable",
    "a value the decision needs comes from the environment, a variable or an expression",
    Level.WARNING,
    __doc__,
    sole_for=Kind.UNDECIDABLE,
)
def value_not_decidable(ctx: Context) -> Iterator[Finding]:
    """One blocking finding per interpolated decision value (the Python front end raises it for variables)."""
    data: Mapping[str, Any] = ctx.data
    model = data.get("model")
    for item in interpolation.decision_values(data, storage_key(model if isinstance(model, Mapping) else {})):
        message = f"{interpolation.describe(item)}: left unchanged; write the value out to migrate it"
        yield value_not_decidable.finding(message, item.path, blocks=True)
