"""Edits planned on the parsed tree, keyed by the original nodes, applied in one libcst pass.

Only nodes named here change; every other node (and its whitespace and comments) is reused as is.
Imports are added and removed afterwards by libcst's own import visitors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from migrator.core.changes import Change, Delete, KeyPath
from migrator.python import layout
from migrator.python.document import PythonDocument
from migrator.python.values import data_expression, quote_of, string_key, string_literal


@dataclass
class CallEdit:
    """New function, keyword values to set (replaced in place or appended) and arguments to drop."""

    positional: tuple[str, ...] = ()  # parameter names of the positional slots
    func: cst.BaseExpression | None = None
    sets: dict[str, cst.BaseExpression] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)

    def set(self, key: str, value: cst.BaseExpression) -> None:
        self.sets.setdefault(key, value)  # a second plan for the same call decides the same

    def delete(self, key: str) -> None:
        if key not in self.deletes:
            self.deletes.append(key)

    def apply(self, call: cst.Call) -> cst.Call:
        args = list(call.args)
        for key in self.deletes:
            index = argument_index(args, key, self.positional)
            if index is not None:
                args = layout.remove(args, index)
        appended = []
        for key, value in self.sets.items():
            index = argument_index(args, key, self.positional)
            if index is None:
                appended.append(cst.Arg(value=value, keyword=cst.Name(key), equal=_equal_style(args)))
            else:
                args[index] = args[index].with_changes(value=value)
        args = layout.append(args, appended, call.whitespace_before_args)
        return call.with_changes(func=self.func or call.func, args=args)


KEYWORD_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _equal_style(args: Sequence[cst.Arg]) -> cst.AssignEqual | cst.MaybeSentinel:
    return next((arg.equal for arg in args if arg.keyword is not None), KEYWORD_EQUAL)


def argument_index(args: Sequence[cst.Arg], key: str, positional: tuple[str, ...] = ()) -> int | None:
    plain = [index for index, arg in enumerate(args) if arg.keyword is None and not arg.star]
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == key:
            return index
    if key in positional and positional.index(key) < len(plain):
        return plain[positional.index(key)]
    return None


def argument(call: cst.Call, key: str, positional: tuple[str, ...] = ()) -> cst.Arg | None:
    index = argument_index(call.args, key, positional)
    return call.args[index] if index is not None else None


def has_star_arguments(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def dict_element(node: cst.Dict, key: str) -> cst.DictElement | None:
    return next((e for e in node.elements if isinstance(e, cst.DictElement) and string_key(e.key) == key), None)


def _dict_apply(node: cst.Dict, path: KeyPath, change: Change, quote: str) -> cst.Dict:
    key, rest = path[0], path[1:]
    elements = list(node.elements)
    index = next(
        (i for i, e in enumerate(elements) if isinstance(e, cst.DictElement) and string_key(e.key) == key), None
    )
    if index is not None and isinstance(change, Delete) and not rest:
        return node.with_changes(elements=layout.remove(elements, index))
    if isinstance(change, Delete):
        inner = elements[index].value if index is not None else None  # type: ignore[union-attr]
        if isinstance(inner, cst.Dict):
            elements[index] = elements[index].with_changes(value=_dict_apply(inner, rest, change, quote))  # type: ignore[index]
        return node.with_changes(elements=elements)
    value: Any = change.value
    for parent in reversed(rest):
        value = {parent: value}
    if index is None:
        colon = next((e for e in elements if isinstance(e, cst.DictElement)), None)
        new = cst.DictElement(string_literal(key, quote), data_expression(value, quote))
        if colon is not None:
            new = new.with_changes(
                whitespace_before_colon=colon.whitespace_before_colon,
                whitespace_after_colon=colon.whitespace_after_colon,
            )
        return node.with_changes(elements=layout.append(elements, [new], node.lbrace.whitespace_after))
    element = elements[index]
    if rest and isinstance(element.value, cst.Dict):
        elements[index] = element.with_changes(value=_dict_apply(element.value, rest, change, quote))
    else:
        elements[index] = element.with_changes(value=data_expression(value, quote_of(element.value, quote)))
    return node.with_changes(elements=elements)


@dataclass
class DictEdit:
    """Changes on a recipe-shaped dict literal, by key path from that dict."""

    changes: list[Change] = field(default_factory=list)

    def apply(self, node: cst.Dict) -> cst.Dict:
        quote = quote_of(
            node.elements[0].key if node.elements and isinstance(node.elements[0], cst.DictElement) else None
        )
        for change in self.changes:
            node = _dict_apply(node, change.path, change, quote)
        return node


class EditSet:
    def __init__(self, doc: PythonDocument) -> None:
        self.doc = doc
        self.calls: dict[cst.Call, CallEdit] = {}
        self.dicts: dict[cst.Dict, DictEdit] = {}
        self.replacements: dict[cst.CSTNode, cst.CSTNode] = {}
        self.inserts: dict[cst.BaseStatement, list[cst.BaseStatement]] = {}
        self.removals: list[tuple[str, str | None, str | None]] = []

    def call(self, node: cst.Call, positional: tuple[str, ...] = ()) -> CallEdit:
        return self.calls.setdefault(node, CallEdit(positional))

    def dict(self, node: cst.Dict) -> DictEdit:
        return self.dicts.setdefault(node, DictEdit())

    def replace(self, node: cst.CSTNode, new: cst.CSTNode) -> None:
        self.replacements.setdefault(node, new)

    def insert_before(self, statement: cst.BaseStatement, new: cst.BaseStatement) -> None:
        self.inserts.setdefault(statement, []).append(new)

    def remove_import_if_unused(self, expression: cst.BaseExpression) -> None:
        """The import behind a name the edit stops using; removed only if nothing else uses it."""
        binding = self.doc.binding_of(expression)
        if binding is not None:
            RemoveImportsVisitor.remove_unused_import(self.doc.context, binding.module, binding.obj, binding.asname)

    def __bool__(self) -> bool:
        return bool(self.calls or self.dicts or self.replacements or self.inserts)

    def new_text(self) -> str:
        tree = self.doc.tree.visit(_Apply(self))
        tree = AddImportsVisitor(self.doc.context).transform_module(tree)
        tree = RemoveImportsVisitor(self.doc.context).transform_module(tree)
        return tree.code


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: EditSet) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        edits = self.edits
        if original_node in edits.replacements:
            return edits.replacements[original_node]
        if isinstance(original_node, cst.Call) and original_node in edits.calls:
            return edits.calls[original_node].apply(updated_node)  # type: ignore[arg-type]
        if isinstance(original_node, cst.Dict) and original_node in edits.dicts:
            return edits.dicts[original_node].apply(updated_node)  # type: ignore[arg-type]
        if isinstance(original_node, (cst.Module, cst.IndentedBlock)) and edits.inserts:
            body: list[Any] = []
            for original, updated in zip(original_node.body, updated_node.body, strict=False):  # type: ignore[attr-defined]
                body += edits.inserts.get(original, [])
                body.append(updated)
            return updated_node.with_changes(body=body)
        return updated_node
