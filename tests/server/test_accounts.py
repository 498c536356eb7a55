"""One account per access key over HTTP, and the control plane's account rules.

Parallel suite workers each sign with their own 12-digit access key id and never share a stream,
a quota, a rate limit, a key or a bucket; the control plane acts on the account of the request's
credentials, or the one it is given.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from server_http import CLIENT_CONFIG, ROLE, control, request

from reference_impl.aws_models import PinnedSession
from reference_impl.clock import DEFAULT_START, ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions

A = "111111111111"
B = "222222222222"
DEFAULT = "123456789012"
_LOCK = threading.Lock()


def signed(url: str, service: str, access_key: str) -> Any:
    """A boto3 client signing with ``access_key`` (SigV4, as every SDK does)."""
    session = PinnedSession(
        aws_access_key_id=access_key, aws_secret_access_key="secret", region_name="us-east-1"
    )
    with _LOCK:
        return session.client(service, endpoint_url=url, config=CLIENT_CONFIG)


def signed_control(port: int, path: str, access_key: str, body: Any = None) -> Any:
    """A control-plane call carrying a SigV4-style credential scope."""
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/20261101/us-east-1/"
        "firehose/aws4_request, SignedHeaders=host, Signature=0",
    }
    method, data = ("GET", b"") if body is None else ("POST", json.dumps(body).encode())
    return request(port, method, f"/_reference/{path}", data, headers)


def create_stream(fh: Any, name: str, bucket: str = "none") -> str:
    return fh.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"},
    )["DeliveryStreamARN"]


def test_each_access_key_has_its_own_streams_keys_and_buckets(fresh: ReferenceServer) -> None:
    fa, fb = signed(fresh.url, "firehose", A), signed(fresh.url, "firehose", B)
    assert create_stream(fa, "same").split(":")[4] == A
    assert create_stream(fb, "same").split(":")[4] == B
    plain = signed(fresh.url, "firehose", "testing")
    assert plain.list_delivery_streams()["DeliveryStreamNames"] == []
    key = signed(fresh.url, "kms", A).create_key()["KeyMetadata"]
    assert key["AWSAccountId"] == A
    assert signed(fresh.url, "kms", B).list_keys()["Keys"] == []
    signed(fresh.url, "s3", A).create_bucket(Bucket="a-bucket")
    sb = signed(fresh.url, "s3", B)
    assert sb.list_buckets()["Buckets"] == []
    with pytest.raises(ClientError) as taken:
        sb.create_bucket(Bucket="a-bucket")
    assert taken.value.response["Error"]["Code"] == "BucketAlreadyExists"
    assert fresh.cloud.account_ids() == [DEFAULT, A, B]


def test_workers_in_their_own_accounts_never_share_a_rate_limit(fresh: ReferenceServer) -> None:
    """README's real-clock example failed with -n 2 because both workers used one limiter."""
    fa, fb = signed(fresh.url, "firehose", A), signed(fresh.url, "firehose", B)
    for _ in range(5):  # one virtual instant: the manual clock does not move
        fa.list_delivery_streams()
    with pytest.raises(ClientError) as throttled:
        fa.list_delivery_streams()
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
    for _ in range(5):
        fb.list_delivery_streams()


def test_health_reports_the_account_of_the_credentials(fresh: ReferenceServer) -> None:
    signed(fresh.url, "kms", A).create_key()
    assert control(fresh.port, "health").json()["account_id"] == DEFAULT
    health = signed_control(fresh.port, "health", A).json()
    assert health["account_id"] == A
    assert health["default_account_id"] == DEFAULT
    assert health["accounts"] == [DEFAULT, A]
    assert "12 digits" in health["account_rule"]
    named = request(fresh.port, "GET", f"/_reference/health?account_id={B}").json()
    assert named["account_id"] == B


