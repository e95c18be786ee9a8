"""## What it does
Leaves BAGEL multimodal recipes unchanged when they would need TE FusedAdam settings.

## Why?
BAGEL builds its optimizer with a raw `instantiate`, without AutoModel's dtype-string conversion, so
`exp_avg_dtype: torch.float32` reaches TE as a string and fails TE's own check. Pattern `te` cannot be
written in YAML for these recipes; pattern `fp32` (BAGEL's default storage) can.

## Example
```yaml
recipe: FinetuneRecipeForMultimodal
optimizer:
  _target_: torch.optim.AdamW
```
Use instead: `migrate --pattern fp32`.
"""

from __future__ import annotations

from typing import Iterator

from migrator.classify import Kind
from migrator.recipes import Family
from migrator.rules import Context, Finding, Level, register


@register("MIG103", "te-not-expressible", "pattern te cannot be written in YAML for this recipe", Level.WARNING, __doc__)
def check(ctx: Context) -> Iterator[Finding]:
    needs_te_settings = ctx.switches_to_te or ctx.classification.kind is Kind.INCOMPLETE_TE
    if needs_te_settings and ctx.classification.family is Family.BAGEL:
        message = "BAGEL builds the optimizer without dtype-string conversion: TE settings cannot be written in YAML; use --pattern fp32"
        yield check.finding(message, ("optimizer", "_target_"), blocks=True)
