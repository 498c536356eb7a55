"""Exceptions that decide a scenario's verdict other than by a plain assertion."""

from __future__ import annotations

from collections.abc import Iterable


class TargetMisbehaved(Exception):
    """The target answered as no conformant AWS endpoint would: a 5xx, a refused or dropped
    connection, a timeout, or a malformed answer. The scenario's verdict is ``error``."""


class NotImplementedByTarget(TargetMisbehaved):
    """The target answered that it does not implement ``operation`` at all (HTTP 501,
    ``NotImplemented``, ``UnknownOperationException``, "not yet been emulated", ...).

    Still an ``error`` verdict, with the cause ``not_implemented: <operation>``, so that reports
    can say once that the operation is missing instead of repeating it per scenario.
    """

    def __init__(self, operation: str, detail: str = "") -> None:
        self.operation = operation
        self.detail = detail
        super().__init__(
            f"{operation} is not implemented by the target" + (f" ({detail})" if detail else "")
        )

    @property
    def cause(self) -> str:
        return f"not_implemented: {self.operation}"


class CapabilityMissing(Exception):
    """A step needed a capability the target does not declare (the scenario lacks its tag)."""


class SuiteDefect(Exception):
    """The suite itself is wrong (a step names an alias the scenario never made, a scenario
    checks something it never did): ``error`` with ``suite defect: ...``, never ``failed``."""


class PreconditionUnreachable(Exception):
    """The target took another documented path, so the state the scenario needs never arises.

    Example: a target that refuses asymmetric keys synchronously (AMB-01 (a)) never shows
    ENABLING_FAILED, so "recover from ENABLING_FAILED" cannot be exercised on it. The verdict is
    ``not_applicable`` with this reason, never ``passed``.
    """


class Violation(AssertionError):
    """A check of particular requirements failed: the failure is charged to ``requirements``
    (those of them the scenario checks), not to every requirement the scenario is tagged with.

    Example: every status read checks that the status is one of the six documented values
    (SSE-04); an undocumented one is an SSE-04 failure, whatever else the scenario checks.
    """

    def __init__(self, requirements: Iterable[str], message: str) -> None:
        self.requirements = tuple(requirements)
        super().__init__(message)


class UsageError(Exception):
    """Bad command-line or configuration input: reported in one line, exit code 2."""
