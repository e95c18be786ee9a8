"""Between Python expressions and the plain config data the classifier and rules read.

Code is read as AutoModel would see it as config data: `torch.bfloat16` is the spelling
"torch.bfloat16", literals are their values, and anything else is `Opaque` (not decidable).
Code is written back in the form of its context: torch attributes in calls, literals in configs.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst

from migrator.core import automodel
from migrator.python.document import PythonDocument


@dataclass(frozen=True, eq=False)
class Opaque:
    """A value only known at run time (a variable, a call, an f-string)."""

    node: cst.CSTNode


def is_torch_dtype(name: str) -> bool:
    return name.startswith("torch.") and automodel.dtype_kind(name) is not None


def to_data(node: cst.BaseExpression, doc: PythonDocument) -> Any:
    if isinstance(node, cst.Dict):
        return dict_to_data(node, doc)
    dtype = next((name for name in doc.names(node) if is_torch_dtype(name)), None)
    if dtype is not None:
        return dtype
    try:
        return ast.literal_eval(doc.code(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return Opaque(node)


def string_key(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def dict_to_data(node: cst.Dict, doc: PythonDocument) -> dict[str, Any] | Opaque:
    """A dict literal with string keys as data; `**spread` or computed keys make it opaque."""
    data: dict[str, Any] = {}
    for element in node.elements:
        key = string_key(element.key) if isinstance(element, cst.DictElement) else None
        if key is None:
            return Opaque(node)
        data[key] = to_data(element.value, doc)  # type: ignore[union-attr]
    return data


def opaque_paths(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for key, value in data.items():
        if isinstance(value, Opaque):
            found.append((*prefix, key))
        elif isinstance(value, Mapping):
            found += opaque_paths(value, (*prefix, key))
    return found


def quote_of(node: cst.CSTNode | None, default: str = '"') -> str:
    if isinstance(node, cst.SimpleString) and node.prefix == "":
        return node.quote[0]
    return default


def string_literal(value: str, quote: str = '"') -> cst.SimpleString:
    if quote == "'" and "'" not in value:
        return cst.SimpleString(repr(value))  # repr quotes with ' when the text holds none
    return cst.SimpleString(json.dumps(value))


def data_source(value: Any, quote: str = '"') -> str:
    """Python source for config data (dict literals, CLI values): strings stay strings."""
    if isinstance(value, str):
        return string_literal(value, quote).value
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(f"{data_source(key, quote)}: {data_source(item, quote)}" for key, item in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(data_source(item, quote) for item in value) + "]"
    return repr(value)


def data_expression(value: Any, quote: str = '"') -> cst.BaseExpression:
    return cst.parse_expression(data_source(value, quote))


def code_expression(value: Any, doc: PythonDocument) -> cst.BaseExpression:
    """Python source for an argument of a real call: dtype spellings become `torch.<dtype>`."""
    if isinstance(value, str) and automodel.dtype_kind(value) is not None:
        return cst.parse_expression(f"{doc.torch_name()}.{value.removeprefix('torch.')}")
    return data_expression(value)
