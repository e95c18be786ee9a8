"""The layout's promises, checked: no import cycle, every module importable alone, pattern names only in
`patterns/` and the CLI, and a new pattern needing nothing outside `patterns/` but its registration."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from migrator import patterns, schema
from migrator.core import automodel
from migrator.core.changes import Change, Delete, Set
from migrator.core.classify import Kind, classify
from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.patterns.pattern import Pattern, SchemaRules
from migrator.rules import make_plan
from migrator.yaml.front_end import migrate_yaml
from tests.rules.cases import mp_policy_yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "migrator"


# -- the import graph, read with `ast` ---------------------------------------------------------------------
def module_names(package: Path) -> dict[str, Path]:
    """Every module of `package` by dotted name; a package is its `__init__`."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, function-local ones included, except those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node)


def imported_modules(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of `known` that module `name` imports: `from pkg import sub` imports `pkg.sub` when that is a
    module and `pkg` (its `__init__`) otherwise; relative imports are resolved against the module's package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in known else base)
    return {module for module in found if module in known and module != name}


def import_graph(package: Path) -> dict[str, set[str]]:
    known = module_names(package)
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import cycle as `[a, b, ..., a]`, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                return [*path[path.index(imported) :], imported]
            if imported not in state:
                cycle = visit(imported)
                if cycle:
                    return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


MODULES = sorted(module_names(PACKAGE))


def test_no_import_cycle_in_migrator() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) == len(MODULES) > 40 and sum(map(len, graph.values())) > 100  # the walk saw the package
    assert "migrator.core.classify" in graph["migrator.yaml.front_end"]
    assert "migrator.patterns" in graph["migrator.core.classify"]  # `from migrator import patterns`: the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def _write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "pkg"


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        pytest.param(
            {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "from pkg.a import x\n"},
            ["pkg.a", "pkg.b", "pkg.a"],
            id="absolute",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/sub/__init__.py": "from . import c\n",
                "pkg/sub/c.py": "def f():\n    from .. import sub\n",
            },
            ["pkg.sub", "pkg.sub.c", "pkg.sub"],
            id="relative-and-function-local-package-import",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "import pkg.b\n",
                "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
            },
            None,
            id="type-checking-import-ignored",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "import pkg.b\n",
                "pkg/b.py": "import typing\nif typing.TYPE_CHECKING:\n    pass\nelse:\n    from .a import y\n",
            },
            ["pkg.a", "pkg.b", "pkg.a"],
            id="else-branch-of-type-checking-counts",
        ),
    ],
)
def test_the_cycle_finder_finds_cycles(tmp_path: Path, files: dict[str, str], cycle: list[str] | None) -> None:
    assert find_cycle(import_graph(_write(tmp_path, files))) == cycle


