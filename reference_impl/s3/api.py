"""S3's REST-XML API, path-style: ``/`` (the service), ``/bucket``, ``/bucket/key``."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote_plus, unquote

from reference_impl.aws_models import raw_model
from reference_impl.errors import AwsError
from reference_impl.s3 import documents as doc
from reference_impl.s3.chunked import decode_aws_chunked, is_aws_chunked, verify_checksums
from reference_impl.s3.model import DEFAULT_CONTENT_TYPE, S3Model, S3Object
from reference_impl.wire.http import Request, Response

log = logging.getLogger(__name__)

MAX_LIST_KEYS = 1000
MAX_DELETE_KEYS = 1000
BUCKET_ERRORS = frozenset(
    {
        "NoSuchBucket",
        "BucketNotEmpty",
        "BucketAlreadyExists",
        "BucketAlreadyOwnedByYou",
        "InvalidBucketName",
    }
)

# The subresources (the query names that select an operation) this reference implements:
# DeleteObjects, ListObjectsV2 and GetBucketLocation.
IMPLEMENTED_SUBRESOURCES = frozenset({"delete", "list-type", "location"})
# Query parameters that are no operation's subresource but imply functionality the reference does
# not implement (parts, versions).
UNIMPLEMENTED_PARAMETERS = frozenset({"partNumber", "uploadId", "versionId"})


def _model_subresources() -> frozenset[str]:
    """Every subresource the snapshot's S3 model names in an operation's request URI."""
    names: set[str] = set()
    for operation in raw_model("s3")["operations"].values():
        query = operation["http"]["requestUri"].partition("?")[2]
        names.update(part.partition("=")[0] for part in query.split("&") if part)
    return frozenset(names)


# Subresources S3 has but this reference does not implement, derived from the snapshot so that an
# operation a newer model adds (e.g. PUT /bucket/key?annotation) is refused, not taken for the
# operation its path would otherwise be (PutObject). S3 answers NotImplemented for functionality
# it does not implement (the reference with a 400: _not_implemented); any other query parameter is
# ignored, as in S3.
UNIMPLEMENTED_SUBRESOURCES = (
    _model_subresources() - IMPLEMENTED_SUBRESOURCES
) | UNIMPLEMENTED_PARAMETERS


@dataclass
class _Target:
    bucket: str
    key: str
    query: dict[str, str]


def _parse(request: Request) -> _Target:
    path = request.path or "/"
    bucket, _, key = path.lstrip("/").partition("/")
    query = {name: values[0] for name, values in parse_qs(request.query, True).items()}
    return _Target(unquote(bucket), unquote(key), query)


def _no_encoding(text: str) -> str:
    return text


def _url_encoding(text: str) -> str:
    return quote_plus(text, safe="/")


def _encoder(query: dict[str, str]) -> Callable[[str], str]:
    kind = query.get("encoding-type")
    if kind is None:
        return _no_encoding
    if kind != "url":
        raise AwsError("InvalidArgument", "Invalid Encoding Method specified in Request")
    return _url_encoding


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "application/xml"}, body)


def _not_implemented() -> AwsError:
    # S3 itself answers 501 here; the reference answers 400 with S3's code, so that a feature
    # outside its subset never looks like a server fault (bad input is never a 5xx).
    return AwsError(
        "NotImplemented",
        "A header or query you provided implies functionality that the reference implementation "
        "does not implement.",
        400,
    )


def _method_not_allowed() -> AwsError:
    return AwsError(
        "MethodNotAllowed", "The specified method is not allowed against this resource.", 405
    )


def _continuation_token(last: str) -> str:
    return base64.urlsafe_b64encode(b"after:" + last.encode("utf-8")).decode("ascii")


def _after_token(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        text = ""
    if not text.startswith("after:"):
        raise AwsError("InvalidArgument", "The continuation token provided is incorrect")
    return text[len("after:") :]


def _max_keys(query: dict[str, str]) -> int:
    text = query.get("max-keys", str(MAX_LIST_KEYS))
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or value > 2**31 - 1:
        raise AwsError(
            "InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647"
        )
    return min(value, MAX_LIST_KEYS)


def _object_headers(obj: S3Object) -> dict[str, str]:
    return {
        "Content-Type": obj.content_type,
        "Content-Length": str(len(obj.body)),
        "ETag": obj.etag,
        "Last-Modified": doc.http_date(obj.last_modified),
        "Accept-Ranges": "bytes",
        # S3 encrypts every new object with SSE-S3 unless told otherwise (since January 2023).
        "x-amz-server-side-encryption": "AES256",
    }


class S3RestService:
    """Routes a path-style request to an S3 operation and answers in S3's XML."""

    def __init__(self, model: S3Model) -> None:
        self.model = model

    def handle(self, request: Request, request_id: str) -> Response:
        target: _Target | None = None
        try:
            target = _parse(request)
            response = self._route(request, target)
        except AwsError as error:
            response = self._error(request, target, error, request_id)
        except Exception:  # never a traceback on the wire
            log.exception("internal error in S3 %s %s", request.method, request.path)
            error = AwsError("InternalError", "We encountered an internal error.", 500)
            response = self._error(request, target, error, request_id)
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = base64.b64encode(request_id.encode()).decode()
        return response

    def _error(
        self, request: Request, target: _Target | None, error: AwsError, request_id: str
    ) -> Response:
        if request.method == "HEAD":  # HEAD answers carry no body
            return Response(error.status, {})
        extra: dict[str, str] = {}
        if target is not None and error.code in BUCKET_ERRORS:
            extra["BucketName"] = target.bucket
        if target is not None and error.code == "NoSuchKey":
            extra["Key"] = target.key
        if error.code == "MethodNotAllowed":
            extra["Method"] = request.method
            extra["ResourceType"] = "OBJECT" if target and target.key else "BUCKET"
        body = doc.error_document(error.code, error.message, request_id, extra)
        return _xml(body, error.status)

    # -- routing -------------------------------------------------------------------------

    def _route(self, request: Request, target: _Target) -> Response:
        if not target.bucket:
            if request.method == "GET":
                return self._list_buckets()
            raise _method_not_allowed()
        if UNIMPLEMENTED_SUBRESOURCES.intersection(target.query) and not (
            request.method == "POST" and "delete" in target.query
        ):
            raise _not_implemented()
        if target.key:
            return self._object_operation(request, target)
        return self._bucket_operation(request, target)

    def _bucket_operation(self, request: Request, target: _Target) -> Response:
        method = request.method
        if method == "PUT":
            return self._create_bucket(request, target)
        if method == "HEAD":
            self.model.bucket(target.bucket)
            return Response(200, {"x-amz-bucket-region": self.model.region})
        if method == "DELETE":
            self.model.delete_bucket(target.bucket)
            return Response(204, {})
        if method == "GET":
            if "location" in target.query:
                self.model.bucket(target.bucket)
                return _xml(doc.location_document(self.model.region))
            return self._list_objects(target)
        if method == "POST" and "delete" in target.query:
            return self._delete_objects(request, target)
        raise _method_not_allowed()

    def _object_operation(self, request: Request, target: _Target) -> Response:
        method = request.method
        if method == "PUT":
            if "x-amz-copy-source" in request.headers:
                raise _not_implemented()
            return self._put_object(request, target)
        if method in ("GET", "HEAD"):
            obj = self.model.get(target.bucket, target.key)
            body = obj.body if method == "GET" else b""
            return Response(200, _object_headers(obj), body)
        if method == "DELETE":
            self.model.delete(target.bucket, target.key)
            return Response(204, {})
        raise _method_not_allowed()

    # -- operations ----------------------------------------------------------------------

    def _list_buckets(self) -> Response:
        return _xml(doc.list_buckets_document(self.model.list_buckets(), self.model.region))

    def _create_bucket(self, request: Request, target: _Target) -> Response:
        location: str | None = None
        if request.body.strip():
            try:
                root = doc.parse_xml(request.body)
            except ValueError:
                raise AwsError(
                    "MalformedXML",
                    "The XML you provided was not well-formed or did not validate against our "
                    "published schema",
                ) from None
            if doc.local_name(root) != "CreateBucketConfiguration":
                raise AwsError(
                    "MalformedXML",
                    "The XML you provided was not well-formed or did not validate against our "
                    "published schema",
                )
            location = doc.child_text(root, "LocationConstraint")
        self.model.create_bucket(target.bucket, location)
        return Response(200, {"Location": f"/{target.bucket}"})

    def _list_objects(self, target: _Target) -> Response:
        query = target.query
        bucket = self.model.bucket(target.bucket)
        encode = _encoder(query)
        max_keys = _max_keys(query)
        v2 = query.get("list-type") == "2"
        if "list-type" in query and not v2:
            raise AwsError("InvalidArgument", "Invalid List Type specified in Request")
        continuation = query.get("continuation-token") if v2 else None
        if continuation is not None:
            after = _after_token(continuation)
        elif v2:
            after = query.get("start-after", "")
        else:
            after = query.get("marker", "")
        page = self.model.list_objects(
            bucket.name,
            prefix=query.get("prefix", ""),
            delimiter=query.get("delimiter", ""),
            start_after=after,
            max_keys=max_keys,
        )
        next_token = _continuation_token(page.last) if page.truncated else None
        body = doc.list_objects_document(
            bucket,
            page,
            params=query,
            max_keys=max_keys,
            encode=encode,
            v2=v2,
            continuation=continuation,
            next_continuation=next_token,
        )
        return _xml(body)

    def _put_object(self, request: Request, target: _Target) -> Response:
        body = request.body
        headers = dict(request.headers)
        if is_aws_chunked(request.headers):
            body, trailers = decode_aws_chunked(body)
            headers.update(trailers)
            declared = request.headers.get("x-amz-decoded-content-length")
            if declared is not None and declared != str(len(body)):
                raise AwsError(
                    "IncompleteBody",
                    "You did not provide the number of bytes specified by the "
                    "x-amz-decoded-content-length HTTP header",
                )
        verify_checksums(body, headers)
        content_type = request.headers.get("content-type") or DEFAULT_CONTENT_TYPE
        obj = self.model.put(target.bucket, target.key, body, content_type)
        return Response(
            200, {"ETag": obj.etag, "x-amz-server-side-encryption": "AES256", "Content-Length": "0"}
        )

    def _delete_objects(self, request: Request, target: _Target) -> Response:
        self.model.bucket(target.bucket)
        malformed = AwsError(
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our "
            "published schema",
        )
        try:
            root = doc.parse_xml(request.body)
        except ValueError:
            raise malformed from None
        entries = doc.children(root, "Object")
        if doc.local_name(root) != "Delete" or not entries or len(entries) > MAX_DELETE_KEYS:
            raise malformed
        keys = []
        for entry in entries:
            key = doc.child_text(entry, "Key")
            if not key:
                raise malformed
            keys.append(key)
        quiet = (doc.child_text(root, "Quiet") or "").strip().lower() == "true"
        for key in keys:
            self.model.delete(target.bucket, key)
        body = doc.delete_result_document(keys, quiet, _encoder(target.query))
        return _xml(body)
