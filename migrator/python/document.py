"""One Python file parsed once with libcst: scopes, qualified names, positions and module imports.

The analysis reads this; the edits refer back to its nodes by identity, so the same tree is transformed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Union

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

ScopeNode = Union[cst.Module, cst.FunctionDef]


class PythonSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _syntax_error(text: str, exc: cst.ParserSyntaxError) -> PythonSyntaxError:
    """Python's own parser points at the offending line; libcst's sometimes at the next token."""
    try:
        compile(text, "<file>", "exec", dont_inherit=True)
    except SyntaxError as python:
        return PythonSyntaxError(python.msg, python.lineno or exc.raw_line, python.offset or 1)
    return PythonSyntaxError(exc.message, exc.raw_line, exc.raw_column + 1)


@dataclass(frozen=True)
class ImportBinding:
    """A module-level name bound by an import: `import a.b as x` -> ("a.b", None, "x")."""

    module: str
    obj: str | None
    asname: str | None

    @property
    def target(self) -> str:
        return f"{self.module}.{self.obj}" if self.obj else self.module


@dataclass(eq=False)
class Scope:
    """A function body or the module: what is assigned in it and the calls it makes (nested functions excluded)."""

    node: ScopeNode
    parent: Scope | None
    assignments: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    calls: list[cst.Call] = field(default_factory=list)
    assigns: list[cst.Assign] = field(default_factory=list)
    statement_of: dict[cst.CSTNode, cst.BaseStatement] = field(default_factory=dict)  # node -> its body-level statement

    def values(self, name: str) -> list[cst.BaseExpression]:
        """Values assigned to `name` here, else in the enclosing scopes (a read of a global)."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.assignments:
                return scope.assignments[name]
            scope = scope.parent
        return []

    @property
    def body(self) -> Sequence[cst.BaseStatement]:
        if isinstance(self.node, cst.Module):
            return self.node.body
        body = self.node.body
        return body.body if isinstance(body, cst.IndentedBlock) else ()


def dotted(node: cst.CSTNode) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


