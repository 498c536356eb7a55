"""The served reference speaks HTTP as AWS does: content types, request ids, status codes, error
bodies; and it stays well-behaved at the HTTP layer (limits, malformed requests, one log line)."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError
from server_http import client, raw, request, status_of

from reference_impl.wire.server import DEFAULT_HOST, ReferenceServer, ServerOptions
from reference_impl.wire.wsgi import MAX_BODY_BYTES

FIREHOSE_TARGET = "Firehose_20150804"


def _json_post(server: ReferenceServer, target: str, body: bytes, **headers: str):
    sent = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1", **headers}
    return request(server.port, "POST", "/", body, sent)


def test_binds_loopback_unless_told_otherwise() -> None:
    assert DEFAULT_HOST == "127.0.0.1"
    assert ServerOptions().host == "127.0.0.1"


@pytest.mark.parametrize(
    ("service", "call", "content_type"),
    [
        ("firehose", lambda c: c.list_delivery_streams(), "application/x-amz-json-1.1"),
        ("kms", lambda c: c.list_keys(), "application/x-amz-json-1.1"),
        ("kinesis", lambda c: c.list_streams(), "application/x-amz-json-1.1"),
        ("cloudwatch", lambda c: c.list_metrics(), "application/x-amz-json-1.0"),
    ],
)
def test_json_answers_carry_content_type_and_request_id(
    fresh: ReferenceServer, service: str, call, content_type: str
) -> None:
    answer = call(client(fresh.url, service))
    meta = answer["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["HTTPHeaders"]["content-type"] == content_type
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]


def test_json_error_is_type_and_message_with_its_status(fresh: ReferenceServer) -> None:
    answer = _json_post(
        fresh, f"{FIREHOSE_TARGET}.DescribeDeliveryStream", b'{"DeliveryStreamName": "nope"}'
    )
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    assert answer.headers["x-amzn-requestid"]
    body = answer.json()
    assert body["__type"] == "ResourceNotFoundException"
    assert "nope" in body["message"]
    with pytest.raises(ClientError) as caught:
        client(fresh.url, "firehose").describe_delivery_stream(DeliveryStreamName="nope")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("method", "target", "code"),
    [
        ("POST", "Firehose_20150804.NoSuchOperation", "UnknownOperationException"),
        ("POST", "NoSuchService_2020.Anything", "UnknownOperationException"),
        ("GET", f"{FIREHOSE_TARGET}.ListDeliveryStreams", "UnknownOperationException"),
    ],
)
def test_unknown_targets_are_json_4xx(
    server: ReferenceServer, method: str, target: str, code: str
) -> None:
    answer = request(server.port, method, "/", b"{}", {"X-Amz-Target": target})
    assert answer.status == 400
    assert answer.json()["__type"] == code


def test_sigv4_is_accepted_without_verification(fresh: ReferenceServer) -> None:
    answer = _json_post(
        fresh,
        f"{FIREHOSE_TARGET}.ListDeliveryStreams",
        b"{}",
        Authorization="AWS4-HMAC-SHA256 "
        "Credential=NOBODY/20260101/us-east-1/firehose/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64,
    )
    assert answer.status == 200
    unsigned = _json_post(fresh, f"{FIREHOSE_TARGET}.ListDeliveryStreams", b"{}")
    assert unsigned.status == 200


def test_s3_errors_are_xml_documents(fresh: ReferenceServer) -> None:
    answer = request(fresh.port, "GET", "/no-such-bucket-here/key")
    assert answer.status == 404
    assert answer.headers["content-type"] == "application/xml"
    assert answer.headers["x-amz-request-id"]
    error = ET.fromstring(answer.body)
    assert error.tag == "Error"
    assert error.findtext("Code") == "NoSuchBucket"
    assert error.findtext("Message")
    assert error.findtext("RequestId") == answer.headers["x-amz-request-id"]


def test_s3_round_trip_over_http(fresh: ReferenceServer) -> None:
    s3 = client(fresh.url, "s3")
    s3.create_bucket(Bucket="http-bucket")
    s3.put_object(Bucket="http-bucket", Key="a/b.txt", Body=b"hello")
    assert s3.get_object(Bucket="http-bucket", Key="a/b.txt")["Body"].read() == b"hello"
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket="http-bucket", Key="missing")
    assert caught.value.response["Error"]["Code"] == "NoSuchKey"


def test_a_body_past_the_server_limit_is_413_and_the_connection_closes(
    server: ReferenceServer,
) -> None:
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {FIREHOSE_TARGET}.PutRecordBatch\r\n"
        f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n"
    ).encode()
    answer = raw(server.port, head + b"{" * 1000)
    assert status_of(answer) == 413
    headers, _, body = answer.partition(b"\r\n\r\n")
    assert b"connection: close" in headers.lower()
    assert json.loads(body)["__type"] == "RequestEntityTooLarge"


def test_a_body_cut_short_is_incomplete_not_taken_whole(server: ReferenceServer) -> None:
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {FIREHOSE_TARGET}.ListDeliveryStreams\r\n"
        "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n"
    ).encode()
    answer = raw(server.port, head + b"{}")
    assert status_of(answer) == 400
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["__type"] == "IncompleteBody"


def test_chunked_bodies_are_read_whole(fresh: ReferenceServer) -> None:
    parts = [b'{"Li', b'mit"', b": 5}"]  # one body in three chunks
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {FIREHOSE_TARGET}.ListDeliveryStreams\r\n"
        "Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = raw(fresh.port, head + chunked)
    assert status_of(answer) == 200
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["DeliveryStreamNames"] == []


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "RequestURITooLong"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 70000 + b"\r\n\r\n", 431, None),
        (
            b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n",
            431,
            "RequestHeaderFieldsTooLarge",
        ),
        (b"NONSENSE\r\n\r\n", 400, "BadRequest"),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 400, "BadRequest"),
        (b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400, "BadRequest"),
    ],
)
def test_malformed_http_is_an_aws_json_4xx(
    server: ReferenceServer, data: bytes, status: int, code: str | None
) -> None:
    answer = raw(server.port, data)
    assert status_of(answer) == status
    body = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert body["message"]
    if code:
        assert body["__type"] == code
    assert request(server.port, "GET", "/_reference/health").status == 200


def test_one_log_line_per_request(fresh: ReferenceServer, caplog: pytest.LogCaptureFixture) -> None:
    fh = client(fresh.url, "firehose")
    with caplog.at_level(logging.INFO, logger="reference_impl.access"):
        for _ in range(3):
            fh.list_delivery_streams()
        request(fresh.port, "GET", "/no-such-bucket-here")
    lines = [r.getMessage() for r in caplog.records if r.name == "reference_impl.access"]
    assert len(lines) == 4
    assert all("Firehose_20150804.ListDeliveryStreams 200" in line for line in lines[:3])
    assert "GET /no-such-bucket-here - 404" in lines[3]
