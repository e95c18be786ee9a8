"""Calls that set a model's storage dtype after loading: `.bfloat16()`, `.half()`, `.float()`, `.to(dtype)`."""

from __future__ import annotations

import ast

from migrator.core import automodel

# Casting methods without arguments, and the dtype each sets.
CAST_METHODS = {"bfloat16": "torch.bfloat16", "half": "torch.float16", "float": "torch.float32"}


def _dtype_spelling(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return automodel.dtype_kind(node.value) is not None
    return isinstance(node, ast.Attribute) and automodel.dtype_kind(node.attr) is not None


def _named_dtype(node: ast.AST) -> bool:
    """`dtype`, `args.torch_dtype`, `weight_dtype`: a variable that by its name may hold a dtype, not a device."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return "dtype" in name.lower()


def cast_dtype(call: ast.Call) -> ast.expr | None:
    """The dtype a `.to(...)` call passes: `dtype=`, or a positional torch dtype, dtype string or dtype variable."""
    for found in call.keywords:
        if found.arg == "dtype":
            return found.value
    return next((arg for arg in call.args if _dtype_spelling(arg) or _named_dtype(arg)), None)


def storage_cast(expression: ast.AST) -> bool:
    """A call that sets the storage dtype of what it is called on."""
    if not (isinstance(expression, ast.Call) and isinstance(expression.func, ast.Attribute)):
        return False
    method = expression.func.attr
    if method in CAST_METHODS:
        return not expression.args and not expression.keywords
    return method == "to" and cast_dtype(expression) is not None