class PythonDocument:
    def __init__(self, text: str) -> None:
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            raise _syntax_error(text, exc) from None
        self.wrapper = MetadataWrapper(module)
        self.tree = self.wrapper.module
        self.context = CodemodContext()
        collector = _Collector(self)
        self.qualified: dict[cst.CSTNode, set[str]] = {}
        self.positions: dict[cst.CSTNode, tuple[int, int]] = {}
        self.last_lines: dict[cst.CSTNode, int] = {}
        self.statement_starts: dict[int, int] = {}  # line -> first line of the simple statement on it
        self.scopes: list[Scope] = []
        self.scope_of: dict[cst.CSTNode, Scope] = {}
        self.imports: dict[str, ImportBinding] = {}
        self.wrapper.visit(collector)

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)

    def names(self, node: cst.CSTNode) -> set[str]:
        """Fully qualified names the expression may refer to (aliases and `from` imports resolved)."""
        return self.qualified.get(node, set())

    def where(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and column."""
        return self.positions.get(node, (1, 1))

    def lines(self, node: cst.CSTNode) -> set[int]:
        """Where a comment is about `node`: every line it spans (a call up to its closing parenthesis), and the
        first line of the statement holding it (`opt = (` above a wrapped call, `cfg = ConfigNode(` above a dict)."""
        first = self.where(node)[0]
        return {self.statement_start(first), *range(first, self.last_lines.get(node, first) + 1)}

    def statement_start(self, line: int) -> int:
        return self.statement_starts.get(line, line)

    def calls(self) -> Iterator[tuple[Scope, cst.Call]]:
        for scope in self.scopes:
            for call in scope.calls:
                yield scope, call

    # --- names for code the migration writes -------------------------------------------------

    def torch_name(self) -> str:
        """How this module spells `torch`; `import torch` is added when it does not import it."""
        for name, binding in self.imports.items():
            if binding.target == "torch" and binding.obj is None and (binding.asname or binding.module == "torch"):
                return name
        AddImportsVisitor.add_needed_import(self.context, "torch")
        return "torch"

    def class_name(self, target: str, accepted: frozenset[str] | set[str] = frozenset()) -> str:
        """A name for the class `target` (or any of `accepted`) usable at module level, importing it if needed."""
        wanted = {target, *accepted}
        for name, binding in self.imports.items():
            if binding.target in wanted:
                return name
        module, obj = target.rsplit(".", 1)
        if obj in self.imports or any(obj in scope.assignments for scope in self.scopes if scope.parent is None):
            AddImportsVisitor.add_needed_import(self.context, module)  # the short name is taken
            return target
        AddImportsVisitor.add_needed_import(self.context, module, obj)
        return obj

    def binding_of(self, expression: cst.BaseExpression) -> ImportBinding | None:
        """The module import that binds the leftmost name of `a.b.c`, if any."""
        root = expression
        while isinstance(root, cst.Attribute):
            root = root.value
        return self.imports.get(root.value) if isinstance(root, cst.Name) else None


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, doc: PythonDocument) -> None:
        super().__init__()
        self.doc = doc
        self.stack: list[Scope] = []
        self.statement: list[cst.BaseStatement | None] = []

    def _push(self, node: ScopeNode) -> None:
        scope = Scope(node, self.stack[-1] if self.stack else None)
        self.doc.scopes.append(scope)
        self.stack.append(scope)
        self.statement.append(None)

    def _pop(self) -> None:
        self.stack.pop()
        self.statement.pop()

    def _note(self, node: cst.CSTNode) -> None:
        scope = self.stack[-1]
        self.doc.scope_of[node] = scope
        statement = self.statement[-1]
        if statement is not None:
            scope.statement_of[node] = statement

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Name, cst.Attribute, cst.Call)):
            names = self.get_metadata(QualifiedNameProvider, node, set())
            if names:
                self.doc.qualified[node] = {name.name for name in names}
        position = self.get_metadata(PositionProvider, node, None)
        if position is not None:
            self.doc.positions[node] = (position.start.line, position.start.column + 1)
            self.doc.last_lines[node] = position.end.line
            if isinstance(node, cst.SimpleStatementLine):
                for line in range(position.start.line, position.end.line + 1):
                    self.doc.statement_starts[line] = position.start.line
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) and self.stack:
            scope = self.stack[-1]
            if any(node is statement for statement in scope.body):
                self.statement[-1] = node
        return super().on_visit(node)

    def visit_Module(self, node: cst.Module) -> None:
        self._push(node)
        for statement in node.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self._record_import(small)

    def _record_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        if isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None:
                return
            module = dotted(node.module)
            for alias in node.names:
                obj = dotted(alias.name)
                asname = dotted(alias.asname.name) if alias.asname else None
                if module and obj:
                    self.doc.imports[asname or obj] = ImportBinding(module, obj, asname)
            return
        for alias in node.names:
            module = dotted(alias.name)
            asname = dotted(alias.asname.name) if alias.asname else None
            if module:
                self.doc.imports[asname or module.split(".")[0]] = ImportBinding(module, None, asname)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._note(node)
        self._push(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        self._note(node)
        self.stack[-1].assigns.append(node)
        if len(node.targets) == 1:
            self._assign(node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._assign(node.target, node.iter)  # `for layer in model.layers`: layer derives from model

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._assign(node.asname.name, node.item)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = dotted(target)
        if name is not None:
            self.stack[-1].assignments.setdefault(name, []).append(value)

    def visit_Call(self, node: cst.Call) -> None:
        self._note(node)
        self.stack[-1].calls.append(node)

    def visit_Dict(self, node: cst.Dict) -> None:
        self._note(node)

    def visit_List(self, node: cst.List) -> None:
        self._note(node)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._note(node)
