"""Streams whose source is not DirectPut: Firehose SSE does not apply to them (SRC-08).

With a Kinesis data stream as source, Firehose stores nothing at rest; the data at rest is in the
data stream (SRC-01), so the audit checks the data stream's own SSE (``EncryptionType`` KMS,
SRC-03) and its key instead. For other sources (MSK, databases) the data at rest is in the
source too, which this audit does not read: the finding is not_applicable, with the reason.
"""

from __future__ import annotations

from typing import Any

from firehose_conformance.audit.findings import COULD_NOT_READ, COULD_NOT_TELL, MISSING, Finding
from firehose_conformance.audit.guard import ReadOnlyClient
from firehose_conformance.audit.keys import SOURCE_KEY, check_key
from firehose_conformance.audit.policy import firehose_principals
from firehose_conformance.audit.reads import Unreadable, read
from firehose_conformance.verdicts import Verdict

KINESIS = "KinesisStreamAsSource"
ENC = "DeliveryStreamEncryptionConfiguration"
KDS_SOURCE = "Source.KinesisStreamSourceDescription"
SSE_NOT_APPLICABLE = "Firehose SSE can be enabled only on DirectPut streams (SRC-08)"


def sse_not_applicable(description: dict[str, Any]) -> Finding:
    """``sse-status`` of a stream whose source is not DirectPut."""
    source_type = str(description.get("DeliveryStreamType", MISSING))
    evidence: dict[str, Any] = {"DeliveryStreamType": source_type}
    enc = description.get(ENC)
    # T21: AWS shows no EncCfg for such a stream; an emulator that shows one (moto shows
    # ENABLED after a Start it should have refused) is noted, not believed.
    evidence[f"{ENC}.Status"] = enc.get("Status", MISSING) if isinstance(enc, dict) else MISSING
    if source_type == KINESIS:
        where = (
            "the data at rest is in the source data stream (SRC-01), whose SSE is checked "
            "instead (source-sse)"
        )
        grounds: tuple[str, ...] = ("SRC-08", "SRC-01")
    else:
        where = f"the data of a {source_type} stream rests in its source, which is not audited"
        grounds = ("SRC-08",)
    return Finding(
        "sse-status", Verdict.NOT_APPLICABLE, grounds, f"{SSE_NOT_APPLICABLE}; {where}", evidence
    )


def check_kinesis_source(
    description: dict[str, Any], kinesis: ReadOnlyClient, kms: ReadOnlyClient
) -> list[Finding]:
    """``source-sse`` and the ``source-key-…`` findings of a Kinesis-sourced stream."""
    source = (description.get("Source") or {}).get("KinesisStreamSourceDescription") or {}
    stream_arn = source.get("KinesisStreamARN")
    grounds = ("SRC-01", "SRC-03")
    if not stream_arn:
        return [
            Finding(
                "source-sse",
                Verdict.ERROR,
                grounds,
                f"{COULD_NOT_TELL} whether the source is encrypted: DescribeDeliveryStream does "
                "not name the source data stream",
                {f"{KDS_SOURCE}.KinesisStreamARN": MISSING},
            )
        ]
    evidence: dict[str, Any] = {f"{KDS_SOURCE}.KinesisStreamARN": stream_arn}
    summary = read(kinesis, "describe_stream_summary", StreamARN=stream_arn)
    if isinstance(summary, Unreadable):
        if summary.not_found:
            return [
                Finding(
                    "source-sse",
                    Verdict.FAILED,
                    grounds,
                    f"the source data stream {stream_arn} does not exist",
                    {**evidence, **summary.evidence()},
                )
            ]
        return [
            Finding(
                "source-sse",
                Verdict.ERROR,
                grounds,
                f"{COULD_NOT_READ} the source data stream: {summary.describe()}",
                {**evidence, **summary.evidence()},
            )
        ]
    details = summary.get("StreamDescriptionSummary", {})
    encryption = details.get("EncryptionType", MISSING)
    key_id = details.get("KeyId")
    evidence["StreamDescriptionSummary.EncryptionType"] = encryption
    evidence["StreamDescriptionSummary.KeyId"] = key_id or MISSING
    evidence["StreamDescriptionSummary.StreamStatus"] = details.get("StreamStatus", MISSING)
    if "EncryptionType" not in details:
        return [
            Finding(
                "source-sse",
                Verdict.ERROR,
                grounds,
                f"{COULD_NOT_TELL} whether the source data stream is encrypted: "
                "DescribeStreamSummary's answer has no EncryptionType",
                evidence,
            )
        ]
    if encryption != "KMS":
        return [
            Finding(
                "source-sse",
                Verdict.FAILED,
                (*grounds, "SRC-04"),
                f"the source data stream is not encrypted at rest (EncryptionType {encryption}): "
                "enable its SSE with kinesis StartStreamEncryption (EncryptionType KMS)",
                evidence,
            )
        ]
    findings = [
        Finding(
            "source-sse",
            Verdict.PASSED,
            grounds,
            f"the source data stream is encrypted at rest with KMS key {key_id or MISSING}",
            evidence,
        )
    ]
    if key_id:
        principals = firehose_principals([str(source.get("RoleARN") or "")])
        findings += check_key(kms, str(key_id), SOURCE_KEY, principals)
    return findings
