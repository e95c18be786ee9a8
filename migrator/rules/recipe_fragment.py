"""## What it does
Reports, without changing anything, a documentation code block that holds a torch Adam optimizer but
no `model` section: a recipe fragment. Whether it keeps Adam state in bf16 depends on the storage dtype of
the recipe it is pasted into, which the block does not show.

## Why?
Readers copy fragments into their own recipes. Other blocks of the same page are not used to decide it:
pages show alternatives side by side (a full-finetune and a LoRA recipe, two model sizes), so which model
section a fragment belongs to is a guess. The note points at the block so a human can add the storage
dtype (`model.torch_dtype: float32`) or move it to pattern `te`.

## Example
````markdown
Swap the optimizer:
```yaml
optimizer:
  _target_: torch.optim.AdamW
  lr: 1.0e-5
```
````
Use instead: show the model section too (with `torch_dtype: float32`), or the TE FusedAdam optimizer of
pattern `te`; then `migrate` can check the block.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

SUMMARY = "documentation block with a torch Adam optimizer and no model section"
# Raised by the documentation front end only: a fragment never reaches the rules.
recipe_fragment = python_rule("MIG114", "recipe-fragment", SUMMARY, Level.INFO, __doc__)
