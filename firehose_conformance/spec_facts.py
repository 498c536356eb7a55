"""The spec's vocabulary, defined once: statuses, failure types, metrics, identifiers.

Steps, the harness, the audit, reports and tests all read these names from here. Values that
the AWS model enumerates are taken from the vendored snapshot (so they move only with it); the
rest are the documents' own words, each with its requirement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reference_impl.aws_models import raw_model


def _firehose_enum(shape: str) -> tuple[str, ...]:
    return tuple(raw_model("firehose")["shapes"][shape]["enum"])


# SSE-04: the six values of DeliveryStreamEncryptionConfiguration.Status.
ENCRYPTION_STATUSES: tuple[str, ...] = _firehose_enum("DeliveryStreamEncryptionStatus")
# DeliveryStreamDescription.DeliveryStreamStatus (section 3.2 of the state machines).
STREAM_STATUSES: tuple[str, ...] = _firehose_enum("DeliveryStreamStatus")
# FailureDescription.Type values that name a KMS cause (SSE-18, AMB-12).
KMS_FAILURE_TYPES: frozenset[str] = frozenset(
    value for value in _firehose_enum("DeliveryStreamFailureType") if "KMS" in value
)
KEY_TYPES: tuple[str, ...] = _firehose_enum("KeyType")  # AWS_OWNED_CMK, CUSTOMER_MANAGED_CMK
# KMS's KeySpec enum (RSA_2048 ... ML_KEM_1024, SYMMETRIC_DEFAULT), as the snapshot has it.
KEY_SPECS: tuple[str, ...] = tuple(raw_model("kms")["shapes"]["KeySpec"]["enum"])
SYMMETRIC_KEY_SPEC = "SYMMETRIC_DEFAULT"

# MET-01..07: the four metrics, their namespace and the per-stream dimension (SEED, DG-MON).
METRIC_NAMESPACE = "AWS/Firehose"
METRIC_DIMENSION = "DeliveryStreamName"
KMS_METRICS: dict[str, str] = {  # metric -> the requirement that defines it
    "KMSKeyAccessDenied": "MET-03",
    "KMSKeyDisabled": "MET-04",
    "KMSKeyInvalidState": "MET-05",
    "KMSKeyNotFound": "MET-06",
}

# The requirements whose statement is about a failed end: they can be observed only where the
# target took the asynchronous path to it (ENABLING -> ENABLING_FAILED, CREATING ->
# CREATING_FAILED). A target that refuses the same call at once (AMB-01 (a)/(b), AMB-02 (a)),
# or whose attempt ends otherwise, never shows them: their scenarios are then not applicable.
FAILED_END_REQUIREMENTS: dict[str, frozenset[str]] = {
    "ENABLING_FAILED": frozenset({"SSE-03", "SSE-11", "SSE-12", "SSE-13", "SSE-18", "SSE-19"}),
    "CREATING_FAILED": frozenset({"SSE-18", "SSE-19", "API-09"}),
}
# What an accepted attempt ends in when it did not fail (the other documented end).
SUCCEEDED_END: dict[str, str] = {"ENABLING_FAILED": "ENABLED", "CREATING_FAILED": "ACTIVE"}

# Identifiers in the catalog and in scenario tags.
REQUIREMENT_ID = re.compile(r"^[A-Z]{3}-\d{2}$")
AMBIGUITY_ID = re.compile(r"^AMB-\d{2}$")

# SSE-19 / AMB-11: FailureDescription.Details is the model's NonEmptyString (a pattern, a length).
_FAILURE_DETAILS = raw_model("firehose")["shapes"]["NonEmptyString"]
FAILURE_DETAILS_PATTERN = re.compile(_FAILURE_DETAILS["pattern"])
FAILURE_DETAILS_MAX_LENGTH: int = _FAILURE_DETAILS["max"]


def requirement_ids(tags: Iterable[str]) -> list[str]:
    """The requirement IDs among a scenario's tags, sorted (the other tags are capabilities)."""
    return sorted(tag for tag in tags if REQUIREMENT_ID.match(tag))


def key_spec_family(spec: str) -> str | None:
    """The algorithm family of an asymmetric or HMAC key spec of the snapshot's KeySpec enum:
    its first word (RSA, ECC for every curve, HMAC, SM2), or its first two where the first is
    ML (ML_DSA and ML_KEM are distinct algorithms, FIPS 204 and 203). None for
    SYMMETRIC_DEFAULT and for a spec the enum does not have."""
    if spec not in KEY_SPECS or spec == SYMMETRIC_KEY_SPEC:
        return None
    words = spec.split("_")
    return "_".join(words[:2]) if words[0] == "ML" and len(words) > 2 else words[0]
