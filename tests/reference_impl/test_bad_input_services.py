"""Bad input that needs a service's own rules: Firehose records, batches and KMS key ARNs through
real boto3 clients (client-side validation off), and S3's REST-XML errors.

Firehose (AMB-21): a record over 1,000 KiB, a batch over 500 records and a KeyARN that breaks the
snapshot's ``AWSKMSKeyARNForSSE`` pattern (key ARNs only: an alias ARN breaks it) or length are
shape violations, so ``ValidationException``; a batch over
4 MiB in total is a service rule, so the modelled ``InvalidArgumentException``; Data that is not
base64 is not valid AWS JSON, so ``SerializationException``. S3 answers in XML: an ``<Error>``
document with ``Code``, ``Message`` and ``RequestId``, and an ``x-amz-request-id`` header.
"""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from reference_impl.cloud import ReferenceCloud
from reference_impl.wire.http import Request, Response

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/firehose-delivery"
BUCKET = "bad-input-destination"
STREAM = "bad-input"
NO_CLIENT_CHECKS = Config(parameter_validation=False, retries={"total_max_attempts": 1})
MAX_RECORD = 1_024_000  # BC-FH Data: max 1,024,000 bytes
MAX_BATCH_BYTES = 4 * 1024 * 1024  # BC-FH PutRecordBatch: "4 MB for the entire request"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def cloud() -> ReferenceCloud:
    return ReferenceCloud()


@pytest.fixture
def firehose(cloud):
    return cloud.client("firehose", config=NO_CLIENT_CHECKS)


@pytest.fixture
def stream(cloud, firehose) -> str:
    """An ACTIVE DirectPut stream delivering to S3."""
    cloud.client("s3").create_bucket(Bucket=BUCKET)
    firehose.create_delivery_stream(
        DeliveryStreamName=STREAM,
        S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{BUCKET}"},
    )
    cloud.advance(60)
    return STREAM


def client_error(call: Any, code: str, **params: Any) -> dict[str, Any]:
    """Call; expect an HTTP 400 ClientError with ``code`` and a request id; return its Error."""
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    assert response["Error"]["Code"] == code, response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"]
    assert "Traceback" not in response["Error"].get("Message", "")
    return response["Error"]


def raw_json(cloud: ReferenceCloud, operation: str, body: bytes) -> dict[str, Any]:
    headers = {
        "x-amz-target": f"Firehose_20150804.{operation}",
        "content-type": "application/x-amz-json-1.1",
    }
    response = cloud.app.handle(Request("POST", "/", "", headers, body))
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    assert response.headers.get("x-amzn-RequestId")
    return json.loads(response.body)


# -- Firehose records and batches ------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    ["!!not base64!!", "YQ=x", "\u2603", 12345, ["YQ=="], {"b64": "YQ=="}],
    ids=["punctuation", "padding-inside", "non-ascii", "number", "list", "object"],
)
@pytest.mark.parametrize("operation", ["PutRecord", "PutRecordBatch"])
def test_record_data_that_is_not_base64_is_a_serialization_error(cloud, operation, data):
    record = {"Data": data}
    body = {"DeliveryStreamName": STREAM}
    if operation == "PutRecord":
        body["Record"] = record
    else:
        body["Records"] = [record]
    document = raw_json(cloud, operation, json.dumps(body).encode())
    assert document["__type"] == "SerializationException", document


def test_record_without_data_is_a_validation_error(cloud):
    body = json.dumps({"DeliveryStreamName": STREAM, "Record": {}}).encode()
    document = raw_json(cloud, "PutRecord", body)
    assert document["__type"] == "ValidationException"
    assert "Value null at 'record.data' failed to satisfy constraint" in document["message"]


def test_record_of_1_024_001_bytes_is_a_validation_error(firehose):
    error = client_error(
        firehose.put_record,
        "ValidationException",
        DeliveryStreamName=STREAM,
        Record={"Data": b"x" * (MAX_RECORD + 1)},
    )
    assert "'record.data'" in error["Message"]
    assert "length less than or equal to 1024000" in error["Message"]


