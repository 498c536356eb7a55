"""The control plane under /_reference/: health, clock, bytes at rest, key deletion, reset."""

from __future__ import annotations

import base64
import time

import pytest
from botocore.exceptions import ClientError
from server_http import client, control, request, s3_destination

from reference_impl.clock import DEFAULT_START, ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions

BUCKET = "control-bucket"


def _stream(url: str, name: str = "ctl") -> None:
    client(url, "s3").create_bucket(Bucket=BUCKET)
    client(url, "firehose").create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=s3_destination(BUCKET, seconds=300),
    )


def _status(url: str, name: str = "ctl") -> str:
    described = client(url, "firehose").describe_delivery_stream(DeliveryStreamName=name)
    return described["DeliveryStreamDescription"]["DeliveryStreamStatus"]


def test_health_lists_every_capability_on_a_manual_clock(fresh: ReferenceServer) -> None:
    answer = control(fresh.port, "health")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    health = answer.json()
    assert health["status"] == "ok"
    assert health["clock"] == "manual"
    assert health["capabilities"] == ["needs-clock", "needs-at-rest", "needs-key-deletion"]
    assert health["now"] == DEFAULT_START.timestamp()
    assert health["transition_seconds"] == 10.0


def test_advance_moves_time_and_runs_what_falls_due(fresh: ReferenceServer) -> None:
    _stream(fresh.url)
    assert _status(fresh.url) == "CREATING"
    answer = control(fresh.port, "clock/advance", {"seconds": 30})
    assert answer.status == 200
    assert answer.json()["now"] == DEFAULT_START.timestamp() + 30
    assert control(fresh.port, "clock").json()["iso"] == "2026-11-01T00:00:30+00:00"
    assert _status(fresh.url) == "ACTIVE"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"seconds": -1}, 400, "ValidationException"),
        ({"seconds": "ten"}, 400, "ValidationException"),
        ({"seconds": True}, 400, "ValidationException"),
        ({"seconds": 10**12}, 400, "ValidationException"),
        ({}, 400, "ValidationException"),
        ([1, 2], 400, "ValidationException"),
    ],
)
def test_bad_advances_are_refused(
    fresh: ReferenceServer, body: object, status: int, code: str
) -> None:
    answer = control(fresh.port, "clock/advance", body)
    assert answer.status == status
    assert answer.json()["__type"] == code
    assert control(fresh.port, "clock").json()["now"] == DEFAULT_START.timestamp()


def test_bad_json_and_unknown_endpoints(server: ReferenceServer) -> None:
    bad = request(server.port, "POST", "/_reference/clock/advance", b"{nope")
    assert (bad.status, bad.json()["__type"]) == (400, "SerializationException")
    missing = request(server.port, "GET", "/_reference/nothing-here")
    assert (missing.status, missing.json()["__type"]) == (404, "NotFound")
    wrong = request(server.port, "DELETE", "/_reference/reset")
    assert (wrong.status, wrong.json()["__type"]) == (405, "MethodNotAllowed")
    head = request(server.port, "HEAD", "/_reference/health")
    assert head.status == 200 and head.body == b""


def test_at_rest_shows_only_ciphertext(fresh: ReferenceServer) -> None:
    _stream(fresh.url)
    control(fresh.port, "clock/advance", {"seconds": 30})
    secret = b"plaintext-that-must-never-rest-" * 4
    client(fresh.url, "firehose").put_record(DeliveryStreamName="ctl", Record={"Data": secret})
    resources = control(fresh.port, "at-rest").json()["resources"]
    blobs = [base64.b64decode(b) for blobs in resources.values() for b in blobs]
    assert blobs, "the record is held at rest until its buffer flushes"
    assert all(secret not in blob and b"plaintext-that" not in blob for blob in blobs)
    assert resources == {
        arn: [base64.b64encode(b).decode() for b in held]
        for arn, held in fresh.cloud.at_rest().items()
    }


def test_delete_key_makes_it_vanish_at_once(fresh: ReferenceServer) -> None:
    kms = client(fresh.url, "kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    answer = control(fresh.port, "kms/delete-key", {"KeyId": key_id})
    assert answer.status == 200
    with pytest.raises(ClientError) as caught:
        kms.describe_key(KeyId=key_id)
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    again = control(fresh.port, "kms/delete-key", {"KeyId": key_id})
    assert again.status == 400 and again.json()["__type"] == "NotFoundException"
    empty = control(fresh.port, "kms/delete-key", {"KeyId": ""})
    assert empty.status == 400


def test_reset_forgets_everything(fresh: ReferenceServer) -> None:
    _stream(fresh.url)
    control(fresh.port, "clock/advance", {"seconds": 3600})
    answer = control(fresh.port, "reset", {})
    assert answer.status == 200
    assert answer.json()["now"] == DEFAULT_START.timestamp()
    assert client(fresh.url, "firehose").list_delivery_streams()["DeliveryStreamNames"] == []


def test_real_clock_server_lets_time_flow() -> None:
    options = ServerOptions(port=0, clock=ClockMode.REAL, transition_seconds=0.3)
    with ReferenceServer(options) as server:
        health = control(server.port, "health").json()
        assert health["clock"] == "real"
        assert health["capabilities"] == ["needs-at-rest", "needs-key-deletion"]
        assert abs(health["now"] - time.time()) < 5
        refused = control(server.port, "clock/advance", {"seconds": 5})
        assert (refused.status, refused.json()["__type"]) == (409, "ClockNotControllable")
        _stream(server.url)
        statuses = [_status(server.url)]
        for _ in range(40):  # 10 s at most, four Describes a second (API-08 allows five)
            if statuses[-1] == "ACTIVE":
                break
            time.sleep(0.25)
            statuses.append(_status(server.url))
        assert statuses[0] == "CREATING"
        assert statuses[-1] == "ACTIVE", statuses
