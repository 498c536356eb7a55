from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from firehose_conformance.audit.findings import FINDING_VERDICTS, Finding
from firehose_conformance.errors import (
    CapabilityMissing,
    NotImplementedByTarget,
    PreconditionUnreachable,
    SuiteDefect,
    TargetMisbehaved,
    Violation,
)
from firehose_conformance.verdicts import (
    AUDIT_VERDICTS,
    REQUIREMENT_VERDICTS,
    Verdict,
    cause_of,
    classify_exception,
    contribution,
    requirement_verdict,
)


def _client_error(code: str, status: int) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": "msg"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "StartDeliveryStreamEncryption")


@pytest.mark.parametrize(
    ("exc", "verdict", "fragment"),
    [
        (AssertionError("status was ENABLED"), Verdict.FAILED, "status was ENABLED"),
        (_client_error("InvalidArgumentException", 400), Verdict.FAILED, "refused Start"),
        (TargetMisbehaved("HTTP 500 InternalFailure"), Verdict.ERROR, "HTTP 500"),
        (PreconditionUnreachable("never reaches X"), Verdict.NOT_APPLICABLE, "never reaches X"),
        (CapabilityMissing("no clock"), Verdict.ERROR, "suite defect"),
        (TypeError("'NoneType' object"), Verdict.ERROR, "unexpected TypeError"),
        (KeyError("Status"), Verdict.ERROR, "unexpected KeyError"),
        (SuiteDefect("no key named 'K'"), Verdict.ERROR, "suite defect: no key named"),
        (AssertionError("suite defect: no puts"), Verdict.ERROR, "suite defect: no puts"),
        (Violation(["SSE-04"], "undocumented status"), Verdict.FAILED, "undocumented status"),
        (NotImplementedByTarget("StopDeliveryStreamEncryption"), Verdict.ERROR, "not implemented"),
    ],
)
def test_classify_exception(exc: BaseException, verdict: Verdict, fragment: str) -> None:
    got, reason = classify_exception(exc)
    assert got is verdict
    assert fragment in reason


def test_reasons_are_one_line_and_bounded() -> None:
    _, reason = classify_exception(AssertionError("line one\n  line two\n" + "x" * 2000))
    assert "\n" not in reason
    assert len(reason) <= 600
    assert reason.startswith("line one line two")


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], Verdict.UNTESTED),
        ([Verdict.NOT_APPLICABLE], Verdict.NOT_APPLICABLE),
        ([Verdict.PASSED, Verdict.NOT_APPLICABLE], Verdict.PASSED),
        ([Verdict.PASSED, Verdict.ERROR], Verdict.ERROR),
        ([Verdict.ERROR, Verdict.FAILED, Verdict.PASSED], Verdict.FAILED),
    ],
)
def test_requirement_rollup(verdicts: list[Verdict], expected: Verdict) -> None:
    assert requirement_verdict(verdicts) is expected


def test_the_audit_speaks_the_suite_s_words_and_only_it_says_warn() -> None:
    assert set(AUDIT_VERDICTS) - set(REQUIREMENT_VERDICTS) == {Verdict.WARN}
    assert FINDING_VERDICTS == AUDIT_VERDICTS
    assert Finding("sse-status", "passed", ("SSE-04",), "m").verdict is Verdict.PASSED
    assert Finding("sse-status", Verdict.ERROR, ("SSE-04",), "m").verdict is Verdict.ERROR
    with pytest.raises(ValueError, match="not an audit verdict"):
        Finding("sse-status", Verdict.UNTESTED, ("SSE-04",), "m")


def test_the_cause_of_a_missing_operation() -> None:
    assert cause_of(NotImplementedByTarget("X", "HTTP 501")) == "not_implemented: X"
    assert cause_of(TargetMisbehaved("HTTP 500")) == ""


@pytest.mark.parametrize(
    ("verdict", "observed", "charged", "expected"),
    [
        (Verdict.PASSED, ["SSE-03"], [], Verdict.PASSED),
        (Verdict.PASSED, [], [], Verdict.NOT_APPLICABLE),  # passed without observing it
        (Verdict.FAILED, [], ["SSE-03"], Verdict.FAILED),
        (Verdict.FAILED, ["SSE-03"], ["SSE-04"], Verdict.PASSED),  # held before SSE-04 failed
        (Verdict.FAILED, [], ["SSE-04"], Verdict.NOT_APPLICABLE),  # never reached
        (Verdict.ERROR, [], ["SSE-03"], Verdict.ERROR),
        (Verdict.NOT_APPLICABLE, [], [], Verdict.NOT_APPLICABLE),
    ],
)
def test_what_a_scenario_says_about_one_requirement(
    verdict: Verdict, observed: list[str], charged: list[str], expected: Verdict
) -> None:
    assert contribution("SSE-03", verdict, observed, charged) is expected
