"""S3 of the reference implementation, through boto3 (path-style) and its Python interface."""

from __future__ import annotations

import base64
import io

import pytest
from botocore.exceptions import ClientError

from reference_impl.cloud import ReferenceCloud
from reference_impl.errors import AwsError
from reference_impl.s3.model import S3Model


@pytest.fixture
def s3(cloud: ReferenceCloud):
    return cloud.client("s3")


def error_of(call, *args, **kwargs) -> tuple[str, int, dict]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response


# -- buckets ---------------------------------------------------------------------------------


def test_create_head_list_delete_bucket(s3) -> None:
    assert s3.create_bucket(Bucket="my-bucket")["Location"] == "/my-bucket"
    assert s3.head_bucket(Bucket="my-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["my-bucket"]
    assert s3.get_bucket_location(Bucket="my-bucket").get("LocationConstraint") is None
    response = s3.delete_bucket(Bucket="my-bucket")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.list_buckets()["Buckets"] == []


def test_head_missing_bucket_is_a_bodiless_404(s3) -> None:
    code, status, _ = error_of(s3.head_bucket, Bucket="missing-bucket")
    assert (code, status) == ("404", 404)


def test_recreating_own_bucket_in_us_east_1_is_200(s3) -> None:
    """BC-S3 BucketAlreadyOwnedByYou: not in North Virginia, where S3 answers 200 OK."""
    s3.create_bucket(Bucket="mine")
    assert s3.create_bucket(Bucket="mine")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_recreating_own_bucket_elsewhere_is_409() -> None:
    cloud = ReferenceCloud(region="eu-west-1")
    cloud.s3.region = "eu-west-1"  # cloud.py builds S3Model(clock): the Region is not passed
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="mine", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    code, status, response = error_of(
        s3.create_bucket,
        Bucket="mine",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
    )
    assert (code, status) == ("BucketAlreadyOwnedByYou", 409)
    assert response["Error"]["BucketName"] == "mine"


@pytest.mark.parametrize(
    "name", ["Upper-Case", "ab", "a" * 64, "under_score", "-dash-first", "a..b", "192.168.1.1"]
)
def test_invalid_bucket_names(s3, name: str) -> None:
    code, status, _ = error_of(s3.create_bucket, Bucket=name)
    assert (code, status) == ("InvalidBucketName", 400)


def test_location_constraint_must_match_region(s3) -> None:
    code, status, _ = error_of(
        s3.create_bucket,
        Bucket="far",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
    )
    assert (code, status) == ("IllegalLocationConstraintException", 400)


def test_delete_bucket_errors(s3) -> None:
    code, status, response = error_of(s3.delete_bucket, Bucket="nothing-here")
    assert (code, status) == ("NoSuchBucket", 404)
    assert response["Error"]["BucketName"] == "nothing-here"
    s3.create_bucket(Bucket="full")
    s3.put_object(Bucket="full", Key="k", Body=b"x")
    code, status, _ = error_of(s3.delete_bucket, Bucket="full")
    assert (code, status) == ("BucketNotEmpty", 409)


# -- objects ---------------------------------------------------------------------------------


def test_object_round_trip_with_awkward_key(cloud: ReferenceCloud, s3) -> None:
    s3.create_bucket(Bucket="data")
    key = "dir one/2026/11/01/a+b%c é.txt"
    put = s3.put_object(Bucket="data", Key=key, Body=b"hello world", ContentType="text/plain")
    got = s3.get_object(Bucket="data", Key=key)
    assert got["Body"].read() == b"hello world"
    assert got["ContentLength"] == 11
    assert got["ETag"] == put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
    assert got["ContentType"] == "text/plain"
    assert got["LastModified"].timestamp() == int(cloud.clock.now())
    head = s3.head_object(Bucket="data", Key=key)
    assert head["ContentLength"] == 11
    listed = s3.list_objects_v2(Bucket="data")["Contents"]
    assert [o["Key"] for o in listed] == [key]


def test_streamed_and_empty_bodies(s3) -> None:
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="stream", Body=io.BytesIO(b"abc" * 1000))
    s3.put_object(Bucket="data", Key="empty", Body=b"")
    assert s3.get_object(Bucket="data", Key="stream")["Body"].read() == b"abc" * 1000
    assert s3.get_object(Bucket="data", Key="empty")["Body"].read() == b""


def test_object_errors(s3) -> None:
    code, status, _ = error_of(s3.put_object, Bucket="nope", Key="k", Body=b"x")
    assert (code, status) == ("NoSuchBucket", 404)
    s3.create_bucket(Bucket="data")
    code, status, response = error_of(s3.get_object, Bucket="data", Key="missing")
    assert (code, status) == ("NoSuchKey", 404)
    assert response["Error"]["Key"] == "missing"
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/xml"
    assert response["ResponseMetadata"]["RequestId"]
    code, status, _ = error_of(s3.head_object, Bucket="data", Key="missing")
    assert (code, status) == ("404", 404)
    code, status, _ = error_of(s3.put_object, Bucket="data", Key="k" * 1025, Body=b"x")
    assert (code, status) == ("KeyTooLongError", 400)


def test_delete_object_is_204_even_when_absent(s3) -> None:
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="k", Body=b"x")
    assert s3.delete_object(Bucket="data", Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket="data", Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, status, _ = error_of(s3.delete_object, Bucket="nope", Key="k")
    assert (code, status) == ("NoSuchBucket", 404)


def test_delete_objects(s3) -> None:
    s3.create_bucket(Bucket="data")
    for key in ("a", "b", "c"):
        s3.put_object(Bucket="data", Key=key, Body=b"x")
    result = s3.delete_objects(Bucket="data", Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="data")["Contents"]] == ["c"]


# -- listing ---------------------------------------------------------------------------------


