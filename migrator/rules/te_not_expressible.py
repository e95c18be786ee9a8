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

from collections.abc import Iterator

from migrator import patterns
from migrator.core.classify import Kind
from migrator.core.findings import Finding, Level
from migrator.core.recipes import Family
from migrator.rules import Context, rule


@rule(
    "MIG103",
    "te-not-expressible",
    "the pattern's optimizer settings cannot be written in YAML for this recipe",
    Level.WARNING,
    __doc__,
)
def te_not_expressible(ctx: Context) -> Iterator[Finding]:
    writes_settings = ctx.switches_optimizer_class or ctx.classification.kind is Kind.INCOMPLETE_TE
    if writes_settings and ctx.pattern.needs_dtype_strings and ctx.classification.family is Family.BAGEL:
        instead = patterns.choices(lambda pattern: not pattern.needs_dtype_strings)
        if not ctx.switches_optimizer_class:  # it runs this optimizer already: only --convert replaces it
            asked_instead = not patterns.PATTERNS[ctx.options.pattern].needs_dtype_strings
            advice = "pass --convert" if asked_instead else f"use {instead} --convert"
        else:
            advice = f"use {instead}"
        message = (
            "BAGEL builds the optimizer without dtype-string conversion: "
            f"{ctx.pattern.optimizer_name.split()[0]} settings cannot be written in YAML; {advice}"
        )
        yield te_not_expressible.finding(message, ("optimizer", "_target_"), blocks=True)
