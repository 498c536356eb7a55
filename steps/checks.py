"""Checks that Then-steps of several subjects make, written once."""

from __future__ import annotations

from typing import Any

from firehose_conformance.errors import Violation
from firehose_conformance.spec_facts import (
    FAILURE_DETAILS_MAX_LENGTH,
    FAILURE_DETAILS_PATTERN,
    KMS_FAILURE_TYPES,
)


def assert_kms_failure_described(description: dict[str, Any], where: str) -> None:
    """SSE-18 / SSE-19 / AMB-11: at least one FailureDescription, in either place, well formed.

    SSE-18: a failure description is there, its Details non-empty text of at most 1,024
    characters. SSE-19, a stance (AMB-12): a failure caused by KMS names one of the KMS-related
    types, not UNKNOWN_ERROR or another value of the enum; the mapping is not documented.
    """
    config = description.get("DeliveryStreamEncryptionConfiguration") or {}
    found = [
        d for d in (config.get("FailureDescription"), description.get("FailureDescription")) if d
    ]
    if not found:
        raise Violation(["SSE-18"], f"{where} without any FailureDescription")
    for failure in found:
        details = failure.get("Details", "")
        if not (
            isinstance(details, str)
            and FAILURE_DETAILS_PATTERN.match(details)
            and len(details) <= FAILURE_DETAILS_MAX_LENGTH
        ):
            raise Violation(["SSE-18"], f"failure details {details!r}")
        if failure.get("Type") not in KMS_FAILURE_TYPES:
            raise Violation(["SSE-19"], f"failure type {failure.get('Type')!r}")