@pytest.mark.parametrize("module", [name for name in MODULES if name != "migrator.__main__"])
def test_module_imports_in_a_fresh_interpreter(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_main_module_runs_alone() -> None:
    # `python -m migrator` is its import: it runs the CLI.
    result = subprocess.run(
        [sys.executable, "-m", "migrator", "--help"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "Usage" in result.stdout, result.stderr


# -- pattern names only in patterns/ and the CLI -----------------------------------------------------------
PATTERN_NAME_OWNERS = (PACKAGE / "patterns", PACKAGE / "cli.py")


def _assigned_names(tree: ast.AST) -> dict[int, str]:
    """For string constants on the right of `NAME = ...` (or `A, B = ...`), the name each is bound to."""
    bound: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            pairs = (
                zip(target.elts, value.elts, strict=False)
                if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                else [(target, value)]
            )
            for name, constant in pairs:
                if isinstance(name, ast.Name) and isinstance(constant, ast.Constant):
                    bound[id(constant)] = name.id
    return bound


@dataclass(frozen=True)
class Literal:
    path: str
    value: str
    bound_to: str | None  # the constant's name when the literal is assigned to one
    line: int = field(compare=False)  # shown, not compared: other changes to the file move it

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.value!r}" + (f" (= {self.bound_to})" if self.bound_to else "")


def pattern_name_literals(path: Path, names: Sequence[str]) -> list[Literal]:
    """Each string constant equal to a pattern name. Docstrings and f-string text are never equal to a bare
    name, so they are not found; messages that name a pattern inside a sentence are not either."""
    tree = ast.parse(path.read_text(), str(path))
    bound = _assigned_names(tree)
    shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    found = [
        Literal(shown, node.value, bound.get(id(node)), node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    ]
    return sorted(found, key=lambda literal: literal.line)


# Literals equal to a pattern name that are not one. Each is a finding of this test, kept visible here.
NOT_PATTERN_NAMES = {
    # The fp32 *dtype kind* (`automodel.dtype_kind`'s result), spelled like the pattern: nothing branches on a
    # pattern through it, but renaming either would remove the coincidence.
    Literal("migrator/core/automodel.py", "fp32", "FP32", 0),
    # A word the Python front end looks for in a branch test or loop (`if args.fp32:`): the code chooses between
    # precisions there (MIG112); it is the spelling in user code, not the pattern.
    Literal("migrator/python/document.py", "fp32", None, 0),
}


def test_pattern_names_are_written_only_in_patterns_and_the_cli() -> None:
    names = sorted(patterns.PATTERNS)
    assert names == ["fp32", "te"]  # a new pattern: its name must be looked for too (it is, through PATTERNS)
    found = [
        literal
        for path in sorted(PACKAGE.rglob("*.py"))
        if not any(path == owner or owner in path.parents for owner in PATTERN_NAME_OWNERS)
        for literal in pattern_name_literals(path, names)
    ]
    assert [str(literal) for literal in found if literal not in NOT_PATTERN_NAMES] == []


def test_pattern_name_literals_are_found(tmp_path: Path) -> None:
    # The control for the test above: a branch on a name is found, a docstring or message is not.
    path = tmp_path / "probe.py"
    path.write_text(
        '"""Pattern te."""\nif pattern == "te":\n    message = f"use --pattern {x} or fp32"\nKIND = "fp32"\n'
    )
    found = pattern_name_literals(path, ["te", "fp32"])
    assert [str(literal) for literal in found] == ["probe.py:2: 'te'", "probe.py:4: 'fp32' (= KIND)"]
    assert Literal("probe.py", "fp32", "KIND", 0) in found


# -- a third pattern, registered by a test only ------------------------------------------------------------
LION = "lion_pytorch.Lion"  # a made-up optimizer class for the throwaway pattern


@dataclass(frozen=True)
class LionFloat32(Pattern):
    """A throwaway pattern: Lion over float32 storage. Lion keeps one moment, in the parameter dtype."""

    rejected: tuple[str, ...] = field(default=("amsgrad", "foreach", "fused", "capturable", "differentiable"))

    def switch_changes(self, optimizer: Mapping[str, Any]) -> list[Change]:
        return [Set(("optimizer", "_target_"), self.optimizer_target)]

    def rejected_arguments(self, optimizer: Mapping[str, Any]) -> list[str]:
        return [key for key in self.rejected if key in optimizer]

    def schema_rules(self) -> SchemaRules:
        optimizer = {
            "required": ["_target_"],
            "properties": {"_target_": {"enum": sorted(self.optimizer_targets), "description": "Lion"}},
        }
        storage = {
            "properties": {
                "model": {
                    "required": ["torch_dtype"],
                    "properties": {"torch_dtype": {"enum": list(automodel.FP32_SPELLINGS)}},
                    "description": "float32 storage",
                }
            },
            "required": ["model"],
        }
        return SchemaRules(optimizer, [storage])


THIRD = LionFloat32(
    name="lion-fp32",
    title="Lion with float32 parameter storage",
    storage_dtype="float32",
    storage_kinds=frozenset({automodel.FP32}),
    optimizer_target=LION,
    optimizer_name="Lion",
    optimizer_targets=frozenset({LION}),
    needs_model_section=True,
    state_sharded_by_tp=True,
    needs_dtype_strings=False,
)


@pytest.fixture
def third_pattern(monkeypatch: pytest.MonkeyPatch) -> Iterator[LionFloat32]:
    monkeypatch.setitem(patterns.PATTERNS, THIRD.name, THIRD)
    yield THIRD
    for cached in (schema.build_cached, schema.validator):  # compiled per pattern name: forget the throwaway one
        cached.cache_clear()


RISKY = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: 1.0e-4\n  foreach: false\n"


def test_third_pattern_is_classified(third_pattern: LionFloat32) -> None:
    on_it = classify({"model": {"torch_dtype": "float32"}, "optimizer": {"_target_": LION}})
    assert (on_it.kind, on_it.pattern) == (Kind.ON_PATTERN, third_pattern.name)
    off_it = classify({"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": LION}})
    assert off_it.kind is Kind.RISKY
    assert patterns.running(LION) is third_pattern


def test_third_pattern_is_planned_by_the_rules(third_pattern: LionFloat32) -> None:
    data = yaml.safe_load(RISKY)
    plan = make_plan(data, classify(data), Options(pattern=third_pattern.name))
    assert plan.target == third_pattern.name
    assert [finding.code for finding in plan.findings] == ["MIG001", "MIG003", "MIG104"]
    assert plan.changes == [
        Set(("optimizer", "_target_"), LION),
        Set(("model", "torch_dtype"), "float32"),
        Delete(("optimizer", "foreach")),
    ]
    fix = plan.findings[0].fix
    assert fix is not None and fix.done == f"moved to pattern `{third_pattern.name}`"
    assert "Lion does not accept it" in plan.findings[1].message


def test_third_pattern_migrates_yaml(third_pattern: LionFloat32) -> None:
    outcome = migrate_yaml(RISKY + "distributed:\n  strategy: fsdp2\n", Options(pattern=third_pattern.name))
    assert outcome.status is Status.MIGRATED, outcome.problem
    assert outcome.target == third_pattern.name
    assert outcome.new_text == (
        f"model:\n  torch_dtype: float32\noptimizer:\n  _target_: {LION}\n  lr: 1.0e-4\n"
        "distributed:\n  strategy: fsdp2\n" + mp_policy_yaml()
    )
    again = migrate_yaml(outcome.new_text, Options(pattern=third_pattern.name))
    assert again.status is Status.UNCHANGED


def test_third_pattern_has_a_schema(third_pattern: LionFloat32) -> None:
    built = schema.build(third_pattern.name)
    assert built["$id"] == schema.schema_id(third_pattern.name)
    assert third_pattern.title in built["title"]
    on_it = {"model": {"torch_dtype": "float32"}, "optimizer": {"_target_": LION}}
    assert schema.violations(on_it, third_pattern.name) == []
    missed = schema.violations(yaml.safe_load(RISKY), third_pattern.name)
    assert {violation.key_path for violation in missed} == {("model", "torch_dtype"), ("optimizer", "_target_")}
