"""Abstract edits on a config's data: what to change, not how the text changes.

Every front end (YAML splice, Python dict literals, CLI overrides) turns the same
changes into text, and `apply` gives the data the edited file must parse back to.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Union

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Set:
    """Give `path` this value: replace it, or insert the key (and missing parents)."""

    path: KeyPath
    value: Any


@dataclass(frozen=True)
class Delete:
    path: KeyPath


Change = Union[Set, Delete]


def dotted(path: KeyPath) -> str:
    return ".".join(path)


def apply(data: Any, changes: Iterable[Change]) -> Any:
    """`data` with the changes applied, copied wherever a change lands (aliases there become independent copies)."""
    changes = list(changes)
    if isinstance(data, dict):  # copy only the top-level entries that change; the rest is never mutated
        touched = {change.path[0] for change in changes}
        result = {key: _unshared_copy(value) if key in touched else value for key, value in data.items()}
    else:
        result = _unshared_copy(data)
    for change in changes:
        *parents, last = change.path
        node = result
        for key in parents:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if isinstance(change, Set):
            node[last] = _unshared_copy(change.value)
        else:
            node.pop(last, None)
    return result


def _unshared_copy(value: Any) -> Any:
    # copy.deepcopy keeps aliasing; an edit must never reach a second place through it.
    if isinstance(value, dict):
        return {key: _unshared_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared_copy(item) for item in value]
    return copy.copy(value)
