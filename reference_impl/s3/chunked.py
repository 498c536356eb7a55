"""Request bodies in ``aws-chunked`` encoding, which botocore uses for PutObject with checksums.

botocore >= 1.36 sends ``Content-Encoding: aws-chunked`` with a trailing checksum
(``x-amz-trailer``); SigV4 streaming uploads add ``;chunk-signature=...`` to each chunk size.
"""

from __future__ import annotations

import base64
import hashlib
import zlib

from reference_impl.errors import AwsError


def is_aws_chunked(headers: dict[str, str]) -> bool:
    encodings = [e.strip() for e in headers.get("content-encoding", "").split(",")]
    return "aws-chunked" in encodings or headers.get("x-amz-content-sha256", "").startswith(
        "STREAMING-"
    )


def _incomplete() -> AwsError:
    return AwsError("IncompleteBody", "The request body terminated unexpectedly")


def decode_aws_chunked(body: bytes) -> tuple[bytes, dict[str, str]]:
    """(payload, trailing headers) of an aws-chunked body; IncompleteBody if malformed."""
    payload = bytearray()
    pos = 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            raise _incomplete()
        size_text = body[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _incomplete() from None
        pos = end + 2
        if size == 0:
            break
        if size < 0 or pos + size + 2 > len(body) or body[pos + size : pos + size + 2] != b"\r\n":
            raise _incomplete()
        payload += body[pos : pos + size]
        pos += size + 2
    trailers: dict[str, str] = {}
    for line in body[pos:].split(b"\r\n"):
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            trailers[name.strip().lower()] = value.strip()
    return bytes(payload), trailers


_DIGESTS = {
    "x-amz-checksum-crc32": lambda data: zlib.crc32(data).to_bytes(4, "big"),
    "x-amz-checksum-sha1": lambda data: hashlib.sha1(data, usedforsecurity=False).digest(),
    "x-amz-checksum-sha256": lambda data: hashlib.sha256(data).digest(),
}


def verify_checksums(body: bytes, headers: dict[str, str]) -> None:
    """Check Content-MD5 and the x-amz-checksum-* values we can compute (CRC32C is skipped)."""
    md5 = headers.get("content-md5")
    if md5 is not None:
        try:
            well_formed = len(base64.b64decode(md5, validate=True)) == 16
        except ValueError:
            well_formed = False
        if not well_formed:
            raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.")
        expected = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
        if md5 != expected:
            raise AwsError(
                "BadDigest", "The Content-MD5 you specified did not match what we received."
            )
    for name, digest in _DIGESTS.items():
        value = headers.get(name)
        if value is not None and value != base64.b64encode(digest(body)).decode():
            algorithm = name.rsplit("-", 1)[1]
            raise AwsError(
                "BadDigest",
                f"The {algorithm.upper()} you specified did not match the calculated checksum.",
            )
