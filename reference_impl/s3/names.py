"""General-purpose bucket naming rules, as the S3 User Guide lists them."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

MAX_KEY_BYTES = 1024


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid bucket name, or None if it is."""
    if not 3 <= len(name) <= 63:
        return "Bucket names must be between 3 (min) and 63 (max) characters long."
    if not _ALLOWED.fullmatch(name):
        return (
            "Bucket names can consist only of lowercase letters, numbers, periods and hyphens, "
            "and must begin and end with a letter or number."
        )
    if ".." in name:
        return "Bucket names must not contain two adjacent periods."
    if _IP_ADDRESS.fullmatch(name):
        return "Bucket names must not be formatted as an IP address."
    if name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES):
        return "Bucket names must not use a reserved prefix or suffix."
    return None


def bucket_name_from_arn(arn: str) -> str:
    """``arn:aws:s3:::name`` (any partition) -> ``name``; ValueError if it is not a bucket ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "s3" or parts[3] or parts[4]:
        raise ValueError(f"not an S3 bucket ARN: {arn!r}")
    name = parts[5]
    if not name or "/" in name:
        raise ValueError(f"not an S3 bucket ARN: {arn!r}")
    return name
