"""Explicit FSDP2 mixed precision for a trained model's `fully_shard` calls (MIG005 in Python).

A `MixedPrecisionPolicy(...)` they use is completed with the missing fields (values written stay);
calls that pass none get one policy variable, defined once per function before its first such call.
Which fields and values: `implicit_mp_policy.policy_changes`, the same as for YAML.
"""

from __future__ import annotations

import ast
from typing import Any

from migrator import patterns
from migrator.core import automodel
from migrator.python.decide import Analysis
from migrator.python.document import Scope
from migrator.python.edits import argument, has_star_arguments
from migrator.python.values import code_source, to_data
from migrator.rules.implicit_mp_policy import implicit_mp_policy, policy_changes
from migrator.rules.unknown_keyword_arguments import unknown_keyword_arguments
from migrator.rules.value_not_decidable import value_not_decidable

POLICY_POSITIONAL = ("param_dtype", "reduce_dtype", "output_dtype", "cast_forward_inputs")
_NAMES = ("mp_policy", "explicit_mp_policy")


def explicit_policies(analysis: Analysis, shards: list[tuple[Scope, ast.Call]]) -> None:
    missing: dict[Scope, list[ast.Call]] = {}
    for scope, call in shards:
        if not analysis.first_time(call):
            continue
        if has_star_arguments(call):
            analysis.report(
                unknown_keyword_arguments,
                "fully_shard with **kwargs: mp_policy may be in the mapping; add it where the mapping is built",
                call,
            )
            continue
        value = argument(call, "mp_policy")
        if value is None:
            missing.setdefault(scope, []).append(call)
            continue
        policy = _policy_call(analysis, value, scope)
        if policy is None:
            analysis.report(
                value_not_decidable,
                f"mp_policy comes from `{analysis.doc.code(value).strip()}`, defined elsewhere: not completed",
                value,
            )
        elif analysis.first_time(policy):
            _complete(analysis, policy)
    for scope, calls in missing.items():
        _pass_shared_policy(analysis, scope, calls)


def _is_policy(analysis: Analysis, node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and analysis.doc.qualified(node.func) in automodel.MP_POLICY_CLASSES


def _policy_call(analysis: Analysis, value: ast.expr, scope: Scope) -> ast.Call | None:
    if _is_policy(analysis, value):
        return value  # type: ignore[return-value]
    if isinstance(value, ast.Name):
        assigned = scope.values(value.id)
        if len(assigned) == 1 and _is_policy(analysis, assigned[0]):
            return assigned[0]  # type: ignore[return-value]
    return None


def _complete(analysis: Analysis, policy: ast.Call) -> None:
    if has_star_arguments(policy):
        analysis.report(
            unknown_keyword_arguments, "MixedPrecisionPolicy with **kwargs: its fields cannot be checked", policy
        )
        return
    fields: dict[str, Any] = {"_target_": patterns.MP_POLICY["_target_"]}
    for key in POLICY_POSITIONAL:
        value = argument(policy, key, POLICY_POSITIONAL)
        if value is not None:
            fields[key] = to_data(value, analysis.doc)
    changes = policy_changes(fields)
    added = ", ".join(change.path[-1] for change in changes)
    if not changes or not analysis.report(
        implicit_mp_policy, f"MixedPrecisionPolicy completed with {added} (values written stay)", policy, changes
    ):
        return
    edit = analysis.edits.call(policy, POLICY_POSITIONAL)
    for change in changes:
        edit.set(change.path[-1], code_source(change.value, analysis.edits.torch_name()))


def _pass_shared_policy(analysis: Analysis, scope: Scope, calls: list[ast.Call]) -> None:
    (change,) = policy_changes(None)
    name = _free_name(scope)
    fields = {key: value for key, value in change.value.items() if key != "_target_"}
    settings = ", ".join(f"{key}={value}" for key, value in fields.items())
    message = f"fully_shard without mp_policy: passes `{name}`, an explicit MixedPrecisionPolicy({settings})"
    # Only calls whose finding is not suppressed get the policy; it is defined before the first of them.
    passing = [
        call
        for call in calls
        if call in scope.statement_of and analysis.report(implicit_mp_policy, message, call, [change])
    ]
    if not passing:
        return
    statement = min((scope.statement_of[call] for call in passing), key=analysis.doc.where)
    torch = analysis.edits.torch_name()
    arguments = ", ".join(f"{key}={code_source(value, torch)}" for key, value in fields.items())
    policy_class = analysis.edits.class_name(change.value["_target_"], automodel.MP_POLICY_CLASSES)
    analysis.edits.insert_before(statement, f"{name} = {policy_class}({arguments})")
    for call in passing:
        analysis.edits.call(call).set("mp_policy", name)


def _free_name(scope: Scope) -> str:
    taken = set(scope.assignments)
    taken |= scope.parameters
    for name in _NAMES:
        if name not in taken:
            return name
    index = 2
    while f"mp_policy_{index}" in taken:
        index += 1
    return f"mp_policy_{index}"
