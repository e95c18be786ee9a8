"""Apply an `EditSet` with libcst: the only module of the Python front end that imports it.

Nodes are found by their source span (libcst's positions, like `ast`'s, exclude parentheses), so the
decisions made on the `ast` tree land on the same code. Imports that edits stop using are removed by
libcst's own visitor, only when nothing else uses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from migrator.core.changes import Change, Delete, KeyPath
from migrator.python import layout
from migrator.python.edits import CallEdit, DictEdit, EditSet
from migrator.python.values import data_source, string_literal

KEYWORD_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


MIN_WIDTH = 88  # black's and ruff's default line length: a file of short lines may still use it


def width(text: str) -> int:
    """The file's own line length: its longest line, at least `MIN_WIDTH`."""
    return max([MIN_WIDTH, *(len(line) for line in text.splitlines())])


def render(edits: EditSet) -> str:
    wrapper = MetadataWrapper(cst.parse_module(edits.doc.text), unsafe_skip_copy=True)
    tree = wrapper.visit(_Apply(edits, wrapper.resolve(PositionProvider)))
    if edits.removals:
        context = CodemodContext()
        for module, obj, asname in edits.removals:
            RemoveImportsVisitor.remove_unused_import(context, module, obj, asname)
        tree = RemoveImportsVisitor(context).transform_module(tree)
    return tree.code


def _statements(sources: Sequence[str]) -> list[cst.BaseStatement]:
    return [cst.parse_statement(source + "\n") for source in sources]


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: EditSet, positions: Any) -> None:
        super().__init__()
        self.edits = edits
        self.positions = positions
        self.lines = edits.doc.text.splitlines()
        self.width = width(edits.doc.text)
        self.before = {line: _statements(sources) for line, sources in edits.inserts.items()}
        self.merges, imports = edits.import_plan()
        self.after = {-line: _statements(sources) for line, sources in imports.items() if line < 0}
        self.at_end = _statements(imports.get(0, []))
        for line, sources in imports.items():
            if line > 0:
                self.before.setdefault(line, [])[:0] = _statements(sources)

    def _span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        where = self.positions[node]
        return (where.start.line, where.start.column, where.end.line, where.end.column)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        edits = self.edits
        if isinstance(original_node, (cst.Module, cst.IndentedBlock)):
            return self._body(original_node, updated_node)
        if isinstance(updated_node, cst.ImportFrom) and self.merges:
            names = self.merges.get(self.positions[original_node].start.line)
            return _join_import(updated_node, names) if names else updated_node
        if not isinstance(original_node, cst.BaseExpression):
            return updated_node
        span = self._span(original_node)
        if span in edits.replacements:
            return cst.parse_expression(edits.replacements[span])
        if isinstance(updated_node, cst.Call) and span in edits.calls:
            return self._fit(span, _apply_call(edits.calls[span], updated_node))
        if isinstance(updated_node, cst.Dict) and span in edits.dicts:
            return _apply_dict(edits.dicts[span], updated_node)
        return updated_node

    def _fit(self, span: tuple[int, int, int, int], call: cst.Call) -> cst.Call:
        """An edited one-line call whose line no longer fits the file's width: one argument per line, as black does.

        Calls written over several lines keep their layout (`layout` adds to it).
        """
        start_line, start_column, end_line, end_column = span
        if start_line != end_line or not call.args:
            return call
        line = self.lines[start_line - 1]
        code = _EMPTY.code_for_node(call)
        if "\n" in code or len(line[:start_column]) + len(code) + len(line[end_column:]) <= self.width:
            return call
        return _one_per_line(call, _indentation(line))

    def _fit_statement(self, statement: cst.BaseStatement, indent: str) -> cst.BaseStatement:
        """A written statement (`x = Call(...)`, `Call(...)`, `return Call(...)`) that does not fit the file's width
        at `indent`: its call one argument per line."""
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return statement
        if len(indent) + len(_EMPTY.code_for_node(statement).rstrip("\n")) <= self.width:
            return statement
        small = statement.body[0]
        call = getattr(small, "value", None)
        if not isinstance(small, (cst.Assign, cst.Expr, cst.Return)) or not isinstance(call, cst.Call) or not call.args:
            return statement
        return statement.with_changes(body=[small.with_changes(value=_one_per_line(call, indent))])

    def _body(self, original: cst.Module | cst.IndentedBlock, updated: Any) -> Any:
        if not (self.before or self.after or self.at_end):
            return updated
        body: list[Any] = []
        for old, new in zip(original.body, updated.body, strict=True):
            where = self.positions[old]
            indent = _indentation(self.lines[where.start.line - 1]) if self.lines else ""
            body += (self._fit_statement(added, indent) for added in self.before.get(where.start.line, []))
            body.append(new)
            body += (self._fit_statement(added, indent) for added in self.after.get(where.end.line, []))
        if isinstance(original, cst.Module):
            body += self.at_end
        return updated.with_changes(body=body)


