"""Checks that Then-steps of several subjects make, written once."""

from __future__ import annotations

from typing import Any

from firehose_conformance.spec_facts import (
    FAILURE_DETAILS_MAX_LENGTH,
    FAILURE_DETAILS_PATTERN,
    KMS_FAILURE_TYPES,
)


def assert_kms_failure_described(description: dict[str, Any], where: str) -> None:
    """SSE-18 / SSE-19 / AMB-11: at least one FailureDescription, in either place, well formed."""
    config = description.get("DeliveryStreamEncryptionConfiguration") or {}
    found = [
        d for d in (config.get("FailureDescription"), description.get("FailureDescription")) if d
    ]
    assert found, f"{where} without any FailureDescription"
    for failure in found:
        assert failure.get("Type") in KMS_FAILURE_TYPES, f"failure type {failure.get('Type')!r}"
        details = failure.get("Details", "")
        assert (
            isinstance(details, str)
            and FAILURE_DETAILS_PATTERN.match(details)
            and len(details) <= FAILURE_DETAILS_MAX_LENGTH
        ), f"failure details {details!r}"
