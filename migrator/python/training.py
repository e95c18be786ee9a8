"""Models trained in this file, edited only where the code proves the risk.

A pair is a model-loading call (`from_pretrained`/`from_config`) whose parameters reach a torch Adam-family
(or TE) optimizer in the same scope: directly, through `parameters()`/`named_parameters()` comprehensions,
param-group dicts, or a function of this module called with the model. Its storage dtype must be proven: a
dtype written in the load call, a cast of the model (`model.to(torch.bfloat16)`, also as a bare statement), a
config the model is built from, or an AutoModel loader with none (`builders.builder_of`). Anything short of
that, and anything whose precision a manager owns (DeepSpeed, PEFT, FSDP plugins, quantization), is reported
with its reason and never edited.

Each proven pair is the Python form of a recipe: `{"model": {"torch_dtype": ...}, "optimizer": {"_target_": ...,
**kwargs}}`, decided by the YAML engine's classifier and rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from migrator.core import automodel
from migrator.core.builders import Builder, Unset, builder_of
from migrator.core.changes import Change, Delete, KeyPath, Set
from migrator.python import managers
from migrator.python.casts import CAST_METHODS, cast_dtype, storage_cast
from migrator.python.decide import Analysis, plan_for, undecidable_key
from migrator.python.document import Scope, dotted
from migrator.python.edits import argument, argument_node, has_star_arguments, keyword
from migrator.python.policies import explicit_policies
from migrator.python.values import code_source, quote_of, string_literal, to_data
from migrator.rules.dtype_chosen_by_code import dtype_chosen_by_code
from migrator.rules.implicit_mp_policy import implicit_mp_policy
from migrator.rules.optimizer_chosen_at_run_time import optimizer_chosen_at_run_time
from migrator.rules.optimizer_not_linked import optimizer_not_linked
from migrator.rules.precision_managed_elsewhere import precision_managed_elsewhere
from migrator.rules.storage_not_provable import storage_not_provable
from migrator.rules.te_tensor_parallel import te_tensor_parallel
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
# Tensor parallelism (TE FusedAdam state is not TP-sharded): load arguments, and DTensor's entry point.
_TENSOR_PARALLEL_KEYWORDS = ("tp_plan", "tp_size", "device_mesh")
_TENSOR_PARALLEL_FUNCTIONS = frozenset(
    {"torch.distributed.tensor.parallel.parallelize_module", "torch.distributed.tensor.parallel.api.parallelize_module"}
)


@dataclass(frozen=True, eq=False)
class Storage:
    """Where a model's storage dtype comes from: the node holding it (None: unset at `call`) and its value."""

    call: ast.Call  # the loading call
    node: ast.expr | None = None  # the dtype value as written (load argument, cast argument, config value)
    method_cast: ast.Attribute | None = None  # `model.bfloat16` in `model.bfloat16()`: the cast is the method


@dataclass(frozen=True)
class ModelUse:
    """What else the file does with a trained model: who owns its precision, tensor parallelism, its FSDP2 shards."""

    owner: str | None  # DeepSpeed, accelerate, PEFT, quantization (with where), or None
    tensor_parallel: ast.AST | None  # the `tp_plan=` argument or `parallelize_module(...)` call
    shards: list[tuple[Scope, ast.Call]]  # its `fully_shard` calls


def loading_call(expression: ast.AST) -> ast.Call | None:
    """`X.from_pretrained(...)` or `X.from_config(...)`, possibly followed by `.to(device)`-style calls."""
    while isinstance(expression, ast.Call) and isinstance(expression.func, ast.Attribute):
        if expression.func.attr in automodel.MODEL_LOADERS:
            return expression
        expression = expression.func.value
    return None


def _latest_cast(expression: ast.AST) -> ast.Call | None:
    """The outermost storage cast in a chain `loader(...).to(...).bfloat16()` (the one that wins)."""
    while isinstance(expression, ast.Call) and isinstance(expression.func, ast.Attribute):
        if storage_cast(expression):
            return expression
        expression = expression.func.value
    return None


