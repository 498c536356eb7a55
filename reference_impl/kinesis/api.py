"""Kinesis Data Streams' AWS JSON 1.1 API: params -> model -> output.

Params arrive validated against the vendored model (reference_impl.aws_models); the rules the model
cannot express (a PartitionKey for USER_PARTITION_KEY streams, AUTO only on on-demand streams,
DryRun) are the model's (kinesis/model.py).
"""

from __future__ import annotations

from typing import Any

from reference_impl.errors import AwsError
from reference_impl.kinesis.iterators import ListShardsToken
from reference_impl.kinesis.model import KinesisModel, PutEntry, invalid_argument
from reference_impl.kinesis.streams import (
    RecordDistribution,
    Shard,
    StoredRecord,
    Stream,
    StreamMode,
)

DESCRIBE_SHARD_LIMIT = 100
LIST_SHARDS_DEFAULT = 1000
LIST_STREAMS_DEFAULT = 100
MAX_PUT_RECORDS_BYTES = 10 * 1024 * 1024


def _shard_wire(shard: Shard) -> dict[str, Any]:
    return {
        "ShardId": shard.shard_id,
        "HashKeyRange": {
            "StartingHashKey": str(shard.starting_hash_key),
            "EndingHashKey": str(shard.ending_hash_key),
        },
        "SequenceNumberRange": {"StartingSequenceNumber": shard.starting_sequence_number},
    }


def _entry(raw: dict[str, Any]) -> PutEntry:
    return PutEntry(raw["Data"], raw.get("PartitionKey"), raw.get("ExplicitHashKey"))


def _encryption_wire(stream: Stream) -> dict[str, Any]:
    out: dict[str, Any] = {"EncryptionType": str(stream.encryption_type)}
    if stream.key_id is not None:
        out["KeyId"] = stream.key_id
    return out


