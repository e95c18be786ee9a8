"""## What it does
Reports what would be migrated in test code (`test_*.py`, `*_test.py`, `conftest.py`, files under a
`tests/` folder) and leaves it unchanged, unless `--include-tests` is given.

## Why?
Tests pin behaviour on purpose: mocks with their own signatures, assertions about a recipe's default
dtype, fixtures that must import where Transformer Engine is absent. Rewriting them breaks the suite.

## Example
```python
def test_adamw_state_dtype():
    model = NeMoAutoModelForCausalLM.from_config(config)
    optimizer = torch.optim.AdamW(model.parameters())
```
Nothing to do; `migrate --include-tests` edits test code too.
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

test_code_not_edited = python_rule(
    "MIG113", "test-code-not-edited", "test code is reported, not edited (--include-tests)", Level.INFO, __doc__
)
