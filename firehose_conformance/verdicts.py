"""Verdicts: the one vocabulary of outcomes, what a scenario's outcome means, and how scenario
verdicts roll up to a requirement.

The suite's results and the account audit speak the same words; ``warn`` is the audit's alone (a
finding worth a look that is not a failure); ``untested`` and ``not_selected`` are a
requirement's alone; ``interrupted`` is a scenario's alone.

Three words say that a run did not get to judge something, and are never charged to the target:

- ``interrupted``: a scenario that was running when the run was stopped (SIGINT, SIGTERM);
- ``not_run``: a selected scenario the run never reached (it was stopped, or ``-x`` ended it);
  a requirement any of whose selected scenarios did not run and none failed or errored on it;
- ``not_selected``: a requirement none of whose scenarios the selection (``-m``, ``-k``) took,
  or the target's cost policy kept (cost_policy.py: a cost choice, never ``not_applicable``).

A verdict is earned by an exercised path. Each scenario records the requirements its checks
*observed* (the situation the requirement states arose, and the check held) and, when it ended
failed or error, the requirements that outcome is *charged* to (those the failing step checks).
A requirement takes from each of its scenarios: failed or error when charged; passed when
observed; not applicable otherwise (its situation never arose there, or another requirement's
failure stopped the scenario first).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum

from botocore.exceptions import ClientError

from firehose_conformance.errors import (
    CapabilityMissing,
    NotImplementedByTarget,
    PreconditionUnreachable,
    SuiteDefect,
    TargetMisbehaved,
)


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    UNTESTED = "untested"  # a requirement with no scenario; never a scenario's verdict
    WARN = "warn"  # an audit finding worth a look, not a failure; never the suite's verdict
    INTERRUPTED = "interrupted"  # a scenario running when the run was stopped
    NOT_RUN = "not_run"  # a selected scenario (or a requirement's) the run never reached
    NOT_SELECTED = "not_selected"  # a requirement none of whose scenarios was selected


# The words of a scenario whose steps all ran: what it says about the implementation.
JUDGED_VERDICTS = (Verdict.PASSED, Verdict.FAILED, Verdict.NOT_APPLICABLE, Verdict.ERROR)
# Which words each kind of subject can get, in the order documents list them.
SCENARIO_VERDICTS = (*JUDGED_VERDICTS, Verdict.INTERRUPTED, Verdict.NOT_RUN)
REQUIREMENT_VERDICTS = (
    *JUDGED_VERDICTS,
    Verdict.UNTESTED,
    Verdict.NOT_RUN,
    Verdict.NOT_SELECTED,
)
# The words that say the run did not get to judge: never a pass, never charged to the target.
UNREACHED_VERDICTS = (Verdict.INTERRUPTED, Verdict.NOT_RUN, Verdict.NOT_SELECTED)
# The audit's findings, in the order its counts list them: error is a finding it could not read.
AUDIT_VERDICTS = (
    Verdict.PASSED,
    Verdict.FAILED,
    Verdict.ERROR,
    Verdict.WARN,
    Verdict.NOT_APPLICABLE,
)

NOT_IMPLEMENTED = "not_implemented"
"""The prefix of a cause: ``not_implemented: <Operation>``."""
SETUP_PREFIX = "could not set up: "
SUITE_DEFECT_PREFIX = "suite defect: "


def classify_exception(exc: BaseException) -> tuple[Verdict, str]:
    """Map what a scenario raised onto a verdict and a one-line reason.

    An assertion (or a 4xx the spec did not expect) is the implementation breaking the spec:
    failed. A misbehaving target, or anything unexpected, is an error: never a pass, and never
    blamed on the spec. The suite's own mistakes are errors that say "suite defect".
    """
    if isinstance(exc, PreconditionUnreachable):
        return Verdict.NOT_APPLICABLE, str(exc)
    if isinstance(exc, SuiteDefect):
        return Verdict.ERROR, SUITE_DEFECT_PREFIX + _first_lines(str(exc))
    if isinstance(exc, AssertionError):
        text = _first_lines(str(exc)) or "assertion failed"
        if text.startswith(SUITE_DEFECT_PREFIX):
            return Verdict.ERROR, text
        return Verdict.FAILED, text
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return Verdict.FAILED, (
            f"the target refused {exc.operation_name}: {error.get('Code', '?')}: "
            f"{error.get('Message', '')}"
        ).strip()
    if isinstance(exc, TargetMisbehaved):
        return Verdict.ERROR, _first_lines(str(exc))
    if isinstance(exc, CapabilityMissing):
        return Verdict.ERROR, f"{SUITE_DEFECT_PREFIX}{exc} (the scenario lacks its @needs-… tag)"
    return Verdict.ERROR, f"unexpected {type(exc).__name__}: {_first_lines(str(exc))}"


def cause_of(exc: BaseException) -> str:
    """A cause that reports group scenarios by (``not_implemented: <Operation>``), or ""."""
    return exc.cause if isinstance(exc, NotImplementedByTarget) else ""


def missing_operations(cause: str) -> list[str]:
    """The operations a ``not_implemented: A`` or ``not_implemented: A, B`` cause names; []
    for any other cause."""
    kind, _, operations = cause.partition(":")
    if kind != NOT_IMPLEMENTED:
        return []
    return [op.strip() for op in operations.split(",") if op.strip()]


def not_implemented_cause(operations: Iterable[str]) -> str:
    """The cause for scenarios blocked by these operations: ``not_implemented: A, B``."""
    return f"{NOT_IMPLEMENTED}: {', '.join(dict.fromkeys(operations))}"


def _first_lines(text: str, limit: int = 600) -> str:
    text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def contribution(
    rid: str, verdict: Verdict, observed: Collection[str], charged: Collection[str]
) -> Verdict:
    """What one scenario says about requirement ``rid``: its failure or error where that is
    charged to ``rid``, a pass where ``rid`` was observed, not run where the scenario was
    interrupted or never reached, else not applicable."""
    if verdict in (Verdict.INTERRUPTED, Verdict.NOT_RUN):
        return Verdict.NOT_RUN
    if verdict in (Verdict.FAILED, Verdict.ERROR) and rid in charged:
        return verdict
    if rid in observed and verdict in (Verdict.PASSED, Verdict.FAILED, Verdict.ERROR):
        return Verdict.PASSED
    return Verdict.NOT_APPLICABLE


def requirement_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """failed if any scenario's contribution is failed, else error if any is error, else not_run
    if any scenario did not run (what ran cannot speak for what did not), else passed if any is
    passed, else not_applicable; untested when there is no scenario at all."""
    seen = set(verdicts)
    for verdict in (
        Verdict.FAILED,
        Verdict.ERROR,
        Verdict.NOT_RUN,
        Verdict.PASSED,
        Verdict.NOT_APPLICABLE,
    ):
        if verdict in seen:
            return verdict
    return Verdict.UNTESTED
