"""AutoModel configs that live in Python: recipe-shaped dict literals, CLI override lists, `cfg` mutations.

A dict literal is a whole config: the YAML engine's plan applies to it in full. Overrides (`"--model.torch_dtype",
"bf16"`, `cfg.set_by_dotted(...)`, `cfg.model.torch_dtype = ...`) are applied to a YAML the code does not show:
a plan is applied only when it just replaces override values; anything else is reported (MIG109).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from migrator.core import automodel
from migrator.core.changes import Set
from migrator.core.changes import dotted as dotted_path
from migrator.core.classify import storage_kind
from migrator.core.recipes import Family
from migrator.python.decide import Analysis, plan_for, undecidable_key
from migrator.python.document import PythonDocument, Scope, dotted
from migrator.python.values import Opaque, code_source, dict_to_data, quote_of, string_key, string_literal, to_data
from migrator.rules.partial_config_override import partial_config_override
from migrator.rules.value_not_decidable import value_not_decidable

DECIDING_KEYS = ("model.torch_dtype", "optimizer._target_")
_NONE_SPELLINGS = ("none", "null", "~")


# --- dict literals ------------------------------------------------------------------------------


def analyse_dicts(analysis: Analysis) -> None:
    doc = analysis.doc
    inside_recipe: set[ast.AST] = set()
    for node in sorted((n for n in doc.scope_of if isinstance(n, ast.Dict)), key=doc.where):
        if node in inside_recipe:
            continue
        data = dict_to_data(node, doc)
        if isinstance(data, Opaque) or not any(isinstance(data.get(key), dict) for key in ("optimizer", "model")):
            continue
        inside_recipe |= set(_nested_dicts(node))
        _decide_dict(analysis, node, data)


def _nested_dicts(node: ast.AST) -> Iterator[ast.Dict]:
    for child in ast.walk(node):
        if isinstance(child, ast.Dict) and child is not node:
            yield child


def _keys_on(node: ast.Dict, path: tuple[str, ...]) -> list[ast.AST]:
    """The dict literal, then each existing key on `path`, outermost first (the YAML blocks' opening lines)."""
    found: list[ast.AST] = [node]
    for key in path:
        index = next((i for i, k in enumerate(node.keys) if string_key(k) == key), None)
        if index is None:
            break
        found.append(node.keys[index])  # type: ignore[arg-type]
        value = node.values[index]
        if not isinstance(value, ast.Dict):
            break
        node = value
    return found


def _decide_dict(analysis: Analysis, node: ast.Dict, data: dict[str, Any]) -> None:
    def where(path: tuple[str, ...]) -> ast.AST:
        return _keys_on(node, path)[-1]  # the deepest existing key, for line numbers

    def lines_of(path: tuple[str, ...]) -> set[int]:
        # First lines only, like YAML's block openers: the dict's span would let a comment anywhere in it cover all.
        firsts = {analysis.doc.where(key)[0] for key in _keys_on(node, path)}
        return firsts | {analysis.doc.statement_start(analysis.doc.where(node)[0])}

    undecidable = undecidable_key(data)
    if undecidable is not None:
        analysis.report(
            value_not_decidable,
            f"`{dotted_path(undecidable)}` is not a literal in this config dict: not migrated",
            where(undecidable),
        )
        return
    plan = plan_for(analysis, data, where, lines_of)
    if plan is None:
        return
    first_key = node.keys[0] if node.keys else None
    for finding in plan.findings:
        analysis.add(finding, where(finding.path))
        analysis.edits.dict(node, quote_of(first_key, analysis.doc)).changes.extend(finding.changes)


# --- overrides ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    key: str  # dotted config key
    value: Any  # as AutoModel reads it
    node: ast.expr  # what holds the value in the code
    prefix: str = ""  # `--key=` when key and value share one string


def _cli_value(text: str) -> Any:
    """AutoModel's translate_value: literal-evaluated where possible, else the string."""
    if text.lower() in _NONE_SPELLINGS:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def cli_overrides(elements: list[ast.expr]) -> list[Override]:
    """`"--a.b=v"`, `"--a.b", "v"` and bare `"--flag"` (True) in a list of command-line arguments."""
    texts = [string_key(node) for node in elements]
    overrides = []
    for index, (node, text) in enumerate(zip(elements, texts, strict=False)):
        if not isinstance(text, str) or not text.startswith("--") or len(text) < 3:
            continue
        key, equal, inline = text[2:].partition("=")
        following = texts[index + 1] if index + 1 < len(texts) else ""
        if equal:
            overrides.append(Override(key, _cli_value(inline), node, f"--{key}="))
        elif index + 1 < len(elements) and not (isinstance(following, str) and following.startswith("--")):
            value = _cli_value(following) if isinstance(following, str) else Opaque(elements[index + 1])
            overrides.append(Override(key, value, elements[index + 1]))
        else:
            overrides.append(Override(key, True, node))
    return overrides


def code_overrides(scope: Scope, doc: PythonDocument) -> dict[str, list[Override]]:
    """`cfg.model.torch_dtype = v` and `cfg.set_by_dotted("model.torch_dtype", v)`, grouped by config object."""
    groups: dict[str, list[Override]] = {}
    for assign in scope.assigns:
        name = dotted(assign.targets[0]) if len(assign.targets) == 1 else None
        parts = name.split(".") if name else []
        if len(parts) >= 3 and ".".join(parts[-2:]) in DECIDING_KEYS:
            groups.setdefault(".".join(parts[:-2]), []).append(
                Override(".".join(parts[-2:]), to_data(assign.value, doc), assign.value)
            )
    for call in scope.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "set_by_dotted" and len(call.args) >= 2:
            key = string_key(call.args[0])
            root = dotted(func.value)
            if key is not None and root is not None:
                groups.setdefault(root, []).append(Override(key, to_data(call.args[1], doc), call.args[1]))
    for overrides in groups.values():
        overrides.sort(key=lambda override: doc.where(override.node))  # the last assignment wins
    return groups


def analyse_overrides(analysis: Analysis) -> None:
    doc = analysis.doc
    for node in sorted((n for n in doc.scope_of if isinstance(n, (ast.List, ast.Tuple))), key=doc.where):
        _decide_overrides(analysis, cli_overrides(node.elts))  # type: ignore[attr-defined]
    for scope in doc.scopes:
        for overrides in code_overrides(scope, doc).values():
            _decide_overrides(analysis, overrides)


def _looks_risky(key: str, value: Any) -> bool:
    if key == "model.torch_dtype":
        return storage_kind({"torch_dtype": value}, Family.TRAIN) == "bf16"
    return value in automodel.TORCH_ADAM_TARGETS


def _decide_overrides(analysis: Analysis, overrides: list[Override]) -> None:
    by_key = {override.key: override for override in overrides}
    present = [key for key in DECIDING_KEYS if key in by_key]
    if not present:
        return
    analysis.relevant = True
    data: dict[str, Any] = {}
    for override in overrides:
        section, _, rest = override.key.partition(".")
        if rest and section in ("model", "optimizer"):
            data.setdefault(section, {})[rest] = override.value
    undecidable = undecidable_key(data)
    if undecidable is not None:
        analysis.report(
            value_not_decidable,
            f"override `{dotted_path(undecidable)}` is not a literal: not migrated",
            by_key[dotted_path(undecidable)].node,
        )
        return
    if len(present) < len(DECIDING_KEYS):
        key = present[0]
        if _looks_risky(key, by_key[key].value):
            other = next(k for k in DECIDING_KEYS if k != key)
            message = f"override sets `{key}` to {by_key[key].value!r}; `{other}` comes from the loaded config: migrate that config instead"
            analysis.report(partial_config_override, message, by_key[key].node)
        return
    plan = plan_for(analysis, data, lambda path: by_key.get(dotted_path(path), by_key["optimizer._target_"]).node)
    if plan is None:
        return
    if not all(isinstance(change, Set) and dotted_path(change.path) in by_key for change in plan.changes):
        message = "switching the optimizer class with overrides cannot add or remove the loaded config's optimizer keys: migrate that config instead"
        analysis.report(partial_config_override, message, by_key["optimizer._target_"].node)
        return
    for finding in plan.findings:
        if finding.changes:
            analysis.add(finding, by_key[dotted_path(finding.changes[0].path)].node)
        for change in finding.changes:
            _replace(analysis, by_key[dotted_path(change.path)], change.value)  # type: ignore[union-attr]


def _replace(analysis: Analysis, override: Override, value: Any) -> None:
    node, doc = override.node, analysis.doc
    if override.prefix:
        analysis.edits.replace(node, string_literal(override.prefix + str(value), quote_of(node, doc)))
    elif string_key(node) is not None:
        analysis.edits.replace(node, string_literal(str(value), quote_of(node, doc)))
    else:
        analysis.edits.replace(node, code_source(value, analysis.edits.torch_name()))
