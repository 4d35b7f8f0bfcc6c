"""The application layer: one function per use case, each taking the acting `Actor` and typed
inputs, checking permission, scope and visibility itself, and returning typed results or
raising PlmError with a code. The CLI, the web and the API call only these."""

from plm.app import (
    actors,
    assignments,
    audit,
    imports,
    licenses,
    operations,
    policies,
    tokens,
    users,
)

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
