"""TE FusedAdam's real constructor, read from the `transformer-engine` wheel's source without importing it.

TE does not import without CUDA, but its `fused_adam.py` is plain Python. We take the `__init__` signature
and every `if <condition>: raise ...` guard of it by `ast`, cache them per TE version in the user cache
folder, and rebuild a stand-in class with exactly that signature and those guards. AutoModel's optimizer
builder then calls the stand-in the way it would call TE, so a wrong keyword, a rejected value or a missing
master copy shows on a CPU. What is proven is the call, not TE's kernels: "TE arguments verified (not executed)".
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

# The release AutoModel 0.7.0 was measured against (facts §11); an installed TE wins.
DEFAULT_TE_VERSION = "2.20.2"
FUSED_ADAM_PATH = "transformer_engine/pytorch/optimizers/fused_adam.py"
CACHE_FORMAT = 2


class SignatureUnavailable(Exception):
    """TE's source could not be found or fetched (offline and not cached)."""


@dataclass(frozen=True)
class TESignature:
    version: str
    init_source: str  # `def __init__(...)` with the real arguments and the extracted guards as its body
    guards: int  # how many `raise` guards were extracted
    skipped_guards: int  # guards that depend on state the stand-in does not have (none in 2.19/2.20)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "migrator"


def load(version: str | None = None) -> TESignature:
    """The signature of the installed TE, else of `version` (default: the measured release), cached."""
    version = version or installed_version() or DEFAULT_TE_VERSION
    cached = cache_dir() / f"te-fused-adam-{version}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if data.get("format") == CACHE_FORMAT:
            return TESignature(data["version"], data["init_source"], data["guards"], data["skipped_guards"])
    except (OSError, ValueError, KeyError):
        pass
    signature = extract(_fused_adam_source(version), version)
    cached.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": CACHE_FORMAT, **signature.__dict__}
    cached.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return signature


def extract(source: str, version: str) -> TESignature:
    """Signature and guards of `FusedAdam.__init__` in `source`, as the source of a standalone `__init__`."""
    init = _find_init(ast.parse(source))
    parameters = {arg.arg for arg in (*init.args.posonlyargs, *init.args.args, *init.args.kwonlyargs)}
    found = _Guards(parameters - {"self"} | {"torch"})  # a guard still reading `self` needs state we lack
    found.collect(init.body, condition=None)
    # Arguments as written (annotations dropped: they name TE's types); the body records what was bound.
    for arg in (*init.args.posonlyargs, *init.args.args, *init.args.kwonlyargs):
        arg.annotation = None
    record = ast.parse("self._bound = {name: value for name, value in locals().items() if name != 'self'}").body
    init.body, init.decorator_list, init.returns = [*found.guards, *record], [], None
    module = ast.fix_missing_locations(ast.Module(body=[init], type_ignores=[]))
    return TESignature(version, ast.unparse(module), len(found.guards), found.skipped)


def stand_in_class(signature: TESignature, base: type) -> type:
    """`FusedAdam` with TE's constructor signature and guards, an optimizer over `base` that never steps."""
    import torch

    namespace: dict[str, Any] = {"torch": torch}
    # Our own unparse of TE's signature and guards (no other statement survives the extraction).
    exec(compile(signature.init_source, f"<TE {signature.version} FusedAdam.__init__>", "exec"), namespace)
    checked_init = namespace["__init__"]

    def __init__(self: Any, params: Any, *args: Any, **kwargs: Any) -> None:
        checked_init(self, params, *args, **kwargs)
        # The same param-group defaults TE passes to torch.optim.Optimizer.
        defaults = {name: self._bound[name] for name in ("lr", "betas", "eps", "weight_decay") if name in self._bound}
        base.__init__(self, params, defaults)

    __init__.__signature__ = inspect.signature(checked_init)  # type: ignore[attr-defined]
    return type(
        "FusedAdam",
        (base,),
        {
            "__init__": __init__,
            "__module__": "transformer_engine.pytorch.optimizers.fused_adam",
            "te_version": signature.version,
        },
    )


def installed_version() -> str | None:
    try:
        return metadata.version("transformer-engine")
    except metadata.PackageNotFoundError:
        return None


def _fused_adam_source(version: str) -> str:
    installed = _installed_file()
    if installed is not None and installed_version() == version:
        return installed.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        # The wheel is 1.2 MB of pure Python; pip fetches it without its (CUDA-only) dependencies.
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            f"transformer-engine=={version}",
            "-d",
            folder,
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(folder).glob("transformer_engine-*.whl"))
        if done.returncode != 0 or not wheels:
            detail = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
            raise SignatureUnavailable(
                f"cannot fetch transformer-engine=={version} to read FusedAdam's signature: {detail}"
            )
        with zipfile.ZipFile(wheels[0]) as wheel:
            return wheel.read(FUSED_ADAM_PATH).decode("utf-8")


def _installed_file() -> Path | None:
    try:
        distribution = metadata.distribution("transformer-engine")
    except metadata.PackageNotFoundError:
        return None
    for file in distribution.files or ():
        if file.as_posix().endswith(FUSED_ADAM_PATH):
            return Path(str(distribution.locate_file(file)))
    return None


def _find_init(tree: ast.Module) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "FusedAdam":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    return item
    raise SignatureUnavailable("fused_adam.py has no FusedAdam.__init__")


class _Guards:
    """Every `raise` under an `if` of `__init__`, as one `if <condition>: raise` over the arguments.

    Values `__init__` computed first (`self.x = ...`, a local `ok = ...`) are substituted into the conditions,
    and a nested `if` adds its condition, so TE's later checks (capturable with param remainders, the
    capturable moment dtypes) are kept too. A condition that still names anything else is counted as skipped.
    """

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.values: dict[str, ast.expr] = {}  # `self.x` / local name -> the expression assigned to it
        self.guards: list[ast.stmt] = []
        self.skipped = 0

    def collect(self, statements: list[ast.stmt], condition: ast.expr | None) -> None:
        for statement in statements:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                key = _value_key(statement.targets[0])
                # An argument rebound later (`lr = torch.tensor(lr)`) keeps its own name in the guards.
                if key is not None and key not in self.known:
                    self.values[key] = self._substituted(statement.value)
            elif isinstance(statement, ast.If) and not statement.orelse:
                test = self._substituted(statement.test)
                combined = test if condition is None else ast.BoolOp(op=ast.And(), values=[_copy(condition), test])
                raises = [item for item in statement.body if isinstance(item, ast.Raise)]
                if raises:
                    self._add(combined, raises[0])
                self.collect([item for item in statement.body if not isinstance(item, ast.Raise)], combined)

    def _add(self, condition: ast.expr, raise_statement: ast.Raise) -> None:
        if _free_names(condition) <= self.known:
            self.guards.append(ast.If(test=condition, body=[raise_statement], orelse=[]))
        else:
            self.skipped += 1

    def _substituted(self, node: ast.expr) -> ast.expr:
        return _Substitute(self.values).visit(_copy(node))


def _value_key(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return "self." + target.attr
    return None


class _Substitute(ast.NodeTransformer):
    def __init__(self, values: dict[str, ast.expr]) -> None:
        self.values = values

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        key = _value_key(node)
        if key in self.values:
            return _copy(self.values[key])
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.values.get(node.id)
        return _copy(value) if value is not None else node


def _copy(node: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(node), mode="eval").body


def _free_names(node: ast.AST) -> set[str]:
    return {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}
