"""The audit of an account in moto (in process): every kind of stream, every finding checked.

Beyond the streams the reference account has, moto holds what only it can: CloudWatch alarms,
MSK- and database-sourced streams, and its known deviations (emulators.md), which the audit
must read for what they are: no DeliveryStreamEncryptionConfiguration on an unencrypted stream,
a configuration without Status after a create with SSE (could not tell), a key without KeyUsage
(could not tell), ENABLED with an asymmetric key, and ENABLED on a Kinesis-sourced stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import moto
import pytest
from accounts import (
    KEY_OK,
    METRICS,
    NA,
    OWNED,
    SERVICES,
    SOURCE_KEY_OK,
    Account,
    E,
    F,
    P,
    W,
    assert_findings,
    build_common,
    cmk,
)

from firehose_conformance.audit import AuditReport, RegionClients, audit
from firehose_conformance.verdicts import Verdict

pytestmark = pytest.mark.slow  # one moto account for the module

NO_ALARMS = {f"alarm-{m}": W for m in METRICS}
ALARMED = {f"alarm-{m}": P for m in METRICS}
OTHER = {"sse-status": NA, "kms-alarms": NA}

EXPECTED: dict[str, dict[str, Verdict]] = {
    "dp-owned": {"sse-status": P, **NO_ALARMS},
    "dp-cmk": {"sse-status": P, **KEY_OK, **ALARMED},
    "dp-off": {"sse-status": F, **NO_ALARMS},
    "dp-key-disabled": {"sse-status": P, **KEY_OK, "sse-key-state": F, **NO_ALARMS},
    "dp-key-deleting": {"sse-status": P, **KEY_OK, "sse-key-state": F, **NO_ALARMS},
    "dp-key-denying": {"sse-status": P, **KEY_OK, "sse-key-policy": F, **NO_ALARMS},
    "dp-asymmetric": {"sse-status": P, **KEY_OK, "sse-key-spec": F, **NO_ALARMS},
    "dp-created-with-sse": {"sse-status": E, **NO_ALARMS},
    "dp-key-no-usage": {"sse-status": P, **KEY_OK, "sse-key-spec": E, **NO_ALARMS},
    "dp-key-gone": {"sse-status": P, "sse-key-exists": F, **NO_ALARMS},
    "kds-encrypted": {"sse-status": NA, "source-sse": P, **SOURCE_KEY_OK, "kms-alarms": NA},
    "kds-plain": {"sse-status": NA, "source-sse": F, "kms-alarms": NA},
    "kds-key-disabled": {
        "sse-status": NA,
        "source-sse": P,
        **SOURCE_KEY_OK,
        "source-key-state": F,
        "kms-alarms": NA,
    },
    "kds-source-gone": {"sse-status": NA, "source-sse": F, "kms-alarms": NA},
    "msk": OTHER,
    "database": OTHER,
}


def run_audit(session: boto3.session.Session, **options) -> AuditReport:
    clients = RegionClients.wrap("us-east-1", session.client)
    return audit([clients], now=datetime.now(UTC), **options)


@pytest.fixture(scope="module")
def report() -> Iterator[tuple[AuditReport, dict[str, str]]]:
    """Built once for the module (moto takes a while); the tests only read it."""
    with moto.mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        yield build(session)


def build(session: boto3.session.Session) -> tuple[AuditReport, dict[str, str]]:
    account = Account({s: session.client(s) for s in SERVICES})
    keys = build_common(account)
    account.alarms("dp-cmk")
    account.alarm("dp-owned", "KMSKeyDisabled", actions=False)  # watches, tells no one
    account.alarm("dp-other", "KMSKeyNotFound")  # another stream's: moto returns it for all
    keys["asymmetric"] = account.key("RSA_2048")
    account.direct_put("dp-asymmetric", sse=cmk(keys["asymmetric"]))  # moto accepts it
    account.firehose.create_delivery_stream(
        DeliveryStreamName="dp-created-with-sse",
        DeliveryStreamEncryptionConfigurationInput=OWNED,
        S3DestinationConfiguration=account._destination(),
    )
    account.direct_put("dp-key-gone", sse=cmk(keys["good"].replace(keys["good"][-4:], "0000")))
    # moto's DescribeKey omits KeyUsage for a key created without one.
    no_usage = account.kms.create_key()["KeyMetadata"]["Arn"]
    account.direct_put("dp-key-no-usage", sse=cmk(no_usage))
    gone = account.data_stream("src-gone")
    account.kinesis_sourced("kds-source-gone", gone)
    account.kinesis.delete_stream(StreamName="src-gone")
    account.start("kds-encrypted", OWNED)  # moto shows ENABLED where AWS refuses (SRC-08)
    account.other_source("msk", "MSKAsSource")
    account.other_source("database", "DatabaseAsSource")
    return run_audit(session), keys


def test_every_stream_gets_exactly_the_expected_findings(report) -> None:
    audited, _ = report
    assert_findings(audited, EXPECTED)
    assert audited.errors == 2
    assert audited.exit_code == 2  # could not complete
    audited.allow_partial = True
    try:
        assert audited.exit_code == 1  # a partial audit still fails on what it could read
    finally:
        audited.allow_partial = False


def test_a_missing_configuration_is_taken_as_not_encrypted(report) -> None:
    finding = report[0].stream("dp-off").finding("sse-status")
    assert finding.verdict is F
    assert "shows no DeliveryStreamEncryptionConfiguration (taken as DISABLED)" in finding.message
    assert finding.evidence == {
        "DeliveryStreamType": "DirectPut",
        "DeliveryStreamEncryptionConfiguration": "(missing)",
    }


def test_a_configuration_without_status_cannot_pass(report) -> None:
    stream = report[0].stream("dp-created-with-sse")
    finding = stream.finding("sse-status")
    assert finding.message == (
        "could not tell whether SSE is enabled: DeliveryStreamEncryptionConfiguration has no "
        "Status (SSE-04 says Describe shows it)"
    )
    assert (stream.verdict, finding.severity.value) == (E, "medium")
    assert finding.evidence["DeliveryStreamEncryptionConfiguration.Status"] == "(missing)"
    assert finding.evidence["DeliveryStreamEncryptionConfiguration.KeyType"] == "AWS_OWNED_CMK"


def test_an_asymmetric_key_fails_even_when_the_status_says_enabled(report) -> None:
    stream = report[0].stream("dp-asymmetric")
    assert stream.finding("sse-status").verdict is P  # moto's deviation, read as it is
    spec = stream.finding("sse-key-spec")
    assert spec.verdict is F
    assert spec.evidence["KeyMetadata.KeySpec"] == "RSA_2048"


def test_a_key_that_does_not_exist_fails_and_stops_the_key_checks(report) -> None:
    finding = report[0].stream("dp-key-gone").finding("sse-key-exists")
    assert finding.verdict is F
    assert "does not exist" in finding.message
    assert finding.evidence["DescribeKey"].startswith("NotFoundException")


def test_a_kinesis_source_that_is_gone_fails(report) -> None:
    finding = report[0].stream("kds-source-gone").finding("source-sse")
    assert finding.verdict is F
    assert finding.message == (
        "the source data stream arn:aws:kinesis:us-east-1:123456789012:stream/src-gone "
        "does not exist"
    )


def test_sse_shown_on_a_kinesis_sourced_stream_is_noted_not_believed(report) -> None:
    finding = report[0].stream("kds-encrypted").finding("sse-status")
    assert finding.verdict is NA
    assert finding.evidence["DeliveryStreamEncryptionConfiguration.Status"] == "ENABLED"


def test_other_sources_are_not_applicable_with_the_reason(report) -> None:
    stream = report[0].stream("msk")
    sse = stream.finding("sse-status")
    assert sse.requirements == ("SRC-08",)
    assert sse.message == (
        "Firehose SSE can be enabled only on DirectPut streams (SRC-08); the data of a "
        "MSKAsSource stream rests in its source, which is not audited"
    )
    assert stream.finding("kms-alarms").evidence == {"DeliveryStreamType": "MSKAsSource"}
    assert stream.verdict is NA


def test_alarms_count_only_for_their_stream_and_only_when_they_notify(report) -> None:
    audited, _ = report
    watched = audited.stream("dp-cmk").finding("alarm-KMSKeyNotFound")
    assert watched.message == "watched by dp-cmk-KMSKeyNotFound"
    assert watched.evidence["MetricAlarms[].AlarmName"] == ["dp-cmk-KMSKeyNotFound"]
    assert watched.requirements == ("MET-01", "MET-06", "MET-07")
    silent = audited.stream("dp-owned").finding("alarm-KMSKeyDisabled")
    assert silent.verdict is W
    assert "notify no one" in silent.message
    # moto answers every stream's alarms for the metric; the one of dp-other is not dp-off's.
    none = audited.stream("dp-off").finding("alarm-KMSKeyNotFound")
    assert none.verdict is W
    assert none.message.startswith("no alarm watches KMSKeyNotFound for this stream")
    assert none.evidence["MetricAlarms[].AlarmName"] == []


def test_a_key_without_key_usage_is_could_not_tell_not_a_failure(report) -> None:
    stream = report[0].stream("dp-key-no-usage")
    spec = stream.finding("sse-key-spec")
    assert spec.verdict is E
    assert spec.message == (
        "could not tell whether it is a symmetric encryption key: DescribeKey's answer has no "
        "KeyUsage (KeySpec SYMMETRIC_DEFAULT)"
    )
    assert spec.evidence["KeyMetadata.KeyUsage"] == "(missing)"
    assert stream.verdict is E  # not failed: nothing wrong was read
