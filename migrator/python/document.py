"""One Python file parsed once with CPython's `ast`: scopes, qualified names, positions and imports.

Every decision reads this tree; libcst is loaded only to apply the edits of a file that changes
(`edits.EditSet.render`), and finds the nodes to edit by their source span.
"""

from __future__ import annotations

import ast
import builtins
import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Union

from migrator.python.casts import storage_cast

ScopeNode = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef]
Span = tuple[int, int, int, int]  # start line, start column, end line, end column (1-based lines, 0-based characters)

_BUILTINS = frozenset(dir(builtins))
_WALK_RECURSION_LIMIT = 20_000
# Words in a branch test or loop that make the code under it a choice between precisions.
_PRECISION_WORDS = ("dtype", "precision", "bf16", "fp16", "fp32", "bfloat16", "float16", "float32", "half")


class PythonSyntaxError(Exception):
    """The file cannot be read as Python (or analysed at all): the message says why."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class ImportBinding:
    """A name bound by an import: `import a.b as x` -> ("a.b", None, "x")."""

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
    assignments: dict[str, list[ast.expr]] = field(default_factory=dict)
    imports: dict[str, ImportBinding] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    assigns: list[ast.Assign] = field(default_factory=list)
    statement_of: dict[ast.AST, ast.stmt] = field(default_factory=dict)  # node -> its body-level statement
    loop_targets: set[str] = field(default_factory=set)  # names a `for` statement or comprehension binds

    def values(self, name: str) -> list[ast.expr]:
        """Values assigned to `name` here, else in the enclosing scopes (a read of a global); none for a
        parameter (whatever the caller passes)."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.assignments:
                return scope.assignments[name]
            if name.split(".", 1)[0] in scope.parameters:
                return []
            scope = scope.parent
        return []

    def binding(self, name: str) -> ImportBinding | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.imports:
                return scope.imports[name]
            if name in scope.assignments or name in scope.parameters:
                return None  # a local name shadows the import
            scope = scope.parent
        return None

    @functools.cached_property
    def parameters(self) -> frozenset[str]:
        if isinstance(self.node, ast.Module):
            return frozenset()
        args = self.node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        return frozenset(arg.arg for arg in every if arg is not None)


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Tree walks take a few frames per nesting level; `ast.parse` accepts expressions nested far deeper than the
    default recursion limit allows for that (a long `a + b + ...` chain)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _WALK_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _mentions_precision(node: ast.AST) -> bool:
    for child in ast.walk(node):
        word = child.id if isinstance(child, ast.Name) else child.attr if isinstance(child, ast.Attribute) else None
        if word is None and isinstance(child, ast.Constant) and isinstance(child.value, str):
            word = child.value
        if word is not None and any(part in word.lower() for part in _PRECISION_WORDS):
            return True
    return False


def _precision_chooser(node: ast.stmt) -> ast.AST | None:
    """The test of an `if`/`while`, or the iterable of a `for`, when it is about precision."""
    if isinstance(node, (ast.If, ast.While)) and _mentions_precision(node.test):
        return node.test
    if isinstance(node, (ast.For, ast.AsyncFor)) and _mentions_precision(node.iter):
        return node.iter
    return None


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None


