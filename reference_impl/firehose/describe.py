"""DescribeDeliveryStream's ``DeliveryStreamDescription``, built from a stream record."""

from __future__ import annotations

from typing import Any

from reference_impl.firehose.destination import DESTINATION_ID
from reference_impl.firehose.sse_state import EncryptionState
from reference_impl.firehose.states import (
    EncryptionStatus,
    FailureDescription,
    StreamStatus,
)
from reference_impl.firehose.streams import DeliveryStream

_FAILED_STREAM = (StreamStatus.CREATING_FAILED, StreamStatus.DELETING_FAILED)
_FAILED_SSE = (EncryptionStatus.ENABLING_FAILED, EncryptionStatus.DISABLING_FAILED)


def failure_view(failure: FailureDescription) -> dict[str, str]:
    return {"Type": failure.type.value, "Details": failure.details}


def encryption_view(encryption: EncryptionState) -> dict[str, Any]:
    """EncCfg. KeyARN only for CUSTOMER_MANAGED_CMK (SSE-16); no KeyType when DISABLED (AMB-09);
    FailureDescription on EncCfg for ENABLING_FAILED / DISABLING_FAILED (AMB-11, EV-TF)."""
    view: dict[str, Any] = {}
    shown = encryption.shown()
    if shown is not None:
        view["KeyType"] = shown.key_type.value
        if shown.is_cmk and shown.shown_arn:
            view["KeyARN"] = shown.shown_arn
    view["Status"] = encryption.status.value
    if encryption.status in _FAILED_SSE and encryption.failure is not None:
        view["FailureDescription"] = failure_view(encryption.failure)
    return view


def describe(
    stream: DeliveryStream, exclusive_start_destination: str | None = None
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "DeliveryStreamName": stream.name,
        "DeliveryStreamARN": stream.arn,
        "DeliveryStreamStatus": stream.status.value,
        "DeliveryStreamType": stream.stream_type.value,
        "VersionId": stream.version_id,
        "CreateTimestamp": stream.created_at,
    }
    if stream.updated_at is not None:
        view["LastUpdateTimestamp"] = stream.updated_at
    # AMB-11: the top-level FailureDescription only for CREATING_FAILED / DELETING_FAILED.
    if stream.status in _FAILED_STREAM and stream.failure is not None:
        view["FailureDescription"] = failure_view(stream.failure)
    # EV-SP769: always present for DirectPut; EV-LS-KDS: absent for KinesisStreamAsSource.
    if stream.encryption is not None:
        view["DeliveryStreamEncryptionConfiguration"] = encryption_view(stream.encryption)
    source = _source_view(stream)
    if source:
        view["Source"] = source
    # One destination; ExclusiveStartDestinationId at (or past) it leaves nothing to return.
    past = exclusive_start_destination is not None and exclusive_start_destination >= DESTINATION_ID
    view["Destinations"] = [] if past else [stream.destination.describe()]
    view["HasMoreDestinations"] = False
    return view


def _source_view(stream: DeliveryStream) -> dict[str, Any]:
    if stream.kinesis_source is not None:
        kinesis: dict[str, Any] = {
            "KinesisStreamARN": stream.kinesis_source.stream_arn,
            "RoleARN": stream.kinesis_source.role_arn,
        }
        if stream.kinesis_source.started_at is not None:
            kinesis["DeliveryStartTimestamp"] = stream.kinesis_source.started_at
        return {"KinesisStreamSourceDescription": kinesis}
    if stream.direct_put_hint is not None:
        return {"DirectPutSourceDescription": {"ThroughputHintInMBs": stream.direct_put_hint}}
    return {}
