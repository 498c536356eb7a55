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
    SCENARIO_VERDICTS,
    UNREACHED_VERDICTS,
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
        # what ran cannot speak for what did not; a failure or error still stands
        ([Verdict.PASSED, Verdict.NOT_RUN], Verdict.NOT_RUN),
        ([Verdict.NOT_APPLICABLE, Verdict.NOT_RUN], Verdict.NOT_RUN),
        ([Verdict.FAILED, Verdict.NOT_RUN], Verdict.FAILED),
        ([Verdict.ERROR, Verdict.NOT_RUN], Verdict.ERROR),
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
        # never charged to the target, never a pass, whatever the fields say
        (Verdict.INTERRUPTED, ["SSE-03"], ["SSE-03"], Verdict.NOT_RUN),
        (Verdict.NOT_RUN, [], [], Verdict.NOT_RUN),
    ],
)
def test_what_a_scenario_says_about_one_requirement(
    verdict: Verdict, observed: list[str], charged: list[str], expected: Verdict
) -> None:
    assert contribution("SSE-03", verdict, observed, charged) is expected


def test_each_kind_of_subject_has_its_words() -> None:
    """interrupted is a scenario's alone, not_selected and untested a requirement's alone; the
    words a run did not judge are never the audit's."""
    assert Verdict.INTERRUPTED in SCENARIO_VERDICTS
    assert Verdict.INTERRUPTED not in REQUIREMENT_VERDICTS
    assert Verdict.NOT_SELECTED in REQUIREMENT_VERDICTS
    assert Verdict.NOT_SELECTED not in SCENARIO_VERDICTS
    assert Verdict.NOT_RUN in SCENARIO_VERDICTS and Verdict.NOT_RUN in REQUIREMENT_VERDICTS
    assert not set(UNREACHED_VERDICTS) & set(AUDIT_VERDICTS)


def test_every_word_has_a_symbol_a_colour_and_a_legend_entry() -> None:
    from firehose_conformance.reports.symbols import STYLES, legend_line

    for word in {*SCENARIO_VERDICTS, *REQUIREMENT_VERDICTS}:
        assert word in STYLES, word
        assert STYLES[word].symbol and STYLES[word].ascii and STYLES[word].colour, word
    assert "not run" not in legend_line()  # a complete run's legend stays as it was
    assert "○ not run" in legend_line(verdicts=["not_run"])