class Linker:
    """Which loaded models an optimizer's parameters stand for, seen from one scope up to one line."""

    def __init__(self, analysis: Analysis, scope: Scope, before: int) -> None:
        self.analysis = analysis
        self.scope = scope
        self.before = before
        self.found: dict[ast.Call, Storage] = {}

    def _values(self, name: str) -> list[ast.expr]:
        """Assignments to `name`; in this scope only those before the optimizer is built (a later reload is not
        what it trains). A global is read whenever the function runs: all of its assignments count."""
        values = self.scope.values(name)
        if name not in self.scope.assignments:
            return values
        return [value for value in values if value.lineno < self.before]

    def _views(self, expression: ast.AST) -> Iterator[ast.AST]:
        """The sub-expressions whose parameters `expression` hands on unchanged."""
        doc = self.analysis.doc
        if isinstance(expression, (ast.Name, ast.Attribute)):
            yield expression
        elif isinstance(expression, ast.Subscript):
            yield from self._views(expression.value)
        elif isinstance(expression, ast.Call):
            func = expression.func
            if loading_call(expression) is not None:
                yield expression
            elif isinstance(func, ast.Attribute) and func.attr in _PARAMETER_VIEWS:
                yield from self._views(func.value)
            elif doc.qualified(func, self.scope) in _PASS_THROUGH or self._module_function(func):
                for arg in [*expression.args, *(kw.value for kw in expression.keywords)]:
                    yield from self._views(arg.value if isinstance(arg, ast.Starred) else arg)
        elif isinstance(expression, (ast.List, ast.Tuple, ast.Set)):
            for element in expression.elts:
                yield from self._views(element)
        elif isinstance(expression, ast.Dict):  # a param group: {"params": ..., "weight_decay": ...}
            for key, value in zip(expression.keys, expression.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "params":
                    yield from self._views(value)
        elif isinstance(expression, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            for clause in expression.generators:
                yield from self._views(clause.iter)
        elif isinstance(expression, ast.BinOp):
            yield from self._views(expression.left)
            yield from self._views(expression.right)

    def _module_function(self, func: ast.expr) -> bool:
        """A function defined in this module (a helper like `get_grouped_params(model)`): its argument's
        parameters are what it hands on."""
        return isinstance(func, ast.Name) and func.id in self.analysis.doc.functions

    def link(self, expression: ast.AST, seen: set[str] | None = None, cast: ast.Call | None = None) -> None:
        """Record the loading calls behind `expression`; `cast` is a later statement that casts the model."""
        seen = set() if seen is None else seen
        for view in self._views(expression):
            call = loading_call(view)
            if call is not None:
                self.found.setdefault(call, _storage(call, cast or _latest_cast(view)))
                continue
            name = dotted(view)
            while name is not None:  # `model.layers[0]` shares `model`'s storage
                if name not in seen:
                    seen.add(name)
                    values = self._values(name)
                    casts = [value for value in values if storage_cast(value)]
                    latest = casts[-1] if casts else cast  # `model.to(torch.bfloat16)` after loading wins
                    for value in values:
                        if storage_cast(value) and loading_call(value) is None:
                            self.link(value.func.value, seen, latest)  # type: ignore[attr-defined]
                        else:
                            self.link(value, seen, latest)
                name = name.rsplit(".", 1)[0] if "." in name else None


def _storage(call: ast.Call, cast: ast.Call | None) -> Storage:
    if cast is None:
        return Storage(call, _dtype_argument(call))
    assert isinstance(cast.func, ast.Attribute)
    if cast.func.attr in CAST_METHODS:
        return Storage(call, None, cast.func)
    return Storage(call, cast_dtype(cast))


def _dtype_argument(call: ast.Call) -> ast.expr | None:
    return next((found.value for key in automodel.DTYPE_KEYWORDS if (found := keyword(call, key)) is not None), None)


def _optimizer_class(call: ast.Call, analysis: Analysis, scope: Scope) -> str | None:
    name = analysis.doc.qualified(call.func, scope)
    return name if name in OPTIMIZER_CLASSES else None


def _held_class(call: ast.Call, analysis: Analysis, scope: Scope) -> str | None:
    """The torch Adam class a variable called as the optimizer may hold: `optimizer_class = torch.optim.AdamW`,
    or one side of `... if args.use_8bit_adam else torch.optim.AdamW`."""
    if not isinstance(call.func, ast.Name) or analysis.doc.qualified(call.func, scope) is not None:
        return None
    for value in scope.values(call.func.id):
        for choice in (value.body, value.orelse) if isinstance(value, ast.IfExp) else (value,):
            name = analysis.doc.qualified(choice, scope)
            if name in automodel.TORCH_ADAM_TARGETS:
                return name
    return None


def _chosen_at_run_time(call: ast.Call, analysis: Analysis, scope: Scope) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Call)
        and analysis.doc.qualified(func.func, scope) == "builtins.getattr"
        and any((analysis.doc.qualified(arg, scope) or "").startswith("torch.optim") for arg in func.args[:1])
    )


