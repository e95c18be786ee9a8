"""Between Python expressions and the plain config data the classifier and rules read.

Code is read as AutoModel would see it as config data: `torch.bfloat16` is the spelling
"torch.bfloat16", literals are their values, and anything else is `Opaque` (not decidable).
Code is written back (as source text) in the form of its context: torch attributes in calls, literals in configs.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator.core import automodel
from migrator.python.document import PythonDocument


@dataclass(frozen=True, eq=False)
class Opaque:
    """A value only known at run time (a variable, a call, an f-string)."""

    node: ast.AST


def is_torch_dtype(name: str | None) -> bool:
    return name is not None and name.startswith("torch.") and automodel.dtype_kind(name) is not None


def to_data(node: ast.expr, doc: PythonDocument) -> Any:
    if isinstance(node, ast.Dict):
        return dict_to_data(node, doc)
    name = doc.qualified(node)
    if is_torch_dtype(name):
        return name
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return Opaque(node)


def string_key(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def dict_to_data(node: ast.Dict, doc: PythonDocument) -> dict[str, Any] | Opaque:
    """A dict literal with string keys as data; `**spread` or computed keys make it opaque."""
    data: dict[str, Any] = {}
    for key_node, value in zip(node.keys, node.values, strict=True):
        key = string_key(key_node)
        if key is None:
            return Opaque(node)
        data[key] = to_data(value, doc)
    return data


def quote_of(node: ast.AST | None, doc: PythonDocument, default: str = '"') -> str:
    """The quote a plain string literal is written with (prefixed strings keep the default)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        code = doc.code(node)
        if code[:1] in "'\"":
            return code[0]
    return default


def string_literal(value: str, quote: str = '"') -> str:
    if quote == "'" and "'" not in value:
        return repr(value)  # repr quotes with ' when the text holds none
    return json.dumps(value)


def data_source(value: Any, quote: str = '"') -> str:
    """Python source for config data (dict literals, CLI values): strings stay strings."""
    if isinstance(value, str):
        return string_literal(value, quote)
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(f"{data_source(key, quote)}: {data_source(item, quote)}" for key, item in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(data_source(item, quote) for item in value) + "]"
    return repr(value)


def code_source(value: Any, torch_name: str) -> str:
    """Python source for an argument of a real call: dtype spellings become `<torch>.<dtype>`."""
    if isinstance(value, str) and automodel.dtype_kind(value) is not None:
        return f"{torch_name}.{value.removeprefix('torch.')}"
    return data_source(value)