def test_batch_record_of_1_024_001_bytes_is_a_validation_error(firehose):
    error = client_error(
        firehose.put_record_batch,
        "ValidationException",
        DeliveryStreamName=STREAM,
        Records=[{"Data": b"ok"}, {"Data": b"x" * (MAX_RECORD + 1)}],
    )
    assert "'records.2.member.data'" in error["Message"]


def test_record_of_exactly_1_024_000_bytes_is_accepted(firehose, stream):
    firehose.put_record(DeliveryStreamName=stream, Record={"Data": b"x" * MAX_RECORD})


def test_batch_of_501_records_is_a_validation_error(firehose):
    error = client_error(
        firehose.put_record_batch,
        "ValidationException",
        DeliveryStreamName=STREAM,
        Records=[{"Data": b"r"}] * 501,
    )
    assert "'records'" in error["Message"]
    assert "length less than or equal to 500" in error["Message"]


def test_empty_batch_is_a_validation_error(firehose):
    client_error(
        firehose.put_record_batch, "ValidationException", DeliveryStreamName=STREAM, Records=[]
    )


def test_batch_of_500_records_is_accepted(firehose, stream):
    answer = firehose.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": b"r"}] * 500)
    assert answer["FailedPutCount"] == 0 and len(answer["RequestResponses"]) == 500


def _batch(total: int) -> list[dict[str, bytes]]:
    """Records of at most 1,024,000 bytes adding up to ``total`` bytes."""
    sizes = [MAX_RECORD] * (total // MAX_RECORD)
    if total % MAX_RECORD:
        sizes.append(total % MAX_RECORD)
    return [{"Data": b"x" * size} for size in sizes]


def test_batch_over_4_mib_is_an_invalid_argument(firehose, stream):
    error = client_error(
        firehose.put_record_batch,
        "InvalidArgumentException",
        DeliveryStreamName=stream,
        Records=_batch(MAX_BATCH_BYTES + 1),
    )
    assert str(MAX_BATCH_BYTES) in error["Message"] or "4 MiB" in error["Message"]


def test_batch_of_exactly_4_mib_is_accepted(firehose, stream):
    answer = firehose.put_record_batch(DeliveryStreamName=stream, Records=_batch(MAX_BATCH_BYTES))
    assert answer["FailedPutCount"] == 0


def test_put_to_a_missing_stream_is_not_found(firehose):
    client_error(
        firehose.put_record,
        "ResourceNotFoundException",
        DeliveryStreamName="no-such-stream",
        Record={"Data": b"r"},
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"DeliveryStreamName": 12345, "Record": {"Data": b"r"}}, "SerializationException"),
        ({"DeliveryStreamName": ["a"], "Record": {"Data": b"r"}}, "SerializationException"),
        ({"DeliveryStreamName": STREAM}, "ValidationException"),
        ({"Record": {"Data": b"r"}}, "ValidationException"),
    ],
    ids=["name-number", "name-list", "no-record", "no-name"],
)
def test_put_record_wrong_types_and_missing_members_through_boto3(firehose, params, code):
    client_error(firehose.put_record, code, **params)


# -- Firehose names (API-05) and KMS key ARNs (KEY-03, KEY-06) --------------------------------

BAD_NAMES = ["bad name!", "x" * 65, "slash/name", "\u2603"]
NAME_IDS = ["space-and-bang", "65-characters", "slash", "non-ascii"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=NAME_IDS)
@pytest.mark.parametrize(
    "operation",
    [
        "start_delivery_stream_encryption",
        "stop_delivery_stream_encryption",
        "describe_delivery_stream",
        "delete_delivery_stream",
        "create_delivery_stream",
    ],
)
def test_bad_stream_name_is_a_validation_error(firehose, operation, name):
    error = client_error(
        getattr(firehose, operation), "ValidationException", DeliveryStreamName=name
    )
    assert "'deliveryStreamName'" in error["Message"]