def analyse(analysis: Analysis) -> None:
    doc = analysis.doc
    sharded: dict[ast.Call, list[tuple[Scope, ast.Call]]] = {}
    optimizers: list[tuple[Scope, ast.Call, str]] = []
    parallel: dict[ast.Call, ast.AST] = {}  # loading call -> what makes that model tensor-parallel
    for scope, call in doc.calls():
        name = doc.qualified(call.func, scope)
        if name in automodel.FULLY_SHARD_FUNCTIONS and call.args:
            analysis.relevant = True
            linker = Linker(analysis, scope, call.lineno + 1)
            linker.link(call.args[0])
            for model_call in linker.found:
                sharded.setdefault(model_call, []).append((scope, call))
        elif name in _TENSOR_PARALLEL_FUNCTIONS and call.args:
            linker = Linker(analysis, scope, call.lineno + 1)
            linker.link(call.args[0])
            for model_call in linker.found:
                parallel.setdefault(model_call, call)
        elif (target := _optimizer_class(call, analysis, scope) or _held_class(call, analysis, scope)) is not None:
            analysis.relevant = True
            optimizers.append((scope, call, target))
        elif _chosen_at_run_time(call, analysis, scope):
            analysis.report(
                optimizer_chosen_at_run_time,
                "optimizer class chosen at run time with getattr(torch.optim, ...): not migrated; pick a precision-safe class explicitly",
                call,
            )
    if not optimizers and not sharded:
        return
    owners = managers.find(doc, analysis.options)
    paired: set[ast.Call] = set()
    for scope, call, target in optimizers:
        params = argument(call, "params", OPTIMIZER_POSITIONAL)
        linker = Linker(analysis, scope, call.lineno)
        if params is not None:
            linker.link(params)
        if not linker.found:
            message = f"{target.rsplit('.', 1)[-1]}: its parameters do not come from a model loaded here (from_pretrained/from_config); storage dtype unknown, nothing changed"
            analysis.report(optimizer_not_linked, message, call)
        for storage in linker.found.values():
            paired.add(storage.call)
            use = ModelUse(
                owners.get(storage.call) or owners.get(None),
                _tensor_parallel(storage.call) or parallel.get(storage.call),
                sharded.get(storage.call, []),
            )
            _migrate_pair(analysis, scope, storage, call, target, use)
    for model_call, shards in sharded.items():
        if model_call not in paired:
            message = (
                "model sharded here but its optimizer is built elsewhere: storage dtype and mp_policy left as they are"
            )
            analysis.report(optimizer_not_linked, message, shards[0][1])


def _intent(analysis: Analysis, scope: Scope, storage: Storage) -> str | None:
    """Why the dtype is chosen on purpose here (a loop variable, a parameter, a branch on precision), if it is."""
    node = storage.node
    if isinstance(node, ast.Name):
        if node.id in scope.loop_targets:
            return f"`{node.id}` is a loop variable"
        if node.id in scope.parameters:
            return f"`{node.id}` is a parameter of `{scope.node.name}`"  # type: ignore[union-attr]
    branch = analysis.doc.precision_branch.get(storage.call)
    if branch is not None:
        return f"the model is loaded under `{analysis.doc.code(branch).strip()}` (line {branch.lineno})"
    return None


def _model_section(analysis: Analysis, scope: Scope, storage: Storage) -> dict[str, Any] | None:
    """The `model` section of the recipe this pair stands for, or None (reported) when storage is not proven."""
    doc = analysis.doc
    intent = _intent(analysis, scope, storage)
    if intent is not None:
        analysis.report(dtype_chosen_by_code, f"storage dtype chosen on purpose: {intent}; not migrated", storage.call)
        return None
    if storage.method_cast is not None:
        return {"torch_dtype": CAST_METHODS[storage.method_cast.attr]}
    builder = _builder(analysis, scope, storage.call)
    # A builder that ignores a dtype argument ignores it through a config too: only a cast is proof then.
    if storage.node is not None and not builder.honours_dtype:
        analysis.report(
            storage_not_provable, f"{builder.kind}: the dtype written there has no effect; not migrated", storage.call
        )
        return None
    written = to_data(storage.node, doc) if storage.node is not None else None
    if storage.node is not None and written not in (None, automodel.AUTO):
        return {"torch_dtype": written}
    if storage.node is None and has_star_arguments(storage.call):
        analysis.report(
            unknown_keyword_arguments,
            "loading call with **kwargs and no explicit torch_dtype: the dtype may be in the mapping; not migrated",
            storage.call,
        )
        return None
    if builder.unset is Unset.BF16:  # unset, None or "auto": AutoModel's bf16 (as in YAML)
        return {} if storage.node is None else {"torch_dtype": written}
    if builder.unset is Unset.FP32:
        return {"torch_dtype": automodel.FP32_SPELLINGS[0]}
    analysis.report(storage_not_provable, f"{builder.unset_means()}: not proven bf16, not migrated", storage.call)
    return None