_EMPTY = cst.Module(body=[])


def _break(indent: str) -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, followed by exactly `indent`."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), empty_lines=[], indent=False, last_line=cst.SimpleWhitespace(indent)
    )


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _one_per_line(call: cst.Call, indent: str) -> cst.Call:
    """`call` as black writes a call that does not fit: each argument on its own line one level deeper than `indent`
    (4 spaces, or a tab in tab-indented code), a trailing comma, and the closing bracket back at `indent` (the
    indentation of the line the call starts on)."""
    inner = _break(indent + ("\t" if indent.endswith("\t") else "    "))  # a tab-indented line: one more tab
    args = [
        arg.with_changes(comma=cst.Comma(whitespace_after=inner), whitespace_after_arg=cst.SimpleWhitespace(""))
        for arg in call.args
    ]
    args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=_break(indent)))
    return call.with_changes(args=args, whitespace_before_args=inner)


def _join_import(node: cst.ImportFrom, names: list[str]) -> cst.ImportFrom:
    """`from m import a, c` + b: sorted in when the names were sorted, else appended; the layout is kept."""
    aliases = list(node.names)  # type: ignore[arg-type]
    written = [alias.evaluated_name for alias in aliases]
    new = [cst.ImportAlias(cst.Name(name)) for name in names if name not in written]
    joined = layout.append(aliases, new, node.lpar.whitespace_after if node.lpar else cst.SimpleWhitespace(""))
    if written == sorted(written):
        joined = _sorted_aliases(joined)
    return node.with_changes(names=joined)


def _sorted_aliases(aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    commas = [alias.comma for alias in aliases]
    ordered = sorted(aliases, key=lambda alias: alias.evaluated_name)
    return [alias.with_changes(comma=comma) for alias, comma in zip(ordered, commas, strict=True)]


def _apply_call(edit: CallEdit, call: cst.Call) -> cst.Call:
    args = list(call.args)
    for key in edit.deletes:
        index = _argument_index(args, key, edit.positional)
        if index is not None:
            args = layout.remove(args, index)
    appended = []
    for key, value in edit.sets.items():
        index = _argument_index(args, key, edit.positional)
        if index is None:
            equal = next((arg.equal for arg in args if arg.keyword is not None), KEYWORD_EQUAL)
            appended.append(cst.Arg(value=cst.parse_expression(value), keyword=cst.Name(key), equal=equal))
        else:
            args[index] = args[index].with_changes(value=cst.parse_expression(value))
    args = layout.append(args, appended, call.whitespace_before_args)
    return call.with_changes(func=cst.parse_expression(edit.func) if edit.func else call.func, args=args)


def _argument_index(args: Sequence[cst.Arg], key: str, positional: tuple[str, ...] = ()) -> int | None:
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == key:
            return index
    plain = [index for index, arg in enumerate(args) if arg.keyword is None and not arg.star]
    if key in positional and positional.index(key) < len(plain):
        return plain[positional.index(key)]
    return None


def _string_key(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _apply_dict(edit: DictEdit, node: cst.Dict) -> cst.Dict:
    for change in edit.changes:
        node = _dict_apply(node, change.path, change, edit.quote)
    return node


def _dict_apply(node: cst.Dict, path: KeyPath, change: Change, quote: str) -> cst.Dict:
    key, rest = path[0], path[1:]
    elements = list(node.elements)
    index = next(
        (i for i, e in enumerate(elements) if isinstance(e, cst.DictElement) and _string_key(e.key) == key), None
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
        new = cst.DictElement(
            cst.parse_expression(string_literal(key, quote)), cst.parse_expression(data_source(value, quote))
        )
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
        written = element.value
        own_quote = written.quote[0] if isinstance(written, cst.SimpleString) and written.prefix == "" else quote
        elements[index] = element.with_changes(value=cst.parse_expression(data_source(value, own_quote)))
    return node.with_changes(elements=elements)