def test_list_objects_v2_pagination(s3) -> None:
    s3.create_bucket(Bucket="data")
    keys = [f"logs/{i:02d}" for i in range(7)] + ["other/x"]
    for key in keys:
        s3.put_object(Bucket="data", Key=key, Body=key.encode())
    first = s3.list_objects_v2(Bucket="data", Prefix="logs/", MaxKeys=3)
    assert first["KeyCount"] == 3
    assert first["IsTruncated"] is True
    assert [o["Key"] for o in first["Contents"]] == ["logs/00", "logs/01", "logs/02"]
    assert first["Contents"][0]["Size"] == 7
    assert first["Contents"][0]["StorageClass"] == "STANDARD"
    second = s3.list_objects_v2(
        Bucket="data", Prefix="logs/", MaxKeys=3, ContinuationToken=first["NextContinuationToken"]
    )
    assert [o["Key"] for o in second["Contents"]] == ["logs/03", "logs/04", "logs/05"]
    paginator = s3.get_paginator("list_objects_v2")
    pages = list(paginator.paginate(Bucket="data", PaginationConfig={"PageSize": 2}))
    assert [o["Key"] for page in pages for o in page["Contents"]] == sorted(keys)
    assert len(pages) == 4
    after = s3.list_objects_v2(Bucket="data", StartAfter="logs/05")
    assert [o["Key"] for o in after["Contents"]] == ["logs/06", "other/x"]
    empty = s3.list_objects_v2(Bucket="data", Prefix="none/")
    assert empty["KeyCount"] == 0
    assert "Contents" not in empty


def test_list_with_delimiter_and_v1(s3) -> None:
    s3.create_bucket(Bucket="data")
    for key in ("a/1", "a/2", "b/1", "top"):
        s3.put_object(Bucket="data", Key=key, Body=b"x")
    grouped = s3.list_objects_v2(Bucket="data", Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/", "b/"]
    assert [o["Key"] for o in grouped["Contents"]] == ["top"]
    v1 = s3.list_objects(Bucket="data", MaxKeys=2)
    assert [o["Key"] for o in v1["Contents"]] == ["a/1", "a/2"]
    assert v1["IsTruncated"] is True
    rest = s3.list_objects(Bucket="data", Marker="a/2")
    assert [o["Key"] for o in rest["Contents"]] == ["b/1", "top"]


def test_list_errors(s3) -> None:
    code, status, _ = error_of(s3.list_objects_v2, Bucket="nope")
    assert (code, status) == ("NoSuchBucket", 404)
    s3.create_bucket(Bucket="data")
    code, status, _ = error_of(s3.list_objects_v2, Bucket="data", ContinuationToken="garbage!")
    assert (code, status) == ("InvalidArgument", 400)
    code, status, _ = error_of(s3.list_objects_v2, Bucket="data", MaxKeys=-1)
    assert (code, status) == ("InvalidArgument", 400)


# -- unsupported requests are S3 errors, never 500 --------------------------------------------


def test_unimplemented_subresource_is_not_implemented(s3) -> None:
    s3.create_bucket(Bucket="data")
    code, status, _ = error_of(s3.get_bucket_tagging, Bucket="data")
    assert (code, status) == ("NotImplemented", 400)
    code, status, _ = error_of(s3.create_multipart_upload, Bucket="data", Key="k")
    assert (code, status) == ("NotImplemented", 400)


def test_raw_requests_get_xml_errors(cloud: ReferenceCloud) -> None:
    from reference_impl.wire.http import Request

    def send(method: str, path: str, query: str = "", body: bytes = b"", headers=None):
        return cloud.app.handle(Request(method, path, query, headers or {}, body))

    response = send("PATCH", "/data")
    assert response.status == 405
    assert b"<Code>MethodNotAllowed</Code>" in response.body
    assert response.headers["Content-Type"] == "application/xml"
    assert response.headers["x-amz-request-id"]
    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert send("POST", "/").status == 405
    malformed = send("PUT", "/fresh-bucket", body=b"<CreateBucketConfiguration>")
    assert malformed.status == 400
    assert b"<Code>MalformedXML</Code>" in malformed.body
    assert send("PUT", "/fresh-bucket", body=b"<!DOCTYPE x []><x/>").status == 400
    send("PUT", "/fresh-bucket")
    bad_chunks = send(
        "PUT", "/fresh-bucket/k", body=b"zz\r\nabc", headers={"content-encoding": "aws-chunked"}
    )
    assert bad_chunks.status == 400
    wrong_md5 = base64.b64encode(bytes(16)).decode()  # well formed, but not this body's digest
    bad_md5 = send("PUT", "/fresh-bucket/k", body=b"abc", headers={"content-md5": wrong_md5})
    assert (bad_md5.status, b"BadDigest" in bad_md5.body) == (400, True)


# -- the Python interface Firehose uses ------------------------------------------------------


def test_python_interface(cloud: ReferenceCloud, s3) -> None:
    model: S3Model = cloud.s3
    assert model.bucket_exists("dest") is False
    with pytest.raises(AwsError) as caught:
        model.put_object("dest", "k", b"x")
    assert (caught.value.code, caught.value.status) == ("NoSuchBucket", 404)
    s3.create_bucket(Bucket="dest")
    assert model.bucket_exists("dest") is True
    model.put_object("dest", "2026/11/01/obj", b"delivered")
    assert model.objects("dest") == {"2026/11/01/obj": b"delivered"}
    assert s3.get_object(Bucket="dest", Key="2026/11/01/obj")["Body"].read() == b"delivered"
    assert model.bucket_name_from_arn("arn:aws:s3:::dest") == "dest"
    with pytest.raises(ValueError):
        model.bucket_name_from_arn("arn:aws:s3:::dest/key")
