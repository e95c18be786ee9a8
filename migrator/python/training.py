"""Models trained in this file: a loading call whose parameters reach a torch Adam-family (or TE) optimizer,
or that is passed to `fully_shard`. Inference code never reaches either and is left alone.

Each (model, optimizer) pair is the Python form of a recipe: `{"model": {"torch_dtype": ...},
"optimizer": {"_target_": ..., **kwargs}}`, decided by the YAML engine's classifier and rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from migrator.core import automodel
from migrator.core.changes import Change, Delete, KeyPath, Set
from migrator.python.decide import Analysis, plan_for, undecidable_key
from migrator.python.document import Scope, dotted
from migrator.python.edits import argument, has_star_arguments
from migrator.python.policies import explicit_policies
from migrator.python.values import code_expression, quote_of, string_literal, to_data
from migrator.rules.optimizer_chosen_at_run_time import optimizer_chosen_at_run_time
from migrator.rules.optimizer_not_linked import optimizer_not_linked
from migrator.rules.unknown_keyword_arguments import unknown_keyword_arguments
from migrator.rules.value_not_decidable import value_not_decidable

# torch Adam/AdamW and TE FusedAdam take the same first six parameters, in this order.
OPTIMIZER_POSITIONAL = ("params", "lr", "betas", "eps", "weight_decay", "amsgrad")
OPTIMIZER_CLASSES = frozenset(automodel.TORCH_ADAM_TARGETS) | automodel.TE_FUSED_ADAM_TARGETS
# Calls that hand back the same parameters they were given (a view, not a new model).
_PARAMETER_VIEWS = frozenset(
    {"parameters", "named_parameters", "children", "modules", "to", "cuda", "train", "requires_grad_"}
)
_PASS_THROUGH = (
    frozenset({"builtins.list", "builtins.tuple", "builtins.filter", "itertools.chain"})
    | automodel.FULLY_SHARD_FUNCTIONS
)
_STORAGE_CASTS = frozenset({"bfloat16", "half", "float", "double"})


@dataclass(frozen=True, eq=False)
class Loaded:
    """A model-loading call and, when the model is cast right after loading, that cast."""

    call: cst.Call
    cast: cst.Call | None = None


def loaded_model(expression: cst.BaseExpression, analysis: Analysis) -> Loaded | None:
    """`X.from_pretrained(...)` or `X.from_config(...)`, possibly followed by `.to(device)`-style calls."""
    cast = None
    while isinstance(expression, cst.Call) and isinstance(expression.func, cst.Attribute):
        method = expression.func.attr.value
        if method in automodel.MODEL_LOADERS:
            return Loaded(expression, cast)
        if _storage_cast(expression, analysis):
            cast = expression
        expression = expression.func.value
    return None


def _storage_cast(expression: cst.BaseExpression, analysis: Analysis) -> bool:
    """`.bfloat16()`, `.half()`, `.to(torch.bfloat16)`, `.to(device, dtype=...)`: sets the storage dtype."""
    if not (isinstance(expression, cst.Call) and isinstance(expression.func, cst.Attribute)):
        return False
    method = expression.func.attr.value
    if method in _STORAGE_CASTS:
        return True
    if method != "to":
        return False
    for arg in expression.args:
        value = to_data(arg.value, analysis.doc)
        if (arg.keyword is not None and arg.keyword.value == "dtype") or (
            isinstance(value, str) and automodel.dtype_kind(value)
        ):
            return True
    return False


def _views(expression: cst.BaseExpression, analysis: Analysis) -> Iterator[cst.BaseExpression]:
    """The sub-expressions whose parameters `expression` hands on unchanged."""
    if isinstance(expression, (cst.Name, cst.Attribute)):
        yield expression
    elif isinstance(expression, cst.Subscript):
        yield from _views(expression.value, analysis)
    elif isinstance(expression, cst.Call):
        func = expression.func
        if loaded_model(expression, analysis) is not None:
            yield expression
        elif isinstance(func, cst.Attribute) and func.attr.value in _PARAMETER_VIEWS:
            yield from _views(func.value, analysis)
        elif analysis.doc.names(func) & _PASS_THROUGH:
            for arg in expression.args:
                yield from _views(arg.value, analysis)
    elif isinstance(expression, (cst.List, cst.Tuple, cst.Set)):
        for element in expression.elements:
            yield from _views(element.value, analysis)
    elif isinstance(expression, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        clause: cst.CompFor | None = expression.for_in
        while clause is not None:
            yield from _views(clause.iter, analysis)
            clause = clause.inner_for_in
    elif isinstance(expression, cst.BinaryOperation):
        yield from _views(expression.left, analysis)
        yield from _views(expression.right, analysis)


def linked_models(
    expression: cst.BaseExpression, scope: Scope, analysis: Analysis, seen: set[str] | None = None
) -> list[Loaded]:
    """The loaded models whose parameters `expression` stands for (through assignments in this scope)."""
    seen = set() if seen is None else seen
    found: list[Loaded] = []
    for view in _views(expression, analysis):
        loaded = loaded_model(view, analysis)
        if loaded is not None:
            found.append(loaded)
            continue
        name = dotted(view)
        while name is not None:  # `model.layers[0]` shares `model`'s storage
            if name not in seen:
                seen.add(name)
                values = scope.values(name)
                cast = next((value for value in values if _storage_cast(value, analysis)), None)
                for value in values:
                    loaded = loaded_model(value, analysis)
                    if loaded is not None:
                        found.append(Loaded(loaded.call, loaded.cast or cast))  # `model = model.to(torch.bfloat16)`
                    elif value is not cast:
                        found += linked_models(value, scope, analysis, seen)
            name = name.rsplit(".", 1)[0] if "." in name else None
    unique: dict[cst.Call, Loaded] = {}
    for loaded in found:
        unique.setdefault(loaded.call, loaded)
    return list(unique.values())


def _optimizer_class(call: cst.Call, analysis: Analysis) -> str | None:
    return next(iter(sorted(analysis.doc.names(call.func) & OPTIMIZER_CLASSES)), None)


def _chosen_at_run_time(call: cst.Call, analysis: Analysis) -> bool:
    func = call.func
    return (
        isinstance(func, cst.Call)
        and "builtins.getattr" in analysis.doc.names(func.func)
        and any("torch.optim" in analysis.doc.names(arg.value) for arg in func.args[:1])
    )


def analyse(analysis: Analysis) -> None:
    sharded: dict[cst.Call, list[tuple[Scope, cst.Call]]] = {}
    optimizers: list[tuple[Scope, cst.Call, str]] = []
    for scope, call in analysis.doc.calls():
        names = analysis.doc.names(call.func)
        if names & automodel.FULLY_SHARD_FUNCTIONS and call.args:
            analysis.relevant = True
            for loaded in linked_models(call.args[0].value, scope, analysis):
                sharded.setdefault(loaded.call, []).append((scope, call))
        elif (target := _optimizer_class(call, analysis)) is not None:
            analysis.relevant = True
            optimizers.append((scope, call, target))
        elif _chosen_at_run_time(call, analysis):
            analysis.report(
                optimizer_chosen_at_run_time,
                "optimizer class chosen at run time with getattr(torch.optim, ...): not migrated; pick a precision-safe class explicitly",
                call,
            )
    paired: set[cst.Call] = set()
    for scope, call, target in optimizers:
        params = argument(call, "params", OPTIMIZER_POSITIONAL)
        models = linked_models(params.value, scope, analysis) if params is not None else []
        if not models:
            message = f"{target.rsplit('.', 1)[-1]}: its parameters do not come from a model loaded here (from_pretrained/from_config); storage dtype unknown, nothing changed"
            analysis.report(optimizer_not_linked, message, call)
        for loaded in models:
            paired.add(loaded.call)
            _migrate_pair(analysis, loaded, call, target, sharded.get(loaded.call, []))
    for model_call, shards in sharded.items():
        if model_call not in paired:
            message = (
                "model sharded here but its optimizer is built elsewhere: storage dtype and mp_policy left as they are"
            )
            analysis.report(optimizer_not_linked, message, shards[0][1])


def _dtype_argument(call: cst.Call) -> cst.Arg | None:
    return next((arg for key in automodel.DTYPE_KEYWORDS if (arg := argument(call, key)) is not None), None)


def _model_section(analysis: Analysis, loaded: Loaded) -> dict[str, Any] | None:
    if loaded.cast is not None:
        analysis.report(
            value_not_decidable,
            "the model is cast after loading: its storage dtype is set by that cast; not migrated",
            loaded.cast,
        )
        return None
    arg = _dtype_argument(loaded.call)
    if arg is None:
        if has_star_arguments(loaded.call):
            analysis.report(
                unknown_keyword_arguments,
                "loading call with **kwargs and no explicit torch_dtype: the dtype may be in the mapping; not migrated",
                loaded.call,
            )
            return None
        return {}  # unset: AutoModel's "auto", bf16 (as in YAML)
    return {"torch_dtype": to_data(arg.value, analysis.doc)}


def _optimizer_section(analysis: Analysis, call: cst.Call, target: str) -> dict[str, Any]:
    section: dict[str, Any] = {"_target_": target}
    plain = [arg for arg in call.args if arg.keyword is None and not arg.star]
    for position, arg in enumerate(plain[1:], start=1):
        if position < len(OPTIMIZER_POSITIONAL):
            section[OPTIMIZER_POSITIONAL[position]] = to_data(arg.value, analysis.doc)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value != "params":
            section[arg.keyword.value] = to_data(arg.value, analysis.doc)
    return section


def _migrate_pair(
    analysis: Analysis, loaded: Loaded, optimizer: cst.Call, target: str, shards: list[tuple[Scope, cst.Call]]
) -> None:
    if has_star_arguments(optimizer):
        if analysis.first_time(optimizer):
            analysis.report(
                unknown_keyword_arguments,
                "optimizer built with *args/**kwargs: its arguments cannot be checked; not migrated",
                optimizer,
            )
        return
    model = _model_section(analysis, loaded)
    if model is None:
        return
    data: dict[str, Any] = {"model": model, "optimizer": _optimizer_section(analysis, optimizer, target)}
    if shards:
        data["distributed"] = {}  # fully_shard is FSDP2; whether a policy is due is the rules' call (MIG005)

    def where(path: KeyPath) -> cst.CSTNode:
        section, key = ((*path, ""))[:2]
        if section == "model":
            return _dtype_argument(loaded.call) or loaded.call
        if section == "distributed" and shards:
            return shards[0][1]
        return argument(optimizer, key, OPTIMIZER_POSITIONAL) or optimizer

    def lines_of(path: KeyPath) -> range:
        if path[:1] == ("distributed",):
            return range(0)  # becomes one MIG005 per `fully_shard` call, each suppressed on its own lines
        return analysis.doc.lines(where(path))

    undecidable = undecidable_key(data)
    if undecidable is not None:
        node = where(undecidable)
        if analysis.first_time(node):
            what = "the storage dtype" if undecidable[0] == "model" else f"`{undecidable[1]}`"
            shown = node.value if isinstance(node, cst.Arg) else node
            analysis.report(
                value_not_decidable,
                f"{what} comes from `{analysis.doc.code(shown).strip()}`, not a literal: not migrated; set it explicitly or migrate by hand",
                node,
            )
        return
    plan = plan_for(analysis, data, where, lines_of)
    if plan is None:
        return
    for finding in plan.findings:
        if finding.path[:1] == ("distributed",):
            if finding.code == "MIG005":
                explicit_policies(analysis, shards)
            continue  # no `fully_shard` here: the YAML notes about `distributed` do not apply
        analysis.add(finding, where(finding.path))
        for change in finding.changes:
            _apply(analysis, change, loaded, optimizer)


def _apply(analysis: Analysis, change: Change, loaded: Loaded, optimizer: cst.Call) -> None:
    section, key = change.path[0], change.path[-1]
    edits, doc = analysis.edits, analysis.doc
    if section == "optimizer":
        edit = edits.call(optimizer, OPTIMIZER_POSITIONAL)
        if isinstance(change, Delete):
            edit.delete(key)
        elif key == "_target_":
            edit.func = cst.parse_expression(_class_reference(analysis, change.value))
            edits.remove_import_if_unused(optimizer.func)
        else:
            edit.set(key, code_expression(change.value, doc))
    elif section == "model" and isinstance(change, Set):
        arg = _dtype_argument(loaded.call)
        if arg is None:
            edits.call(loaded.call).set("torch_dtype", code_expression(change.value, doc))
        elif isinstance(arg.value, cst.SimpleString):
            edits.replace(arg.value, string_literal(change.value, quote_of(arg.value)))
        else:
            edits.replace(arg.value, code_expression(change.value, doc))
            edits.remove_import_if_unused(arg.value)


def _class_reference(analysis: Analysis, target: str) -> str:
    if target.startswith("torch."):
        return f"{analysis.doc.torch_name()}.{target.removeprefix('torch.')}"
    return analysis.doc.class_name(
        target, automodel.TE_FUSED_ADAM_TARGETS if target in automodel.TE_FUSED_ADAM_TARGETS else {target}
    )
