"""## What it does
Notes, without changing anything, a model trained by a torch Adam/AdamW whose storage dtype the file does
not prove to be bf16: a Hugging Face or diffusers `from_pretrained` without a dtype (transformers < 5 loads
fp32, >= 5 the checkpoint's own dtype), a loader or builder the tool does not know, or a `from_config`
whose dtype argument its builder ignores.

## Why?
Unset means bf16 only for AutoModel's own loaders (`NeMoAutoModel*`). Elsewhere an added
`torch_dtype=torch.bfloat16` would turn an fp32 model into a bf16 one: the very bug the migration removes.

## Example
```python
model = AutoModelForCausalLM.from_pretrained(path)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
```
Nothing to do while the model trains in fp32; if the checkpoint is bf16, load it with
`torch_dtype=torch.float32` (or keep bf16 and use TE FusedAdam with `master_weights=True`).
"""

from __future__ import annotations

from migrator.core.findings import Level
from migrator.rules import python_rule

storage_not_proven = python_rule(
    "MIG110", "storage-not-proven", "the model's storage dtype is not shown to be bf16 here", Level.INFO, __doc__
)