def _builder(analysis: Analysis, scope: Scope, call: ast.Call) -> Builder:
    """What an unset dtype means for this loading call, by the qualified name of what it calls."""
    return builder_of(analysis.doc.qualified(call.func, scope) or dotted(call.func))


def _config_dtype(scope: Scope, call: ast.Call) -> ast.expr | None:
    """The dtype of the config a `from_config(config)` builds from: `config.torch_dtype = ...` or the
    `torch_dtype=` of the call that made the config, when this scope shows either."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "from_config" and call.args):
        return None
    name = dotted(call.args[0])
    if name is None:
        return None
    for key in automodel.DTYPE_KEYWORDS:
        assigned = [value for value in scope.values(f"{name}.{key}") if value.lineno < call.lineno]
        if assigned:
            return assigned[-1]
    made = [value for value in scope.values(name) if value.lineno < call.lineno]
    if made and isinstance(made[-1], ast.Call):
        return _dtype_argument(made[-1])
    return None


def _optimizer_section(analysis: Analysis, call: ast.Call, target: str) -> dict[str, Any]:
    section: dict[str, Any] = {"_target_": target}
    plain = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    for position, arg in enumerate(plain[1:], start=1):
        if position < len(OPTIMIZER_POSITIONAL):
            section[OPTIMIZER_POSITIONAL[position]] = to_data(arg, analysis.doc)
    for kw in call.keywords:
        if kw.arg is not None and kw.arg != "params":
            section[kw.arg] = to_data(kw.value, analysis.doc)
    return section


def _tensor_parallel(call: ast.Call) -> ast.keyword | None:
    return next((found for key in _TENSOR_PARALLEL_KEYWORDS if (found := keyword(call, key)) is not None), None)


def _migrate_pair(
    analysis: Analysis,
    scope: Scope,
    storage: Storage,
    optimizer: ast.Call,
    target: str,
    use: ModelUse,
) -> None:
    if has_star_arguments(optimizer):
        if analysis.first_time(optimizer):
            analysis.report(
                unknown_keyword_arguments,
                "optimizer built with *args/**kwargs: its arguments cannot be checked; not migrated",
                optimizer,
            )
        return
    if storage.node is None and storage.method_cast is None:
        config = _config_dtype(scope, storage.call)
        storage = Storage(storage.call, config) if config is not None else storage
    model = _model_section(analysis, scope, storage)
    if model is None:
        return
    if use.owner is not None:  # storage proven: what stops the edit is who owns the precision
        analysis.report(
            precision_managed_elsewhere, f"{use.owner}: optimizer and storage dtype left as they are", optimizer
        )
        return
    if _optimizer_class(optimizer, analysis, scope) is None:
        message = f"the optimizer class comes from `{analysis.doc.code(optimizer.func)}`, which may hold {target} over bf16 parameters: not migrated; pick a precision-safe class explicitly"
        analysis.report(optimizer_chosen_at_run_time, message, optimizer)
        return
    shards = use.shards
    data: dict[str, Any] = {"model": model, "optimizer": _optimizer_section(analysis, optimizer, target)}
    if shards:
        data["distributed"] = {}  # fully_shard is FSDP2; whether a policy is due is the rules' call (MIG005)
    dtype_at: ast.AST = storage.method_cast or storage.node or storage.call

    def where(path: KeyPath) -> ast.AST:
        section, key = ((*path, ""))[:2]
        if section == "model":
            return dtype_at
        if section == "distributed" and shards:
            return shards[0][1]
        return argument_node(optimizer, key, OPTIMIZER_POSITIONAL) or optimizer

    def lines_of(path: KeyPath) -> set[int] | range:
        if path[:1] == ("distributed",):
            return range(0)  # becomes one MIG005 per `fully_shard` call, each suppressed on its own lines
        return analysis.doc.lines(where(path))

    undecidable = undecidable_key(data)
    if undecidable is not None:
        node = where(undecidable)
        if analysis.first_time(node):
            what = "the storage dtype" if undecidable[0] == "model" else f"`{undecidable[1]}`"
            shown = node.value if isinstance(node, ast.keyword) else node
            analysis.report(
                value_not_decidable,
                f"{what} comes from `{analysis.doc.code(shown).strip()}`, not a literal: not migrated; set it explicitly or migrate by hand",
                node,
            )
        return
    plan = plan_for(analysis, data, where, lines_of)
    if plan is None:
        return
    if not _editable(analysis, scope, plan.changes, storage, use.tensor_parallel):
        return
    for finding in plan.findings:
        if finding.path[:1] == ("distributed",):
            if finding.code == implicit_mp_policy.code:
                explicit_policies(analysis, shards)
            continue  # no `fully_shard` here: the YAML notes about `distributed` do not apply
        analysis.add(finding, where(finding.path))
        for change in finding.changes:
            _apply(analysis, scope, change, storage, optimizer)


def _editable(
    analysis: Analysis, scope: Scope, changes: tuple[Change, ...], storage: Storage, parallel: ast.AST | None
) -> bool:
    """Whether the plan's edits are safe here; if not, say why (and edit nothing)."""
    to_te = any(
        isinstance(change, Set)
        and change.path == ("optimizer", "_target_")
        and change.value in automodel.TE_FUSED_ADAM_TARGETS
        for change in changes
    )
    if to_te and parallel is not None and not analysis.options.force:
        analysis.report(
            te_tensor_parallel,
            f"`{analysis.doc.code(parallel).strip()}`: tensor-parallel model; TE FusedAdam state is not sharded by TP, left unchanged (use --pattern fp32, or --force)",
            parallel,
        )
        return False
    inserts_dtype = any(change.path[:1] == ("model",) for change in changes) and storage.node is None
    if inserts_dtype and storage.method_cast is None:
        builder = _builder(analysis, scope, storage.call)
        if builder.unset is not Unset.BF16 or not builder.honours_dtype:
            analysis.report(
                storage_not_provable,
                f"{builder.kind} would need a dtype argument it may not honour: not migrated",
                storage.call,
            )
            return False
    return True