KEY_PREFIX = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"
BAD_KEY_ARNS = {
    "bare-key-id": "1234abcd-12ab-34cd-56ef-1234567890ab",
    "alias-name": "alias/my-key",
    "alias-arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/my-key",
    "513-characters": KEY_PREFIX + "a" * (513 - len(KEY_PREFIX)),  # fits the pattern
    "s3-arn": f"arn:aws:s3:::{BUCKET}",
    "iam-role-arn": ROLE,
    "short-account": "arn:aws:kms:us-east-1:12345:key/abc",
    "empty": "",
    "space-in-key-id": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/bad key",
}


def test_the_513_character_arn_is_513_characters():
    assert len(BAD_KEY_ARNS["513-characters"]) == 513


@pytest.mark.parametrize("arn", BAD_KEY_ARNS.values(), ids=BAD_KEY_ARNS.keys())
def test_bad_kms_key_arn_in_start_is_a_validation_error(firehose, arn):
    error = client_error(
        firehose.start_delivery_stream_encryption,
        "ValidationException",
        DeliveryStreamName=STREAM,
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": arn,
        },
    )
    assert "'deliveryStreamEncryptionConfigurationInput.keyARN'" in error["Message"]


@pytest.mark.parametrize("arn", BAD_KEY_ARNS.values(), ids=BAD_KEY_ARNS.keys())
def test_bad_kms_key_arn_in_create_is_a_validation_error(firehose, arn):
    error = client_error(
        firehose.create_delivery_stream,
        "ValidationException",
        DeliveryStreamName=STREAM,
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": arn,
        },
        S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{BUCKET}"},
    )
    assert "'deliveryStreamEncryptionConfigurationInput.keyARN'" in error["Message"]


@pytest.mark.parametrize(
    "config",
    [
        {"KeyType": "BOGUS"},
        {"KeyType": "customer_managed_cmk", "KeyARN": KEY_ARN},
        {"KeyType": 1},
        {"KeyARN": KEY_ARN},
    ],
    ids=["bogus-key-type", "lower-case-key-type", "numeric-key-type", "no-key-type"],
)
def test_bad_encryption_configuration_in_start(firehose, config):
    numeric = not isinstance(config.get("KeyType", ""), str)
    code = "SerializationException" if numeric else "ValidationException"
    client_error(
        firehose.start_delivery_stream_encryption,
        code,
        DeliveryStreamName=STREAM,
        DeliveryStreamEncryptionConfigurationInput=config,
    )


def test_customer_managed_cmk_without_a_key_arn_is_an_invalid_argument(firehose, stream):
    """KEY-04: the shape cannot say it, so the service does (AMB-19: InvalidArgumentException)."""
    client_error(
        firehose.start_delivery_stream_encryption,
        "InvalidArgumentException",
        DeliveryStreamName=stream,
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK"},
    )


@pytest.mark.parametrize(
    "arn",
    [KEY_ARN, f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x:kms:us-east-1:{ACCOUNT}:key/y"],
    ids=["missing-key", "alias-arn-that-fits-the-pattern"],
)
def test_well_formed_arn_of_a_missing_key_is_never_a_fault(firehose, stream, arn):
    """Shape-valid, but names nothing: a synchronous 4xx or an asynchronous failure, not a 5xx."""
    try:
        firehose.start_delivery_stream_encryption(
            DeliveryStreamName=stream,
            DeliveryStreamEncryptionConfigurationInput={
                "KeyType": "CUSTOMER_MANAGED_CMK",
                "KeyARN": arn,
            },
        )
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, error.response


def test_an_arn_that_fits_the_pattern_but_names_an_alias_is_refused(firehose, stream):
    """``arn:.*:kms:`` lets ``...:alias/x:kms:...:key/y`` through the shape; KMS would read it as an
    alias ARN, so Firehose refuses it rather than ever echo an alias as KeyARN."""
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x:kms:us-east-1:{ACCOUNT}:key/y"
    error = client_error(
        firehose.start_delivery_stream_encryption,
        "ValidationException",
        DeliveryStreamName=stream,
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK",
            "KeyARN": arn,
        },
    )
    assert "alias" in error["Message"]
    enc = firehose.describe_delivery_stream(DeliveryStreamName=stream)["DeliveryStreamDescription"]
    assert "KeyARN" not in enc.get("DeliveryStreamEncryptionConfiguration", {})


