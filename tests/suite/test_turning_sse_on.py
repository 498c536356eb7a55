"""SRC-09 is judged by what turning SSE on does, not charged as set-up trouble.

LocalStack 2026.3.0 accepts CreateDeliveryStream with an encryption input and drops it. Turning
SSE on is what SRC-09 is about, so a Create (or Start) that is accepted and never shows ENABLED
fails SRC-09; when it was a Given, it was an error ("could not set up"), as if the suite could
not tell. The reference with the deviant create-ignores-encryption-input does what LocalStack
does.
"""

from __future__ import annotations

import pytest

from firehose_conformance.runner import Selection, run_suite

pytestmark = pytest.mark.slow
CREATED = "Direct PUT data can be protected by turning SSE on (created with encryption)"
STARTED = "Direct PUT data can be protected by turning SSE on (with encryption started)"


def _src09(options: dict[str, str]) -> tuple[str, dict[str, tuple[str, str]]]:
    run = run_suite("reference", options, Selection.requirements(["SRC-09"]))
    requirement = next(r for r in run.results.requirements if r.id == "SRC-09")
    scenarios = {s.name: (s.verdict, s.reason) for s in run.results.scenarios}
    return requirement.verdict, scenarios


def test_a_create_that_drops_the_encryption_input_fails_src09() -> None:
    verdict, scenarios = _src09({"variant": "create-ignores-encryption-input"})
    assert verdict == "failed"
    created, reason = scenarios[CREATED]
    assert created == "failed"
    assert 'the encryption status of "S" becomes "ENABLED"' in reason
    assert not reason.startswith("could not set up")
    assert scenarios[STARTED][0] == "passed"  # Start still works on that variant


def test_the_reference_passes_both_ways_of_turning_sse_on() -> None:
    verdict, scenarios = _src09({})
    assert verdict == "passed"
    assert scenarios[CREATED][0] == scenarios[STARTED][0] == "passed"