def _apply(analysis: Analysis, scope: Scope, change: Change, storage: Storage, optimizer: ast.Call) -> None:
    section, key = change.path[0], change.path[-1]
    edits, doc = analysis.edits, analysis.doc
    if section == "optimizer":
        edit = edits.call(optimizer, OPTIMIZER_POSITIONAL)
        if isinstance(change, Delete):
            edit.delete(key)
        elif key == "_target_":
            edit.func = _class_reference(analysis, scope, optimizer, change.value)
            edits.remove_import_if_unused(optimizer.func)
        else:
            edit.set(key, code_source(change.value, edits.torch_name()))
    elif section == "model" and isinstance(change, Set):
        if storage.method_cast is not None:
            method = next(
                name
                for name, dtype in CAST_METHODS.items()
                if automodel.dtype_kind(dtype) == automodel.dtype_kind(change.value)
            )
            edits.replace(storage.method_cast, f"{doc.code(storage.method_cast.value)}.{method}")
        elif storage.node is None:
            edits.call(storage.call).set("torch_dtype", code_source(change.value, edits.torch_name()))
        elif isinstance(storage.node, ast.Constant) and isinstance(storage.node.value, str):
            edits.replace(storage.node, string_literal(change.value, quote_of(storage.node, doc)))
        else:
            edits.replace(storage.node, code_source(change.value, edits.torch_name()))
            edits.remove_import_if_unused(storage.node)


def _class_reference(analysis: Analysis, scope: Scope, optimizer: ast.Call, target: str) -> str:
    if target.startswith("torch."):
        return f"{analysis.edits.torch_name()}.{target.removeprefix('torch.')}"
    statement = analysis.doc.innermost_statement.get(optimizer)
    at_import_time = statement is not None and any(statement is top for top in analysis.doc.tree.body)
    accepted = automodel.TE_FUSED_ADAM_TARGETS if target in automodel.TE_FUSED_ADAM_TARGETS else {target}
    return analysis.edits.class_name(target, accepted, None if at_import_time else statement)