# -- S3: REST-XML errors ---------------------------------------------------------------------


def s3_request(
    cloud: ReferenceCloud,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Response:
    return cloud.app.handle(Request(method, path, query, headers or {}, body))


def assert_s3_error(response: Response, status: int, code: str) -> ET.Element:
    """S3's error shape: the status, an XML <Error> with Code/Message/RequestId, a request id."""
    assert response.status == status, (response.status, response.body[:300])
    assert b"Traceback" not in response.body
    assert response.headers.get("x-amz-request-id")
    assert "xml" in response.headers.get("Content-Type", "")
    root = ET.fromstring(response.body)
    assert root.tag == "Error"
    assert root.findtext("Code") == code, response.body
    assert root.findtext("Message")
    assert root.findtext("RequestId") == response.headers["x-amz-request-id"]
    return root


@pytest.fixture
def bucket(cloud) -> str:
    assert s3_request(cloud, "PUT", f"/{BUCKET}").status == 200
    assert s3_request(cloud, "PUT", f"/{BUCKET}/present", body=b"x").status == 200
    return BUCKET


@pytest.mark.parametrize(
    "name",
    ["ab", "a" * 64, "UpperCase", "under_score", "-leading-dash", "trailing-dash-", "two..dots",
     "192.168.1.1", "xn--reserved", "name-s3alias", "a%00b", "%E2%98%83-bucket"],
)  # fmt: skip
def test_bad_bucket_name_is_invalid_bucket_name(cloud, name):
    root = assert_s3_error(s3_request(cloud, "PUT", f"/{name}"), 400, "InvalidBucketName")
    assert root.findtext("BucketName")


def test_get_of_a_missing_key_is_no_such_key(cloud, bucket):
    root = assert_s3_error(s3_request(cloud, "GET", f"/{bucket}/absent"), 404, "NoSuchKey")
    assert root.findtext("Key") == "absent"


def test_get_of_a_missing_key_through_boto3(cloud, bucket):
    with pytest.raises(ClientError) as excinfo:
        cloud.client("s3").get_object(Bucket=bucket, Key="absent")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchKey"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_head_of_a_missing_key_is_a_bodiless_404(cloud, bucket):
    response = s3_request(cloud, "HEAD", f"/{bucket}/absent")
    assert response.status == 404 and response.body == b""
    assert response.headers.get("x-amz-request-id")


@pytest.mark.parametrize("path", ["/no-such-bucket", "/no-such-bucket/key"])
def test_missing_bucket_is_no_such_bucket(cloud, path):
    root = assert_s3_error(s3_request(cloud, "GET", path), 404, "NoSuchBucket")
    assert root.findtext("BucketName") == "no-such-bucket"


@pytest.mark.parametrize("query", ["bogus-subresource", "bogus=1", "x-id=Whatever&&&=="])
@pytest.mark.parametrize("path", ["/{bucket}", "/{bucket}/present"], ids=["bucket", "object"])
def test_unknown_subresource_is_ignored_not_a_fault(cloud, bucket, path, query):
    response = s3_request(cloud, "GET", path.format(bucket=bucket), query)
    assert response.status == 200, response.body[:300]


@pytest.mark.parametrize("query", ["acl", "tagging", "versioning", "uploads"])
def test_unimplemented_subresource_is_not_implemented(cloud, bucket, query):
    """S3's code for functionality it does not implement, NotImplemented, in XML, as a 400."""
    assert_s3_error(s3_request(cloud, "GET", f"/{bucket}", query), 400, "NotImplemented")


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("PUT", "/{bucket}/present", "annotation"),
        ("GET", "/{bucket}/present", "annotation"),
        ("DELETE", "/{bucket}/present", "annotation"),
        ("PUT", "/{bucket}", "metadataAnnotationTable"),
        ("PUT", "/{bucket}/present", "renameObject"),
        ("PUT", "/{bucket}", "abac"),
    ],
)
def test_subresources_of_newer_operations_are_not_implemented(cloud, bucket, method, path, query):
    """Operations the snapshot's model has and the reference does not (PutObjectAnnotation, ...)
    are refused, never taken for PutObject/GetObject/DeleteObject on the same path."""
    response = s3_request(cloud, method, path.format(bucket=bucket), query)
    assert_s3_error(response, 400, "NotImplemented")
    assert s3_request(cloud, "GET", f"/{bucket}/present").body == b"x"  # unchanged


