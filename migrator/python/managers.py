"""What else owns a model's precision in this file: DeepSpeed, accelerate, PEFT adapters, quantized loads.

Where one of them is present the optimizer's state precision is theirs (fp32 masters, adapters only, frozen
quantized weights), so a pair is reported and never edited. A module-wide manager (`None` key) covers every
model in the file; a quantized load covers its own model.
"""

from __future__ import annotations

import ast

from migrator.core.settings import Options
from migrator.python.document import PythonDocument

# Qualified-name prefixes of the calls and classes that take over precision, and what to call them. accelerate's
# `Accelerator` counts: the launch configuration, not the file, decides whether it wraps the model in DeepSpeed or
# FSDP (both keep fp32 masters, FSDP's mixed precision upcasts trainable parameters).
_MANAGERS = (
    ("deepspeed.", "DeepSpeed"),
    ("accelerate.Accelerator", "accelerate (DeepSpeed or FSDP chosen at launch)"),
    ("accelerate.accelerator.Accelerator", "accelerate (DeepSpeed or FSDP chosen at launch)"),
    ("accelerate.utils.DeepSpeedPlugin", "accelerate's DeepSpeed plugin"),
    ("accelerate.DeepSpeedPlugin", "accelerate's DeepSpeed plugin"),
    ("accelerate.utils.FullyShardedDataParallelPlugin", "accelerate's FSDP plugin"),
    ("accelerate.FullyShardedDataParallelPlugin", "accelerate's FSDP plugin"),
)
_PEFT = ("peft.", "PEFT adapters (pass --include-peft to migrate anyway)")
_QUANTIZATION_CLASSES = ("transformers.BitsAndBytesConfig", "transformers.utils.quantization_config.")
_QUANTIZED_LOAD_KEYWORDS = ("load_in_8bit", "load_in_4bit", "quantization_config")
_MANAGER_KEYWORDS = {"deepspeed_plugin": "accelerate's DeepSpeed plugin", "fsdp_plugin": "accelerate's FSDP plugin"}
_PEFT_METHODS = ("add_adapter", "load_adapter", "get_peft_model")


def find(doc: PythonDocument, options: Options) -> dict[ast.Call | None, str]:
    """Loading call (or None for the whole module) -> what manages precision there, with its line."""
    found: dict[ast.Call | None, str] = {}
    module_wide: dict[str, str] = {}  # what -> where first seen
    managers = _MANAGERS if options.include_peft else (*_MANAGERS, _PEFT)
    for scope, call in doc.calls():
        name = doc.qualified(call.func, scope) or ""
        line = f"line {call.lineno}"
        for prefix, what in managers:
            if name.startswith(prefix):
                module_wide.setdefault(what, f"`{name}`, {line}")
        if name.startswith(_QUANTIZATION_CLASSES):
            module_wide.setdefault("quantized weights", f"`{name}`, {line}")
        for keyword in call.keywords:
            if keyword.arg in _MANAGER_KEYWORDS:
                module_wide.setdefault(_MANAGER_KEYWORDS[keyword.arg], line)
            elif keyword.arg in _QUANTIZED_LOAD_KEYWORDS:
                found.setdefault(call, f"quantized load (`{keyword.arg}`, {line})")
        if (
            not options.include_peft
            and isinstance(call.func, (ast.Attribute, ast.Name))
            and (call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id) in _PEFT_METHODS
        ):
            module_wide.setdefault(_PEFT[1], line)
    if module_wide:
        found[None] = "; ".join(f"{what} ({where})" for what, where in module_wide.items())
    return found
