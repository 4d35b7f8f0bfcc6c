"""The application layer: one function per use case, each taking the acting `Actor` and typed
inputs, checking permission, scope and visibility itself, and returning typed results or
raising PlmError with a code. The CLI, the web and the API call only these.

Its modules are imported when first used (`plm.app.licenses`, `from plm.app import users`):
a `plm` command then loads only the use cases it calls, not every model module and the import
machinery behind them (about 50 ms of every command's start)."""

import importlib
from types import ModuleType

__all__ = [
    "actors",
    "assignments",
    "audit",
    "imports",
    "licenses",
    "operations",
    "policies",
    "tokens",
    "users",
]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
