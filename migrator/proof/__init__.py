"""Proof with the real libraries: `migrator verify`, `migrate --verify` and `migrator demo`.

Everything heavy (torch, AutoModel, matplotlib) is imported inside the functions of this package's modules,
never at import time of the core tool; `require_extra` names the extra when it is missing.
"""

from __future__ import annotations

import importlib.util
import sys

EXTRA = "verify"
INSTALL_HINT = f"pip install 'automodel-precision-migrator[{EXTRA}]'  (from a clone: pip install -e '.[{EXTRA}]')"
# What the extra brings that the proof imports; matplotlib only for the demo picture.
PROOF_MODULES = ("torch", "nemo_automodel", "transformers")
DEMO_MODULES = ("torch", "matplotlib")


class ExtraMissing(Exception):
    """The optional `verify` extra is not installed."""


def require_extra(modules: tuple[str, ...] = PROOF_MODULES) -> None:
    missing = [name for name in modules if not _importable(name)]
    if missing:
        raise ExtraMissing(f"needs {', '.join(missing)}, from the optional `{EXTRA}` extra: {INSTALL_HINT}")


def _importable(name: str) -> bool:
    if name in sys.modules:
        return sys.modules[name] is not None  # None: an import blocked on purpose
    return importlib.util.find_spec(name) is not None
