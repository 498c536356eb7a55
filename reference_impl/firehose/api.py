"""Firehose on the wire (AWS JSON 1.1, ``Firehose_20150804``): params in, model call, dict out.

Params arrive already validated against the input shapes of the vendored model snapshot
(reference_impl.aws_models, through json_protocol.py); this layer only maps them onto model calls
and the model's answers onto the output shapes.
"""

from __future__ import annotations

from typing import Any

from reference_impl.firehose.describe import describe
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.streams import CreateRequest

DEFAULT_LIST_LIMIT = 10  # BC-FH ListDeliveryStreamsInput.Limit: "The default value is 10."


class FirehoseApi:
    def __init__(self, model: FirehoseModel) -> None:
        self.model = model

    def create_delivery_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"DeliveryStreamARN": self.model.create(CreateRequest.from_params(params))}

    def describe_delivery_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.model.get(params["DeliveryStreamName"])
        return {
            "DeliveryStreamDescription": describe(stream, params.get("ExclusiveStartDestinationId"))
        }

    def list_delivery_streams(self, params: dict[str, Any]) -> dict[str, Any]:
        names, more = self.model.list_names(
            params.get("DeliveryStreamType"),
            params.get("ExclusiveStartDeliveryStreamName"),
            params.get("Limit", DEFAULT_LIST_LIMIT),
        )
        return {"DeliveryStreamNames": names, "HasMoreDeliveryStreams": more}

    def delete_delivery_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.delete(params["DeliveryStreamName"], params.get("AllowForceDelete", False))
        return {}

    def start_delivery_stream_encryption(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.start_encryption(
            params["DeliveryStreamName"], params.get("DeliveryStreamEncryptionConfigurationInput")
        )
        return {}  # SSE-01, API-07

    def stop_delivery_stream_encryption(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.stop_encryption(params["DeliveryStreamName"])
        return {}  # SSE-07, API-07

    def put_record(self, params: dict[str, Any]) -> dict[str, Any]:
        result = self.model.put_records(params["DeliveryStreamName"], [params["Record"]["Data"]])
        return {"RecordId": result.record_ids[0], "Encrypted": result.encrypted}

    def put_record_batch(self, params: dict[str, Any]) -> dict[str, Any]:
        result = self.model.put_records(
            params["DeliveryStreamName"], [record["Data"] for record in params["Records"]]
        )
        return {
            "FailedPutCount": 0,
            "Encrypted": result.encrypted,
            "RequestResponses": [{"RecordId": record_id} for record_id in result.record_ids],
        }

    def tag_delivery_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        tags = {tag["Key"]: tag.get("Value", "") for tag in params["Tags"]}
        self.model.tag(params["DeliveryStreamName"], tags)
        return {}

    def untag_delivery_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        self.model.untag(params["DeliveryStreamName"], params["TagKeys"])
        return {}

    def list_tags_for_delivery_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.model.get(params["DeliveryStreamName"])
        keys = sorted(stream.tags)
        start = params.get("ExclusiveStartTagKey")
        if start is not None:
            keys = [key for key in keys if key > start]
        limit = params.get("Limit", 50)
        page = keys[:limit]
        return {
            "Tags": [{"Key": key, "Value": stream.tags[key]} for key in page],
            "HasMoreTags": len(keys) > limit,
        }