class KinesisApi:
    def __init__(self, model: KinesisModel) -> None:
        self.model = model

    def _stream(self, params: dict[str, Any]) -> Stream:
        return self.model.get(params.get("StreamName"), params.get("StreamARN"))

    # -- lifecycle -----------------------------------------------------------------------

    def create_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        details = params.get("StreamModeDetails")
        mode = StreamMode(details["StreamMode"]) if details else None
        strategy = params.get("RecordDistributionStrategy")
        self.model.create_stream(
            params["StreamName"],
            shard_count=params.get("ShardCount"),
            mode=mode,
            max_record_kib=params.get("MaxRecordSizeInKiB", 1024),
            distribution=RecordDistribution(strategy) if strategy else None,
        )
        return {}

    def update_stream_record_distribution_strategy(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.model.get(arn=params["StreamARN"])
        strategy = RecordDistribution(params["RecordDistributionStrategy"])
        self.model.set_distribution(stream, strategy)
        return {}

    def delete_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.delete_stream(self._stream(params))
        return {}

    def describe_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self._stream(params)
        limit = min(params.get("Limit", DESCRIBE_SHARD_LIMIT), DESCRIBE_SHARD_LIMIT)
        shards = stream.shards
        start = params.get("ExclusiveStartShardId")
        if start is not None:
            shards = [s for s in shards if s.shard_id > start]
        page = shards[:limit]
        description = {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": str(stream.status),
            "StreamModeDetails": {"StreamMode": str(stream.mode)},
            "Shards": [_shard_wire(s) for s in page],
            "HasMoreShards": len(shards) > limit,
            "RetentionPeriodHours": stream.retention_hours,
            "StreamCreationTimestamp": stream.created,
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            **_encryption_wire(stream),
        }
        return {"StreamDescription": description}

    def describe_stream_summary(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self._stream(params)
        summary = {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": str(stream.status),
            "StreamModeDetails": {"StreamMode": str(stream.mode)},
            "RetentionPeriodHours": stream.retention_hours,
            "StreamCreationTimestamp": stream.created,
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "OpenShardCount": stream.open_shard_count,
            "ConsumerCount": 0,
            "MaxRecordSizeInKiB": stream.max_record_kib,
            **_encryption_wire(stream),
        }
        if stream.mode is StreamMode.ON_DEMAND:
            # "This field is only present for streams that use the on-demand capacity mode."
            summary["RecordDistributionStrategy"] = str(stream.distribution)
        return {"StreamDescriptionSummary": summary}

    def list_streams(self, params: dict[str, Any]) -> dict[str, Any]:
        if "NextToken" in params and "ExclusiveStartStreamName" in params:
            raise invalid_argument("NextToken and ExclusiveStartStreamName cannot be combined.")
        after = params.get("ExclusiveStartStreamName", "")
        if "NextToken" in params:
            after = _decode_list_streams_token(params["NextToken"])
        limit = params.get("Limit", LIST_STREAMS_DEFAULT)
        streams = [s for s in self.model.list_streams() if s.name > after]
        page = streams[:limit]
        more = len(streams) > limit
        result: dict[str, Any] = {
            "StreamNames": [s.name for s in page],
            "HasMoreStreams": more,
            "StreamSummaries": [
                {
                    "StreamName": s.name,
                    "StreamARN": s.arn,
                    "StreamStatus": str(s.status),
                    "StreamModeDetails": {"StreamMode": str(s.mode)},
                    "StreamCreationTimestamp": s.created,
                }
                for s in page
            ],
        }
        if more:
            result["NextToken"] = "after:" + page[-1].name
        return result

    def list_shards(self, params: dict[str, Any]) -> dict[str, Any]:
        now = self.model.clock.now()
        if "NextToken" in params:
            if "StreamName" in params or "StreamARN" in params:
                raise invalid_argument(
                    "NextToken and StreamName/StreamARN cannot be provided together."
                )
            if "ExclusiveStartShardId" in params or "ShardFilter" in params:
                raise invalid_argument(
                    "NextToken cannot be combined with ExclusiveStartShardId or ShardFilter."
                )
            token = ListShardsToken.decode(params["NextToken"], now)
            stream = self.model.get(token.stream_name)
            shards = [s for s in stream.shards if s.index > token.after_shard]
            limit = params.get("MaxResults", token.max_results)
        else:
            stream = self._stream(params)
            shards = self._filtered_shards(stream, params)
            limit = params.get("MaxResults", LIST_SHARDS_DEFAULT)
        limit = min(limit, LIST_SHARDS_DEFAULT)
        page = shards[:limit]
        result: dict[str, Any] = {"Shards": [_shard_wire(s) for s in page]}
        if len(shards) > limit:
            token = ListShardsToken(stream.name, page[-1].index, limit, now)
            result["NextToken"] = token.encode()
        return result

    def _filtered_shards(self, stream: Stream, params: dict[str, Any]) -> list[Shard]:
        """Every shard is open and parentless (no resharding), so filters only cut by id."""
        shards = list(stream.shards)
        start = params.get("ExclusiveStartShardId")
        shard_filter = params.get("ShardFilter")
        if shard_filter is not None:
            kind = shard_filter["Type"]
            if kind == "AFTER_SHARD_ID":
                if "ShardId" not in shard_filter:
                    raise invalid_argument("ShardId must be specified for AFTER_SHARD_ID filter.")
                start = shard_filter["ShardId"]
            elif kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP") and "Timestamp" not in shard_filter:
                raise invalid_argument(f"Timestamp must be specified for {kind} filter.")
        if start is not None:
            shards = [s for s in shards if s.shard_id > start]
        return shards

    # -- retention -----------------------------------------------------------------------

    def increase_stream_retention_period(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.set_retention(
            self._stream(params), params["RetentionPeriodHours"], increase=True
        )
        return {}

    def decrease_stream_retention_period(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.set_retention(
            self._stream(params), params["RetentionPeriodHours"], increase=False
        )
        return {}

    # -- encryption ----------------------------------------------------------------------

    def start_stream_encryption(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.start_encryption(self._stream(params), params["EncryptionType"], params["KeyId"])
        return {}

    def stop_stream_encryption(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.stop_encryption(self._stream(params), params["EncryptionType"], params["KeyId"])
        return {}

    # -- data ----------------------------------------------------------------------------

    def put_record(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self._stream(params)
        if params.get("DryRun"):
            self.model.dry_run_put(stream, [_entry(params)])
        (result,), kind = self.model.put_records(stream, [_entry(params)])
        return {
            "ShardId": result.shard_id,
            "SequenceNumber": result.sequence_number,
            "EncryptionType": str(kind),
        }

    def put_records(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self._stream(params)
        raw = params["Records"]
        if not raw:
            raise invalid_argument("Records must contain at least one record.")
        entries = [_entry(r) for r in raw]
        total = sum(e.size for e in entries)
        if total > MAX_PUT_RECORDS_BYTES:
            raise invalid_argument(
                f"Records size {total} bytes exceeds the PutRecords limit of "
                f"{MAX_PUT_RECORDS_BYTES} bytes per request."
            )
        if params.get("DryRun"):
            self.model.dry_run_put(stream, entries)
        results, kind = self.model.put_records(stream, entries)
        return {
            "FailedRecordCount": 0,
            "Records": [
                {"SequenceNumber": r.sequence_number, "ShardId": r.shard_id} for r in results
            ],
            "EncryptionType": str(kind),
        }

    def get_shard_iterator(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self._stream(params)
        arguments = (stream, params["ShardId"], params["ShardIteratorType"])
        where = {
            "sequence_number": params.get("StartingSequenceNumber"),
            "timestamp": params.get("Timestamp"),
        }
        if params.get("DryRun"):
            self.model.dry_run_shard_iterator(*arguments, **where)
        return {"ShardIterator": self.model.shard_iterator(*arguments, **where)}

    def get_records(self, params: dict[str, Any]) -> dict[str, Any]:
        arguments = (params["ShardIterator"], params.get("Limit", 10_000), params.get("StreamARN"))
        if params.get("DryRun"):
            self.model.dry_run_get_records(*arguments)
        result = self.model.get_records(*arguments)
        return {
            "Records": [_record_wire(record, data) for record, data in result.records],
            "NextShardIterator": result.next_iterator,
            "MillisBehindLatest": result.millis_behind,
        }


def _record_wire(record: StoredRecord, data: bytes) -> dict[str, Any]:
    wire = {
        "SequenceNumber": record.sequence_number,
        "ApproximateArrivalTimestamp": round(record.arrival, 3),
        "Data": data,
        "EncryptionType": str(record.encryption_type),
    }
    # Record.PartitionKey doc: for an AUTO stream it "is not returned if the producer did not
    # provide a partition key"; one the producer gave is returned, though unused for placement.
    if record.partition_key is not None:
        wire["PartitionKey"] = record.partition_key
    return wire


def _decode_list_streams_token(token: str) -> str:
    if not token.startswith("after:"):
        raise AwsError("InvalidArgumentException", "Invalid NextToken.")
    return token[len("after:") :]