@pytest.mark.parametrize("method", ["PATCH", "POST", "OPTIONS"])
def test_unsupported_method_on_an_object_is_method_not_allowed(cloud, bucket, method):
    root = assert_s3_error(s3_request(cloud, method, f"/{bucket}/present"), 405, "MethodNotAllowed")
    assert root.findtext("Method") == method


@pytest.mark.parametrize(
    "body",
    [
        b"<not xml",
        b"\xff\xfe garbage",
        b"<WrongRoot/>",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><CreateBucketConfiguration/>",
    ],
    ids=["unclosed", "binary", "wrong-root", "doctype"],
)
def test_malformed_create_bucket_configuration(cloud, body):
    assert_s3_error(s3_request(cloud, "PUT", "/fresh-bucket", body=body), 400, "MalformedXML")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"garbage",
        b"<Delete></Delete>",
        b"<Delete><Object><Key></Key></Object></Delete>",
        b"<Delete>" + b"<Object><Key>k</Key></Object>" * 1001 + b"</Delete>",
        b"<Delete>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</Delete>",
    ],
    ids=["empty", "garbage", "no-objects", "empty-key", "1001-keys", "deeply-nested"],
)
def test_malformed_delete_objects(cloud, bucket, body):
    response = s3_request(cloud, "POST", f"/{bucket}", "delete", body)
    assert_s3_error(response, 400, "MalformedXML")


@pytest.mark.parametrize(
    "query",
    [
        "max-keys=abc",
        "max-keys=-1",
        "max-keys=99999999999999999999",
        "list-type=3",
        "list-type=2&continuation-token=%25%25%25",
        "list-type=2&continuation-token=" + "A" * 10_000,
        "encoding-type=bogus",
    ],
    ids=[
        "max-keys-text",
        "max-keys-negative",
        "max-keys-huge",
        "list-type-3",
        "token-garbage",
        "token-huge",
        "encoding-type",
    ],
)
def test_bad_list_arguments_are_invalid_argument(cloud, bucket, query):
    assert_s3_error(s3_request(cloud, "GET", f"/{bucket}", query), 400, "InvalidArgument")


def test_key_over_1024_bytes_is_key_too_long(cloud, bucket):
    response = s3_request(cloud, "PUT", f"/{bucket}/{'k' * 1025}", body=b"x")
    assert_s3_error(response, 400, "KeyTooLongError")


def test_content_md5_that_does_not_match_is_bad_digest(cloud, bucket):
    wrong = base64.b64encode(b"\x00" * 16).decode()
    response = s3_request(cloud, "PUT", f"/{bucket}/k", body=b"x", headers={"content-md5": wrong})
    assert_s3_error(response, 400, "BadDigest")


@pytest.mark.parametrize("value", ["garbage!", "YQ=="], ids=["not-base64", "1-byte"])
def test_content_md5_that_is_not_an_md5_is_invalid_digest(cloud, bucket, value):
    """S3: InvalidDigest when Content-MD5 is not a base64 128-bit digest; BadDigest on mismatch."""
    response = s3_request(cloud, "PUT", f"/{bucket}/k", body=b"x", headers={"content-md5": value})
    assert_s3_error(response, 400, "InvalidDigest")


@pytest.mark.parametrize(
    "body",
    [b"zz\r\nabc", b"-1\r\nabc\r\n0\r\n", b"5\r\nab\r\n0\r\n\r\n", b"no line ending"],
    ids=["non-hex-size", "negative-size", "short-chunk", "no-crlf"],
)
def test_malformed_aws_chunked_body_is_incomplete_body(cloud, bucket, body):
    headers = {"content-encoding": "aws-chunked"}
    response = s3_request(cloud, "PUT", f"/{bucket}/k", body=body, headers=headers)
    assert_s3_error(response, 400, "IncompleteBody")
