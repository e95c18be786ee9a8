"""Edits decided on the `ast` tree, applied in one libcst pass over the same text.

An edit names its node by source span; `render` parses the file with libcst (only files that change get
here), finds the nodes with those spans, and rewrites only them: every other node keeps its whitespace and
comments. Code to write is held as source text and parsed by libcst at render time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from migrator.core.changes import Change
from migrator.python.document import PythonDocument, Span


def keyword(call: ast.Call, key: str) -> ast.keyword | None:
    return next((kw for kw in call.keywords if kw.arg == key), None)


def argument_node(call: ast.Call, key: str, positional: tuple[str, ...] = ()) -> ast.keyword | ast.expr | None:
    """What passes parameter `key`: its `key=value` keyword, or its positional value (where findings point)."""
    found = keyword(call, key)
    if found is not None:
        return found
    plain = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if key in positional and positional.index(key) < len(plain):
        return plain[positional.index(key)]
    return None


def argument(call: ast.Call, key: str, positional: tuple[str, ...] = ()) -> ast.expr | None:
    """The value passed for parameter `key`, by keyword or by position."""
    node = argument_node(call, key, positional)
    return node.value if isinstance(node, ast.keyword) else node


def has_star_arguments(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords)


@dataclass
class CallEdit:
    """New function, keyword values to set (replaced in place or appended) and arguments to drop."""

    positional: tuple[str, ...] = ()  # parameter names of the positional slots
    func: str | None = None
    sets: dict[str, str] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)

    def set(self, key: str, value: str) -> None:
        self.sets.setdefault(key, value)  # a second plan for the same call decides the same

    def delete(self, key: str) -> None:
        if key not in self.deletes:
            self.deletes.append(key)


@dataclass
class DictEdit:
    """Changes on a recipe-shaped dict literal, by key path from that dict."""

    quote: str = '"'
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Import:
    module: str
    obj: str | None = None

    @property
    def source(self) -> str:
        return f"from {self.module} import {self.obj}" if self.obj else f"import {self.module}"


class EditSet:
    def __init__(self, doc: PythonDocument) -> None:
        self.doc = doc
        self.calls: dict[Span, CallEdit] = {}
        self.dicts: dict[Span, DictEdit] = {}
        self.replacements: dict[Span, str] = {}
        self.inserts: dict[int, list[str]] = {}  # first line of a statement -> statements to put before it
        self.module_imports: list[Import] = []
        self.removals: list[tuple[str, str | None, str | None]] = []

    def call(self, node: ast.Call, positional: tuple[str, ...] = ()) -> CallEdit:
        return self.calls.setdefault(self.doc.span(node), CallEdit(positional))

    def dict(self, node: ast.Dict, quote: str) -> DictEdit:
        return self.dicts.setdefault(self.doc.span(node), DictEdit(quote))

    def replace(self, node: ast.AST, new: str) -> None:
        self.replacements.setdefault(self.doc.span(node), new)

    def insert_before(self, statement: ast.stmt, new: str) -> None:
        lines = self.inserts.setdefault(statement.lineno, [])
        if new not in lines:
            lines.append(new)

    # --- names for code the migration writes -------------------------------------------------

    def torch_name(self) -> str:
        """How this module spells `torch`; `import torch` is added when it does not import it."""
        for name, binding in self.doc.imports.items():
            if binding.target == "torch" and binding.obj is None and (binding.asname or binding.module == "torch"):
                return name
        self.import_at_module_level(Import("torch"))
        return "torch"

    def class_name(self, target: str, accepted: frozenset[str] | set[str], statement: ast.stmt | None = None) -> str:
        """A name for the class `target` (or any of `accepted`) at `statement`, importing it if needed.

        With a `statement` (code that runs only when called, e.g. inside a function) the import goes right before
        it, so the module still imports where the class's package is missing; else at module level.
        """
        wanted = {target, *accepted}
        for name, binding in self.doc.imports.items():
            if binding.target in wanted:
                return name
        module, obj = target.rsplit(".", 1)
        taken = obj in self.doc.imports or obj in self.doc.scopes[0].assignments
        if statement is not None:
            self.insert_before(statement, Import(module, obj).source)
            return obj
        if taken:
            self.import_at_module_level(Import(module))
            return target
        self.import_at_module_level(Import(module, obj))
        return obj

    def import_at_module_level(self, new: Import) -> None:
        if new not in self.module_imports:
            self.module_imports.append(new)

    def remove_import_if_unused(self, expression: ast.expr) -> None:
        """The import behind a name the edit stops using; removed only if nothing else uses it."""
        root = expression
        while isinstance(root, ast.Attribute):
            root = root.value
        binding = self.doc.imports.get(root.id) if isinstance(root, ast.Name) else None
        if binding is not None:
            self.removals.append((binding.module, binding.obj, binding.asname))

    def __bool__(self) -> bool:
        return bool(self.calls or self.dicts or self.replacements or self.inserts or self.module_imports)

    def _import_anchor(self) -> ast.stmt | None:
        """The module-level import the new imports follow: the last of the leading import block that is not
        in an `# isort: off` section (those are left exactly as written)."""
        anchor = None
        for statement in self.doc.tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                if not self.doc.in_isort_off_block(statement.lineno):
                    anchor = statement
            elif not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
                break  # code: imports below it are late imports
        return anchor

    def _merge_target(self, new: Import) -> ast.ImportFrom | None:
        """A module-level `from <module> import ...` the new name can join (the file's own import style)."""
        for statement in self.doc.tree.body:
            if (
                isinstance(statement, ast.ImportFrom)
                and new.obj is not None
                and statement.level == 0
                and statement.module == new.module
                and statement.names[0].name != "*"
                and not self.doc.in_isort_off_block(statement.lineno)
            ):
                return statement
        return None

    def import_plan(self) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
        """Module-level imports to add: names joining an existing `from` import (by its first line), and new
        statements keyed like `inserts` (a negative line: after the statement ending on that line)."""
        merges: dict[int, list[str]] = {}
        lines: list[str] = []
        for new in self.module_imports:
            existing = self._merge_target(new)
            if existing is not None:
                merges.setdefault(existing.lineno, []).append(new.obj)  # type: ignore[arg-type]
            else:
                lines.append(new.source)
        if not lines:
            return merges, {}
        anchor = self._import_anchor()
        if anchor is not None:
            return merges, {-(anchor.end_lineno or anchor.lineno): lines}
        first = _first_code_statement(self.doc.tree)
        return merges, {first.lineno if first else 0: lines}


def _first_code_statement(tree: ast.Module) -> ast.stmt | None:
    """The first statement after the docstring and `from __future__` imports."""
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            continue
        return statement
    return None
