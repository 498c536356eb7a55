"""Exceptions that decide a scenario's verdict other than by a plain assertion."""

from __future__ import annotations


class TargetMisbehaved(Exception):
    """The target answered as no conformant AWS endpoint would: a 5xx, a refused or dropped
    connection, a timeout, or a malformed answer. The scenario's verdict is ``error``."""


class CapabilityMissing(Exception):
    """A step needed a capability the target does not declare (the scenario lacks its tag)."""


class PreconditionUnreachable(Exception):
    """The target took another documented path, so the state the scenario needs never arises.

    Example: a target that refuses asymmetric keys synchronously (AMB-01 (a)) never shows
    ENABLING_FAILED, so "recover from ENABLING_FAILED" cannot be exercised on it. The verdict is
    ``not_applicable`` with this reason, never ``passed``.
    """


class UsageError(Exception):
    """Bad command-line or configuration input: reported in one line, exit code 2."""