class PythonDocument:
    def __init__(self, text: str) -> None:
        try:
            self.tree = ast.parse(text)
        except SyntaxError as exc:
            raise PythonSyntaxError(f"Python syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
            raise PythonSyntaxError(f"Python syntax error: {exc}", 1, 1) from None
        self.text = text
        self._lines = text.splitlines(keepends=True)
        self.scopes: list[Scope] = []
        self.scope_of: dict[ast.AST, Scope] = {}
        self.statement_starts: dict[int, int] = {}  # line -> first line of the simple statement on it
        self.isort_off: list[tuple[int, int]] = []  # line ranges between `# isort: off` and `# isort: on`
        self.functions: set[str] = set()  # names of the functions this module defines
        self.innermost_statement: dict[ast.Call, ast.stmt] = {}
        self.precision_branch: dict[ast.Call, ast.AST] = {}  # call -> the `if`/`for` choosing a precision around it
        try:
            with deep_recursion():
                _Collector(self).visit(self.tree)
        except RecursionError:
            raise PythonSyntaxError("nested too deeply to analyse", 1, 1) from None

    @property
    def imports(self) -> dict[str, ImportBinding]:
        """Module-level import bindings."""
        return self.scopes[0].imports

    def code(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""

    def _column(self, line: int, offset: int) -> int:
        """ast counts UTF-8 bytes; columns here count characters, as libcst and editors do."""
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        return offset if text.isascii() else len(text.encode()[:offset].decode(errors="ignore"))

    def span(self, node: ast.AST) -> Span:
        line, end = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return (
            line,
            self._column(line, node.col_offset),  # type: ignore[attr-defined]
            end,
            self._column(end, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def where(self, node: ast.AST) -> tuple[int, int]:
        """1-based line and column."""
        if not hasattr(node, "lineno"):
            return (1, 1)
        line, column, _, _ = self.span(node)
        return line, column + 1

    def lines(self, node: ast.AST) -> set[int]:
        """Where a comment is about `node`: every line it spans (a call up to its closing parenthesis), and the
        first line of the statement holding it (`opt = (` above a wrapped call, `cfg = ConfigNode(` above a dict)."""
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", None) or first
        return {self.statement_start(first), *range(first, last + 1)}

    def statement_start(self, line: int) -> int:
        return self.statement_starts.get(line, line)

    def calls(self) -> Iterator[tuple[Scope, ast.Call]]:
        for scope in self.scopes:
            for call in scope.calls:
                yield scope, call

    def qualified(self, node: ast.AST, scope: Scope | None = None) -> str | None:
        """The fully qualified name an expression refers to (imports and aliases resolved), else None."""
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value, scope)
            return f"{base}.{node.attr}" if base is not None else None
        if not isinstance(node, ast.Name):
            return None
        binding = (scope or self.scope_of.get(node) or self.scopes[0]).binding(node.id)
        if binding is not None:
            if binding.obj is None and binding.asname is None:
                return node.id  # `import a.b` binds `a`
            return binding.target
        if node.id in _BUILTINS and not any(node.id in s.assignments for s in self.scopes):
            return f"builtins.{node.id}"
        return None

    def in_isort_off_block(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.isort_off)


# Nodes without children worth a visit, and the statements that hold others (not one simple statement).
_LEAVES = (ast.Constant, ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.ClassDef, ast.Match) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()  # Python 3.11+
)
_VISITORS: dict[type, Any] = {}  # node class -> its `visit_<Class>` method of _Collector, or None


class _Collector(ast.NodeVisitor):
    """One pass: scopes, assignments, imports, calls and the statement each node belongs to."""

    def __init__(self, doc: PythonDocument) -> None:
        self.doc = doc
        self.stack: list[Scope] = []
        self.statement: list[ast.stmt | None] = []
        self.innermost: list[ast.stmt] = []
        self.branches: list[ast.AST] = []  # enclosing tests and loops that choose a precision
        self._isort_blocks()

    def visit(self, node: ast.AST) -> None:
        if not isinstance(node, ast.stmt):
            self._dispatch(node)
            return
        self.innermost.append(node)
        chooser = _precision_chooser(node)
        if chooser is not None:
            self.branches.append(chooser)
        self._dispatch(node)
        if chooser is not None:
            self.branches.pop()
        self.innermost.pop()

    def _dispatch(self, node: ast.AST) -> None:
        kind = type(node)
        if kind not in _VISITORS:
            _VISITORS[kind] = getattr(type(self), f"visit_{kind.__name__}", None)
        visitor = _VISITORS[kind]
        if visitor is None:
            self.generic_visit(node)
        else:
            visitor(self, node)

    def _isort_blocks(self) -> None:
        start = None
        for number, line in enumerate(self.doc._lines, start=1):
            comment = line.strip().replace(" ", "")
            if comment == "#isort:off" and start is None:
                start = number
            elif comment == "#isort:on" and start is not None:
                self.doc.isort_off.append((start, number))
                start = None
        if start is not None:
            self.doc.isort_off.append((start, len(self.doc._lines)))

    def _scope(self, node: ScopeNode, body: list[ast.stmt]) -> None:
        scope = Scope(node, self.stack[-1] if self.stack else None)
        self.doc.scopes.append(scope)
        self.stack.append(scope)
        self.statement.append(None)
        for statement in body:
            self.statement[-1] = statement
            self.visit(statement)
        self.stack.pop()
        self.statement.pop()

    def visit_Module(self, node: ast.Module) -> None:
        self._scope(node, node.body)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._note(node)
        self.doc.functions.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]:
            self.visit(default)
        self._scope(node, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _note(self, node: ast.AST) -> None:
        scope = self.stack[-1]
        self.doc.scope_of[node] = scope
        statement = self.statement[-1]
        if statement is not None:
            scope.statement_of[node] = statement

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt) and not isinstance(node, _COMPOUND):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                self.doc.statement_starts[line] = node.lineno
        if isinstance(node, (ast.Name, ast.Attribute, ast.Dict, ast.List, ast.Tuple)):
            self._note(node)
        # ast.NodeVisitor.generic_visit, without descending into leaves (constants, operators, contexts): the
        # walk is most of the analysis time.
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, _LEAVES):
                        self.visit(item)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                self.visit(value)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.stack[-1].imports[alias.asname or alias.name.split(".")[0]] = ImportBinding(
                alias.name, None, alias.asname
            )
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    self.stack[-1].imports[alias.asname or alias.name] = ImportBinding(
                        node.module, alias.name, alias.asname
                    )
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._note(node)
        self.stack[-1].assigns.append(node)
        if len(node.targets) == 1:
            self._assign(node.targets[0], node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)
        self.generic_visit(node)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._assign(node.target, node.iter)  # `for layer in model.layers`: layer derives from model
        self._loop_targets(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._loop_targets(node.target)
        self.generic_visit(node)

    def _loop_targets(self, target: ast.AST) -> None:
        self.stack[-1].loop_targets |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._assign(node.optional_vars, node.context_expr)
        self.generic_visit(node)

    def _assign(self, target: ast.AST, value: ast.expr) -> None:
        name = dotted(target)
        if name is not None:
            self.stack[-1].assignments.setdefault(name, []).append(value)

    def visit_Call(self, node: ast.Call) -> None:
        self._note(node)
        self.stack[-1].calls.append(node)
        if self.innermost:
            self.doc.innermost_statement[node] = self.innermost[-1]
        if self.branches:
            self.doc.precision_branch[node] = self.branches[-1]
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        # `model.to(torch.bfloat16)` as a statement casts `model` in place: the same as assigning the result.
        value = node.value
        if storage_cast(value) and dotted(value.func.value) is not None:  # type: ignore[attr-defined]
            self._assign(value.func.value, value)  # type: ignore[attr-defined]
        self.generic_visit(node)
