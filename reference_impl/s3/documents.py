"""The XML documents S3 answers with, built with ElementTree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

from reference_impl.s3.listing import ListingPage
from reference_impl.s3.model import Bucket, S3Object

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# One owner for the one account; S3 shows a canonical user id (64 hex digits).
OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
OWNER_NAME = "reference"


def iso_time(epoch: float) -> str:
    """S3's XML timestamps: ISO 8601 in UTC with milliseconds."""
    millis = round(epoch * 1000)
    moment = datetime.fromtimestamp(millis // 1000, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{millis % 1000:03d}Z"


def http_date(epoch: float) -> str:
    """Last-Modified and Date headers: RFC 7231 IMF-fixdate."""
    return format_datetime(datetime.fromtimestamp(int(epoch), tz=UTC), usegmt=True)


def _document(root: ET.Element) -> bytes:
    return XML_DECLARATION + ET.tostring(root, encoding="utf-8")


# Characters XML 1.0 cannot carry (control characters other than tab, newline, return).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _add(parent: ET.Element, tag: str, text: str | int | bool | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if isinstance(text, bool):
        child.text = "true" if text else "false"
    elif text is not None:
        child.text = _XML_UNSAFE.sub("\ufffd", str(text))  # echoed input must not break the XML
    return child


def error_document(
    code: str, message: str, request_id: str, extra: dict[str, str] | None = None
) -> bytes:
    root = ET.Element("Error")
    _add(root, "Code", code)
    _add(root, "Message", message)
    for name, value in (extra or {}).items():
        _add(root, name, value)
    _add(root, "RequestId", request_id)
    return _document(root)


def list_buckets_document(buckets: list[Bucket], region: str) -> bytes:
    root = ET.Element("ListAllMyBucketsResult", xmlns=S3_NAMESPACE)
    owner = _add(root, "Owner")
    _add(owner, "ID", OWNER_ID)
    _add(owner, "DisplayName", OWNER_NAME)
    container = _add(root, "Buckets")
    for bucket in buckets:
        entry = _add(container, "Bucket")
        _add(entry, "Name", bucket.name)
        _add(entry, "CreationDate", iso_time(bucket.created))
        _add(entry, "BucketRegion", region)
    return _document(root)


def location_document(region: str) -> bytes:
    root = ET.Element("LocationConstraint", xmlns=S3_NAMESPACE)
    if region != "us-east-1":  # us-east-1 answers an empty LocationConstraint
        root.text = region
    return _document(root)


def list_objects_document(
    bucket: Bucket,
    page: ListingPage,
    *,
    params: dict[str, str],
    max_keys: int,
    encode: Callable[[str], str],
    v2: bool,
    continuation: str | None,
    next_continuation: str | None,
) -> bytes:
    """ListBucketResult (V1 or V2); ``encode`` applies the requested encoding-type to keys."""
    root = ET.Element("ListBucketResult", xmlns=S3_NAMESPACE)
    _add(root, "Name", bucket.name)
    _add(root, "Prefix", encode(params.get("prefix", "")))
    if v2:
        if continuation is not None:
            _add(root, "ContinuationToken", continuation)
        if "start-after" in params:
            _add(root, "StartAfter", encode(params["start-after"]))
        _add(root, "KeyCount", page.count)
    else:
        _add(root, "Marker", encode(params.get("marker", "")))
    _add(root, "MaxKeys", max_keys)
    if params.get("delimiter"):
        _add(root, "Delimiter", encode(params["delimiter"]))
    if "encoding-type" in params:
        _add(root, "EncodingType", params["encoding-type"])
    _add(root, "IsTruncated", page.truncated)
    if page.truncated:
        if v2 and next_continuation is not None:
            _add(root, "NextContinuationToken", next_continuation)
        elif not v2 and params.get("delimiter"):
            _add(root, "NextMarker", encode(page.last))
    for key in page.keys:
        obj: S3Object = bucket.objects[key]
        entry = _add(root, "Contents")
        _add(entry, "Key", encode(key))
        _add(entry, "LastModified", iso_time(obj.last_modified))
        _add(entry, "ETag", obj.etag)
        _add(entry, "Size", len(obj.body))
        if params.get("fetch-owner") == "true" or not v2:
            owner = _add(entry, "Owner")
            _add(owner, "ID", OWNER_ID)
            _add(owner, "DisplayName", OWNER_NAME)
        _add(entry, "StorageClass", "STANDARD")
    for prefix in page.common_prefixes:
        _add(_add(root, "CommonPrefixes"), "Prefix", encode(prefix))
    return _document(root)


def delete_result_document(deleted: list[str], quiet: bool, encode: Callable[[str], str]) -> bytes:
    root = ET.Element("DeleteResult", xmlns=S3_NAMESPACE)
    if not quiet:
        for key in deleted:
            _add(_add(root, "Deleted"), "Key", encode(key))
    return _document(root)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(body: bytes) -> ET.Element:
    """Parse a request document; ValueError if it is not well-formed XML.

    Document type declarations are refused outright: S3 request documents never need one,
    and refusing them rules out entity-expansion tricks.
    """
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValueError("document type declarations are not allowed")
    try:
        return ET.fromstring(body)
    except ET.ParseError as error:
        raise ValueError(str(error)) from None


def children(element: ET.Element, name: str) -> list[ET.Element]:
    """Child elements by local name (requests may or may not carry the S3 namespace)."""
    return [child for child in element if _local(child.tag) == name]


def child_text(element: ET.Element, name: str) -> str | None:
    found = children(element, name)
    return (found[0].text or "") if found else None


def local_name(element: ET.Element) -> str:
    return _local(element.tag)
