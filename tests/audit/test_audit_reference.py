"""The audit of an account in the reference cloud: every kind of stream, every finding checked.

The audit reads through its own read-only wrappers of the cloud's boto3 clients. The reference
implements no CloudWatch alarms, so every alarm finding is an error that says the alarms could
not be read (the audit could not complete); moto's account (test_audit_moto.py) checks alarms
for real.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from accounts import (
    KEY_OK,
    METRICS,
    NA,
    OWNED,
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
from reference_impl.cloud import ReferenceCloud
from reference_impl.firehose.settings import FirehoseSettings

ALARMS_UNREAD = {f"alarm-{m}": E for m in METRICS}
NO_ALARMS = {"kms-alarms": NA}

EXPECTED: dict[str, dict[str, Verdict]] = {
    "dp-owned": {"sse-status": P, **ALARMS_UNREAD},
    "dp-cmk": {"sse-status": P, **KEY_OK, **ALARMS_UNREAD},
    "dp-off": {"sse-status": F, **ALARMS_UNREAD},
    "dp-key-disabled": {"sse-status": P, **KEY_OK, "sse-key-state": F, **ALARMS_UNREAD},
    "dp-key-deleting": {"sse-status": P, **KEY_OK, "sse-key-state": F, **ALARMS_UNREAD},
    "dp-key-denying": {"sse-status": P, **KEY_OK, "sse-key-policy": F, **ALARMS_UNREAD},
    "dp-asymmetric": {"sse-status": F, **KEY_OK, "sse-key-spec": F, **ALARMS_UNREAD},
    "dp-create-failed": {
        "stream-status": F,
        "sse-status": F,
        **KEY_OK,
        "sse-key-spec": F,
        **ALARMS_UNREAD,
    },
    "kds-encrypted": {"sse-status": NA, "source-sse": P, **SOURCE_KEY_OK, **NO_ALARMS},
    "kds-plain": {"sse-status": NA, "source-sse": F, **NO_ALARMS},
    "kds-key-disabled": {
        "sse-status": NA,
        "source-sse": P,
        **SOURCE_KEY_OK,
        "source-key-state": F,
        **NO_ALARMS,
    },
}


def run_audit(cloud: ReferenceCloud, **options) -> AuditReport:
    clients = RegionClients.wrap(cloud.region, cloud.client)
    return audit([clients], now=cloud.now(), **options)


@pytest.fixture
def report(cloud: ReferenceCloud, reference_account: Account) -> tuple[AuditReport, dict]:
    keys = build_common(reference_account)
    keys["asymmetric"] = reference_account.key("RSA_2048")
    reference_account.direct_put("dp-asymmetric", sse=cmk(keys["asymmetric"]))
    # AMB-01 (c): the reference fails the creation with an asymmetric key.
    reference_account.firehose.create_delivery_stream(
        DeliveryStreamName="dp-create-failed",
        DeliveryStreamEncryptionConfigurationInput=cmk(keys["asymmetric"]),
        S3DestinationConfiguration=reference_account._destination(),
    )
    cloud.advance(30)
    return run_audit(cloud), keys


def test_every_stream_gets_exactly_the_expected_findings(report) -> None:
    audited, _ = report
    assert_findings(audited, EXPECTED)
    assert audited.exit_code == 2  # the alarms could not be read: could not complete


def test_direct_put_enabled_passes_with_the_key_named(report) -> None:
    audited, keys = report
    owned = audited.stream("dp-owned").finding("sse-status")
    assert owned.message == "SSE is ENABLED with an AWS owned CMK"
    assert owned.requirements == ("SRC-09", "SSE-04")
    assert owned.evidence["DeliveryStreamEncryptionConfiguration.Status"] == "ENABLED"
    assert owned.evidence["DeliveryStreamEncryptionConfiguration.KeyType"] == "AWS_OWNED_CMK"
    with_cmk = audited.stream("dp-cmk")
    assert keys["good"] in with_cmk.finding("sse-status").message
    spec = with_cmk.finding("sse-key-spec")
    assert spec.evidence["KeyMetadata.KeySpec"] == "SYMMETRIC_DEFAULT"
    assert spec.evidence["KeyMetadata.KeyUsage"] == "ENCRYPT_DECRYPT"
    assert spec.requirements == ("KEY-01", "KEY-02")
    policy = with_cmk.finding("sse-key-policy")
    assert policy.evidence["Policy: Deny statements"] == 0
    assert "Service firehose.amazonaws.com" in policy.evidence["principals checked"]
    assert (
        "AWS arn:aws:iam::123456789012:role/firehose-delivery"
        in (policy.evidence["principals checked"])
    )


def test_disabled_sse_fails(report) -> None:
    finding = report[0].stream("dp-off").finding("sse-status")
    assert finding.verdict is F
    assert finding.message.startswith("SSE is DISABLED")
    assert finding.evidence["DeliveryStreamEncryptionConfiguration.Status"] == "DISABLED"


def test_enabling_failed_shows_the_failure_description(report) -> None:
    stream = report[0].stream("dp-asymmetric")
    finding = stream.finding("sse-status")
    assert finding.verdict is F
    assert finding.message.startswith(
        "ENABLING_FAILED: the most recent attempt to enable SSE failed: INVALID_KMS_KEY: "
    )
    assert {"SSE-03", "SSE-13", "SSE-18", "SSE-19"} <= set(finding.requirements)
    assert (
        finding.evidence["DeliveryStreamEncryptionConfiguration.FailureDescription.Type"]
        == "INVALID_KMS_KEY"
    )
    assert finding.evidence["DeliveryStreamEncryptionConfiguration.FailureDescription.Details"]
    spec = stream.finding("sse-key-spec")
    assert spec.evidence["KeyMetadata.KeySpec"] == "RSA_2048"
    assert "not a symmetric encryption key" in spec.message


def test_a_stream_whose_creation_failed_shows_why(report) -> None:
    stream = report[0].stream("dp-create-failed")
    assert [f.id for f in stream.findings][:2] == ["stream-status", "sse-status"]
    finding = stream.finding("stream-status")
    assert finding.requirements == ("SSE-18", "API-09")
    assert finding.message.startswith("the stream is CREATING_FAILED: INVALID_KMS_KEY: KMS key ")
    assert finding.evidence["DeliveryStreamStatus"] == "CREATING_FAILED"
    assert finding.evidence["FailureDescription.Type"] == "INVALID_KMS_KEY"
    sse = stream.finding("sse-status")
    assert sse.evidence["FailureDescription.Type"] == "INVALID_KMS_KEY"
    # Never had SSE: no word of a previous CMK staying in use.
    assert sse.message.endswith("the stream was created with SSE, so SSE was never enabled on it")
    assert "SSE-11" not in sse.requirements
    # Enabled later on an existing stream: Describe cannot tell, so both readings are given.
    started = report[0].stream("dp-asymmetric").finding("sse-status")
    assert "Describe does not show whether SSE was enabled before this attempt" in (started.message)


def test_unusable_keys_fail_each_for_its_reason(report) -> None:
    audited, keys = report
    disabled = audited.stream("dp-key-disabled").finding("sse-key-state")
    assert disabled.message.startswith("the key is disabled")
    assert disabled.evidence["KeyMetadata.KeyState"] == "Disabled"
    assert disabled.evidence["KeyMetadata.Arn"] == keys["disabled"]
    deleting = audited.stream("dp-key-deleting").finding("sse-key-state")
    assert deleting.message.startswith("the key is pending deletion on 2026-11-08")
    assert deleting.evidence["KeyMetadata.KeyState"] == "PendingDeletion"
    assert deleting.evidence["KeyMetadata.DeletionDate"].startswith("2026-11-08")
    denying = audited.stream("dp-key-denying").finding("sse-key-policy")
    assert denying.requirements == ("KEY-07", "GRT-01")
    assert "explicitly denies Firehose" in denying.message
    assert denying.evidence["Policy: Deny statements covering Firehose"] == [
        "DenyFirehose: denies Service firehose.amazonaws.com kms:Encrypt, kms:Decrypt"
    ]


def test_kinesis_sourced_streams_are_judged_by_their_source(report) -> None:
    audited, keys = report
    encrypted = audited.stream("kds-encrypted")
    sse = encrypted.finding("sse-status")
    assert sse.verdict is NA
    assert sse.requirements == ("SRC-08", "SRC-01")
    assert "DirectPut" in sse.message
    assert sse.evidence == {
        "DeliveryStreamType": "KinesisStreamAsSource",
        "DeliveryStreamEncryptionConfiguration.Status": "(missing)",
    }
    source = encrypted.finding("source-sse")
    assert source.evidence["StreamDescriptionSummary.EncryptionType"] == "KMS"
    assert source.evidence["StreamDescriptionSummary.KeyId"] == keys["source"]
    policy = encrypted.finding("source-key-policy")
    assert policy.requirements == ("SRC-06",)
    assert policy.evidence["actions checked"] == ["kms:Decrypt"]
    assert (
        "AWS arn:aws:iam::123456789012:role/firehose-source"
        in (policy.evidence["principals checked"])
    )
    plain = audited.stream("kds-plain").finding("source-sse")
    assert plain.verdict is F
    assert "EncryptionType NONE" in plain.message
    assert (
        audited.stream("kds-key-disabled")
        .finding("source-key-state")
        .evidence["KeyMetadata.KeyState"]
        == "Disabled"
    )
    alarms = encrypted.finding("kms-alarms")
    assert alarms.requirements == ("MET-01", "SRC-08")


def test_alarms_that_cannot_be_read_are_errors_saying_why(report) -> None:
    finding = report[0].stream("dp-owned").finding("alarm-KMSKeyDisabled")
    assert finding.verdict is E
    assert finding.message == (
        "could not read the alarms on KMSKeyDisabled: DescribeAlarmsForMetric failed: "
        "UnknownOperationException"
    )
    assert finding.evidence["DescribeAlarmsForMetric"].startswith("UnknownOperationException: ")
    assert finding.requirements == ("MET-01", "MET-04", "MET-07")


def test_only_the_named_streams(report, cloud: ReferenceCloud) -> None:
    audited = run_audit(cloud, streams=["dp-off", "kds-plain"])
    assert [s.name for s in audited.streams] == ["dp-off", "kds-plain"]


def test_a_stream_in_enabling_is_a_warning_until_it_is_stuck() -> None:
    hour = 3600.0
    cloud = ReferenceCloud(
        rate_limits=False, settings=FirehoseSettings(transition_seconds=3 * hour)
    )
    clients = {s: cloud.client(s) for s in ("firehose", "kms", "kinesis", "s3", "cloudwatch")}
    account = Account(clients, settle=lambda: cloud.advance(3 * hour + 1))
    account.direct_put("slow")
    account.start("slow", OWNED, settle=False)
    cloud.advance(60)
    fresh = run_audit(cloud).stream("slow").finding("sse-status")
    assert fresh.verdict is W
    assert fresh.message.startswith("SSE is ENABLING")
    assert fresh.evidence["LastUpdateTimestamp"] == "2026-11-01T03:00:01+00:00"
    cloud.advance(2 * hour)
    stuck = run_audit(cloud).stream("slow").finding("sse-status")
    assert stuck.verdict is F
    assert stuck.message.startswith("stuck in ENABLING for 2 h 1 min")
    assert stuck.requirements == ("SSE-02", "SSE-05")
    # The threshold is a parameter: with three hours it is not stuck yet.
    lenient = run_audit(cloud, stuck_after=timedelta(hours=3)).stream("slow")
    assert lenient.finding("sse-status").verdict is W