def test_at_rest_shows_one_account_or_all(fresh: ReferenceServer) -> None:
    for key, name in ((A, "in-a"), (B, "in-b")):
        fh = signed(fresh.url, "firehose", key)
        create_stream(fh, name)
        control(fresh.port, "clock/advance", {"seconds": 10})
        fh.put_record(DeliveryStreamName=name, Record={"Data": b"payload"})
    arn_a = f"arn:aws:firehose:us-east-1:{A}:deliverystream/in-a"
    arn_b = f"arn:aws:firehose:us-east-1:{B}:deliverystream/in-b"
    assert list(signed_control(fresh.port, "at-rest", A).json()["resources"]) == [arn_a]
    by_query = request(fresh.port, "GET", f"/_reference/at-rest?account_id={B}").json()
    assert list(by_query["resources"]) == [arn_b]
    every = request(fresh.port, "GET", "/_reference/at-rest?account_id=all").json()["resources"]
    assert sorted(every) == [arn_a, arn_b]
    assert all(
        b"payload" not in base64.b64decode(blob) for blobs in every.values() for blob in blobs
    )
    assert control(fresh.port, "at-rest").json()["resources"] == {}  # the default account's


def test_delete_key_acts_in_the_account_of_the_arn_or_the_credentials(
    fresh: ReferenceServer,
) -> None:
    ka = signed(fresh.url, "kms", A)
    first = ka.create_key()["KeyMetadata"]
    second = ka.create_key()["KeyMetadata"]
    by_arn = control(fresh.port, "kms/delete-key", {"KeyId": first["Arn"]})
    assert (by_arn.status, by_arn.json()["account_id"]) == (200, A)
    unsigned = control(fresh.port, "kms/delete-key", {"KeyId": second["KeyId"]})
    assert (unsigned.status, unsigned.json()["__type"]) == (400, "NotFoundException")
    by_key = signed_control(fresh.port, "kms/delete-key", A, {"KeyId": second["KeyId"]})
    assert by_key.status == 200
    assert ka.list_keys()["Keys"] == []


def test_reset_forgets_one_account_when_named_else_all(fresh: ReferenceServer) -> None:
    fa, fb = signed(fresh.url, "firehose", A), signed(fresh.url, "firehose", B)
    create_stream(fa, "a")
    create_stream(fb, "b")
    control(fresh.port, "clock/advance", {"seconds": 30})
    one = control(fresh.port, "reset", {"account_id": A})
    assert one.status == 200
    assert one.json()["now"] == DEFAULT_START.timestamp() + 30  # the clock goes on
    assert fa.list_delivery_streams()["DeliveryStreamNames"] == []
    assert fb.list_delivery_streams()["DeliveryStreamNames"] == ["b"]
    # Signed by A, without naming an account: still everything (what the harness relies on).
    every = signed_control(fresh.port, "reset", A, {})
    assert every.json()["now"] == DEFAULT_START.timestamp()
    assert fresh.cloud.account_ids() == [DEFAULT]
    assert fb.list_delivery_streams()["DeliveryStreamNames"] == []


@pytest.mark.parametrize("value", ["12345", 111111111111, "default", ""])
def test_a_bad_account_id_is_refused(fresh: ReferenceServer, value: Any) -> None:
    answer = control(fresh.port, "reset", {"account_id": value})
    assert (answer.status, answer.json()["__type"]) == (400, "ValidationException")


def test_a_real_clock_server_gives_each_account_its_own_quota() -> None:
    """The 5,000-stream quota (API-11) is per account, as in AWS: a worker filling its own
    account leaves another's untouched (settings make the quota 3 here)."""
    from reference_impl.firehose.settings import FirehoseSettings

    with ReferenceServer(ServerOptions(port=0, clock=ClockMode.REAL)) as server:
        server.cloud.settings = FirehoseSettings(streams_per_region=3)
        server.cloud.reset()
        fa, fb = signed(server.url, "firehose", A), signed(server.url, "firehose", B)
        for index in range(3):
            create_stream(fa, f"a{index}")
        with pytest.raises(ClientError) as limited:
            create_stream(fa, "a3")
        assert limited.value.response["Error"]["Code"] == "LimitExceededException"
        for index in range(3):
            create_stream(fb, f"b{index}")
