"""Verdicts: the one vocabulary of outcomes, what a scenario's outcome means, and how scenario
verdicts roll up to a requirement.

The suite's results and the account audit speak the same words; ``warn`` is the audit's alone (a
finding worth a look that is not a failure) and ``untested`` a requirement's alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from botocore.exceptions import ClientError

from firehose_conformance.errors import CapabilityMissing, PreconditionUnreachable, TargetMisbehaved


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    UNTESTED = "untested"  # a requirement with no scenario; never a scenario's verdict
    WARN = "warn"  # an audit finding worth a look, not a failure; never the suite's verdict


# Which words each kind of subject can get, in the order documents list them.
SCENARIO_VERDICTS = (Verdict.PASSED, Verdict.FAILED, Verdict.NOT_APPLICABLE, Verdict.ERROR)
REQUIREMENT_VERDICTS = (*SCENARIO_VERDICTS, Verdict.UNTESTED)
# The audit's findings, in the order its counts list them: error is a finding it could not read.
AUDIT_VERDICTS = (
    Verdict.PASSED,
    Verdict.FAILED,
    Verdict.ERROR,
    Verdict.WARN,
    Verdict.NOT_APPLICABLE,
)


def classify_exception(exc: BaseException) -> tuple[Verdict, str]:
    """Map what a scenario raised onto a verdict and a one-line reason.

    An assertion (or a 4xx the spec did not expect) is the implementation breaking the spec:
    failed. A misbehaving target, or anything unexpected, is an error: never a pass, and never
    blamed on the spec.
    """
    if isinstance(exc, PreconditionUnreachable):
        return Verdict.NOT_APPLICABLE, str(exc)
    if isinstance(exc, AssertionError):
        return Verdict.FAILED, _first_lines(str(exc)) or "assertion failed"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return Verdict.FAILED, (
            f"the target refused {exc.operation_name}: {error.get('Code', '?')}: "
            f"{error.get('Message', '')}"
        ).strip()
    if isinstance(exc, TargetMisbehaved):
        return Verdict.ERROR, _first_lines(str(exc))
    if isinstance(exc, CapabilityMissing):
        return Verdict.ERROR, f"suite defect: {exc} (the scenario lacks its @needs-… tag)"
    return Verdict.ERROR, f"unexpected {type(exc).__name__}: {_first_lines(str(exc))}"


def _first_lines(text: str, limit: int = 600) -> str:
    text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def requirement_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """failed if any scenario failed, else error if any errored, else passed if any passed,
    else not_applicable; untested when there is no scenario at all."""
    seen = set(verdicts)
    for verdict in (Verdict.FAILED, Verdict.ERROR, Verdict.PASSED, Verdict.NOT_APPLICABLE):
        if verdict in seen:
            return verdict
    return Verdict.UNTESTED
