"""The moto target: honest verdicts on a known-bad implementation, and the adapter's own duties.

moto sets SSE synchronously, calls no KMS and crashes on some inputs (emulators.md 2, 3.3); the
suite must fail it there, say N/A only for capabilities it truly lacks, and report its crashes as
errors that name the cause. The suite runs in process (``run_suite``), on scenarios that need no
"6 seconds pass".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.core.models import MockAWS

from firehose_conformance.cli import main
from firehose_conformance.errors import TargetMisbehaved
from firehose_conformance.runner import Selection, run_suite
from firehose_conformance.targets import make_target
from firehose_conformance.targets.moto import MotoTarget

SELECTION = "API-04 or SSE-02 or SSE-04 or SSE-17 or SRC-10 or KEY-06 or KEY-08"


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict[str, Any]]:
    """Scenario name -> its entry in the results document of one run of the selection."""
    run = run_suite("moto", selection=Selection(markers=SELECTION))
    return {s.name: asdict(s) for s in run.results.scenarios}


@pytest.fixture
def target() -> Iterator[MotoTarget]:
    made = make_target("moto")
    assert isinstance(made, MotoTarget)
    made.start_scenario()
    yield made
    made.close()


@pytest.mark.slow
def test_unknown_stream_answers_resource_not_found_and_passes(verdicts: dict) -> None:
    api04 = {n: s for n, s in verdicts.items() if s["requirements"] == ["API-03", "API-04"]}
    assert len(api04) == 6
    assert {s["verdict"] for s in api04.values()} == {"passed"}


@pytest.mark.slow
def test_needs_clock_is_not_applicable_and_names_the_capability(verdicts: dict) -> None:
    clock = verdicts["Start is asynchronous: the status is ENABLING until time passes"]
    assert clock["verdict"] == "not_applicable"
    assert "@needs-clock" in clock["reason"]


@pytest.mark.slow
def test_a_missing_configuration_fails_sse04_only(verdicts: dict) -> None:
    """moto leaves the configuration out for a stream without SSE (AMB-09): SSE-04's stance
    scenario fails; Start, which moto answers with ENABLED at once, passes SSE-02 (a first read
    of ENABLED is allowed: ENABLING may be too brief to see)."""
    assert verdicts["A DirectPut stream without SSE shows the status DISABLED"]["verdict"] == (
        "failed"
    )
    scenario = verdicts["Start moves the status through ENABLING to ENABLED"]
    assert scenario["verdict"] == "passed"
    assert scenario["observed"] == ["SSE-02", "SSE-04", "SSE-15"]


@pytest.mark.slow
def test_start_without_input_is_an_error_naming_moto_s_type_error(verdicts: dict) -> None:
    scenario = verdicts["Start without an encryption input enables an AWS owned key"]
    assert scenario["verdict"] == "error"
    assert "moto raised TypeError" in scenario["reason"]
    assert "moto/firehose/models.py" in scenario["reason"]


@pytest.mark.slow
def test_direct_put_to_kinesis_source_fails_saying_what_moto_did(verdicts: dict) -> None:
    src10 = [s for s in verdicts.values() if "SRC-10" in s["requirements"]]
    assert len(src10) == 2
    for scenario in src10:
        assert scenario["verdict"] == "failed"
        assert "succeeded; expected InvalidArgumentException" in scenario["reason"]


@pytest.mark.slow
def test_key_arn_pattern_is_not_checked_by_moto(verdicts: dict) -> None:
    bad_arns = [s for n, s in verdicts.items() if n.startswith("The key ARN must be")]
    assert len(bad_arns) == 5
    assert {s["verdict"] for s in bad_arns} == {"failed"}
    # moto takes an alias ARN too, which the snapshot's KeyARN pattern (key ARNs only) refuses.
    assert verdicts["An alias ARN is refused as the key ARN"]["verdict"] == "failed"


@pytest.mark.slow
def test_key_state_steps_use_the_bare_key_id(verdicts: dict) -> None:
    """moto's DisableKey and ScheduleKeyDeletion crash on a key ARN (emulators.md 3.3): the
    steps pass the key id, so the KMS state scenarios reach a verdict on behaviour."""
    assert verdicts["KMS reports the key states Disabled and PendingDeletion"]["verdict"] == (
        "passed"
    )
    refusals = [s for n, s in verdicts.items() if n.startswith("KMS refuses cryptographic use")]
    assert refusals and {s["verdict"] for s in refusals} == {"failed"}  # moto checks no state


@pytest.mark.slow
def test_no_scenario_blames_the_suite(verdicts: dict) -> None:
    for scenario in verdicts.values():
        assert "suite defect" not in scenario["reason"], scenario
        if scenario["verdict"] == "error":
            assert "moto raised" in scenario["reason"], scenario


def test_a_moto_crash_becomes_target_misbehaved_naming_the_place(target: MotoTarget) -> None:
    meta = target.kms.create_key()["KeyMetadata"]
    with pytest.raises(TargetMisbehaved, match=r"moto raised KeyError in moto/kms/models\.py:\d+"):
        target.kms.disable_key(KeyId=meta["Arn"])
    target.kms.disable_key(KeyId=meta["KeyId"])  # the bare id works
    assert target.kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_service_errors_stay_client_errors(target: MotoTarget) -> None:
    with pytest.raises(ClientError) as caught:
        target.firehose.describe_delivery_stream(DeliveryStreamName="nope")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_exception_from_outside_moto_is_left_alone(target: MotoTarget) -> None:
    class Broken:
        def list_keys(self) -> None:
            raise TypeError("the suite's own bug")

    with pytest.raises(TypeError, match="the suite's own bug"):
        target.invoke(Broken(), "list_keys", {}, retry_throttling=False)


def test_each_scenario_starts_from_an_empty_moto(target: MotoTarget) -> None:
    target.s3.create_bucket(Bucket="fsc-left-over")
    target.kms.create_key()
    target.start_scenario()
    assert target.s3.list_buckets()["Buckets"] == []
    assert target.kms.list_keys()["Keys"] == []


def test_moto_target_declares_no_capability_and_short_waits() -> None:
    assert MotoTarget.capabilities == frozenset()
    assert MotoTarget.profile.transition_timeout <= 10


def test_close_stops_the_mock() -> None:
    before = MockAWS._nested_count
    made = make_target("moto")
    assert MockAWS._nested_count == before + 1
    made.close()
    made.close()  # idempotent
    assert MockAWS._nested_count == before


def test_moto_takes_no_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--target", "moto", "--target-option", "speed=fast"]) == 2
    err = capsys.readouterr().err
    assert "takes no options (got speed)" in err
    assert err.count("\n") == 1
