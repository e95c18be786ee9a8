"""Environment references in config values, which AutoModel resolves only when it loads the config (§6).

`${VAR}`, `${VAR,default}`, `$VAR`, `${dotted.name}` and the legacy `${oc.env:VAR[,default]}`, anywhere in a
string scalar. A storage dtype or optimizer class written that way cannot be decided from the file: the tool
reports it and, where every reference has a default, says what the config is with those defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator.core.changes import KeyPath

_REFERENCE = re.compile(
    r"\$\{(?:oc\.env:)?(?P<braced>[^,}]+)(?:,(?P<default>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


@dataclass(frozen=True)
class Interpolated:
    """A decision value that holds environment references."""

    path: KeyPath
    value: str
    variables: tuple[str, ...]
    resolved: str | None  # the value with every reference's default, or None when one has no default


def references(value: object) -> list[re.Match[str]]:
    return list(_REFERENCE.finditer(value)) if isinstance(value, str) and "$" in value else []


def with_defaults(value: str) -> str | None:
    """The value as AutoModel reads it when no referenced variable is set; None when one has no default."""
    missing = False

    def default(match: re.Match[str]) -> str:
        nonlocal missing
        if match["default"] is None:
            missing = True
            return ""
        return match["default"].strip().strip("'\"")

    resolved = _REFERENCE.sub(default, value)
    return None if missing else resolved


def interpolated(at: KeyPath, value: object) -> Interpolated | None:
    found = references(value)
    if not found:
        return None
    variables = tuple((match["braced"] or match["bare"]).strip() for match in found)
    return Interpolated(at, str(value), variables, with_defaults(str(value)))


def decision_values(data: Mapping[str, Any], storage_key: str) -> list[Interpolated]:
    """The interpolated values among those the decision reads: the optimizer class and the storage dtype."""
    found = []
    for at in (("optimizer", "_target_"), ("model", storage_key)):
        section = data.get(at[0])
        if isinstance(section, Mapping):
            item = interpolated(at, section.get(at[1]))
            if item is not None:
                found.append(item)
    return found


def resolved_data(data: Mapping[str, Any], found: list[Interpolated]) -> dict[str, Any] | None:
    """`data` with each interpolated decision value replaced by its default; None when one has none."""
    if any(item.resolved is None for item in found):
        return None
    copy = dict(data)
    for item in found:
        section, key = item.path
        copy[section] = {**copy[section], key: item.resolved}
    return copy


def describe(item: Interpolated) -> str:
    """`model.torch_dtype` `${oc.env:DTYPE,bf16}` and what it is when nothing is set."""
    names = ", ".join(item.variables)
    default = (
        f"`{item.resolved}` unless {names} is set" if item.resolved is not None else f"no default: {names} must be set"
    )
    return f"{'.'.join(item.path)} is `{item.value}`, read from the environment when AutoModel loads the config ({default})"
