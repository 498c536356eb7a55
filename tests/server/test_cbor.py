"""CloudWatch over smithy-rpc-v2-cbor, as the current Go, Java, .NET, C++, Kotlin and Swift SDKs
send it. The client is botocore's own RPC v2 CBOR support, forced on (boto3 picks AWS JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest
from botocore.exceptions import ClientError
from server_http import cbor_cloudwatch, client, request

from reference_impl.wire.server import ReferenceServer

SERVICE = "GraniteServiceVersion20100801"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def cw(fresh: ReferenceServer, tmp_path: Path) -> Any:
    return cbor_cloudwatch(fresh.url, tmp_path)


def _post(server: ReferenceServer, operation: str, body: bytes, **headers: str):
    sent = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", **headers}
    return request(server.port, "POST", f"/service/{SERVICE}/operation/{operation}", body, sent)


def test_put_list_and_statistics_round_trip(cw: Any, fresh: ReferenceServer) -> None:
    put = cw.put_metric_data(
        Namespace="App/Orders",
        MetricData=[
            {
                "MetricName": "Latency",
                "Dimensions": [{"Name": "Stage", "Value": "prod"}],
                "Timestamp": NOW + timedelta(seconds=30),
                "Value": 12.5,
                "Unit": "Milliseconds",
            }
        ],
    )
    headers = put["ResponseMetadata"]["HTTPHeaders"]
    assert headers["smithy-protocol"] == "rpc-v2-cbor"
    assert headers["x-amzn-requestid"]
    assert "content-type" not in headers  # PutMetricData has no output: an empty body
    listed = cw.list_metrics(Namespace="App/Orders")
    meta = listed["ResponseMetadata"]
    assert meta["HTTPHeaders"]["content-type"] == "application/cbor"
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    assert listed["Metrics"] == [
        {
            "Namespace": "App/Orders",
            "MetricName": "Latency",
            "Dimensions": [{"Name": "Stage", "Value": "prod"}],
        }
    ]
    stats = cw.get_metric_statistics(
        Namespace="App/Orders",
        MetricName="Latency",
        Dimensions=[{"Name": "Stage", "Value": "prod"}],
        StartTime=NOW - timedelta(hours=1),
        EndTime=NOW + timedelta(hours=1),
        Period=60,
        Statistics=["Sum", "SampleCount"],
    )
    (point,) = stats["Datapoints"]
    assert point["Timestamp"] == NOW
    assert point["Sum"] == 12.5 and point["SampleCount"] == 1.0
    # The same state through AWS JSON: one model behind both protocols.
    assert client(fresh.url, "cloudwatch").list_metrics(Namespace="App/Orders")["Metrics"]


def test_service_errors_carry_type_and_the_query_error_code(cw: Any) -> None:
    with pytest.raises(ClientError) as caught:
        cw.put_metric_data(Namespace="AWS/Firehose", MetricData=[{"MetricName": "m", "Value": 1}])
    response = caught.value.response
    assert response["Error"]["Code"] == "InvalidParameterValue"
    assert response["Error"]["Type"] == "Sender"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["HTTPHeaders"]["smithy-protocol"] == "rpc-v2-cbor"


def test_validation_is_the_same_as_in_aws_json(cw: Any) -> None:
    with pytest.raises(ClientError) as caught:
        cw.list_metrics(Namespace="x" * 300)
    assert caught.value.response["Error"]["Code"] in ("ValidationError", "ValidationException")


def test_raw_error_document_is_cbor(fresh: ReferenceServer) -> None:
    answer = _post(fresh, "PutMetricData", cbor2.dumps({"Namespace": "AWS/X", "MetricData": []}))
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/cbor"
    assert answer.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert answer.headers["x-amzn-query-error"].endswith(";Sender")
    error = cbor2.loads(answer.body)
    assert set(error) == {"__type", "message"}


def test_empty_body_is_an_empty_input(fresh: ReferenceServer) -> None:
    answer = _post(fresh, "ListMetrics", b"")
    assert answer.status == 200
    assert cbor2.loads(answer.body) == {"Metrics": []}


@pytest.mark.parametrize(
    ("operation", "body", "headers", "status", "code"),
    [
        ("ListMetrics", b"\xff\x00garbage", {}, 400, "SerializationException"),
        ("ListMetrics", cbor2.dumps({"Namespace": b"bytes"}), {}, 400, "SerializationException"),
        ("ListMetrics", cbor2.dumps([1, 2, 3]), {}, 400, "SerializationException"),
        ("ListMetrics", cbor2.dumps({}), {"Content-Type": "application/json"}, 415, None),
        ("NoSuchOperation", cbor2.dumps({}), {}, 404, "UnknownOperationException"),
        ("ListMetrics", cbor2.dumps({}), {"smithy-protocol": "rpc-v3"}, 400, None),
        (
            "GetMetricStatistics",
            cbor2.dumps(
                {
                    "Namespace": "N",
                    "MetricName": "M",
                    "StartTime": "yesterday",
                    "EndTime": cbor2.CBORTag(1, 0),
                    "Period": 60,
                }
            ),
            {},
            400,
            "SerializationException",
        ),
    ],
)
def test_malformed_cbor_requests_are_cbor_4xx(
    server: ReferenceServer,
    operation: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str | None,
) -> None:
    answer = _post(server, operation, body, **headers)
    assert answer.status == status
    error = cbor2.loads(answer.body)
    assert error["message"]
    if code:
        assert error["__type"] == code


def test_a_number_past_a_double_is_a_serialization_error(fresh: ReferenceServer) -> None:
    """A bignum (tag 2) where a double belongs: 400, as AWS JSON answers 10**400."""
    document = {"Namespace": "N", "MetricData": [{"MetricName": "m", "Value": 10**400}]}
    answer = _post(fresh, "PutMetricData", cbor2.dumps(document))
    assert answer.status == 400
    assert cbor2.loads(answer.body)["__type"] == "SerializationException"
    json_answer = request(
        fresh.port,
        "POST",
        "/",
        json.dumps(document).encode(),
        {"X-Amz-Target": f"{SERVICE}.PutMetricData", "Content-Type": "application/x-amz-json-1.0"},
    )
    assert json_answer.status == 400
    assert json_answer.json()["__type"] == "SerializationException"


def test_unknown_service_and_wrong_method(server: ReferenceServer) -> None:
    unknown = request(
        server.port,
        "POST",
        "/service/NoSuchService/operation/Anything",
        cbor2.dumps({}),
        {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"},
    )
    assert unknown.status == 404
    assert cbor2.loads(unknown.body)["__type"] == "UnknownOperationException"
    get = request(
        server.port,
        "GET",
        f"/service/{SERVICE}/operation/ListMetrics",
        headers={"smithy-protocol": "rpc-v2-cbor"},
    )
    assert get.status == 405


def test_without_the_protocol_header_the_path_is_s3(server: ReferenceServer) -> None:
    answer = request(server.port, "GET", f"/service/{SERVICE}/operation/ListMetrics")
    assert answer.status == 404
    assert answer.headers["content-type"] == "application/xml"
    assert b"<Code>NoSuchBucket</Code>" in answer.body
