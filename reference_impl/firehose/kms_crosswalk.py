"""How KMS errors surface in Firehose: failure types, metric names and the put-time exception.

The crosswalk is section 1.9 of the requirement catalog. KMS's wire codes are ``NotFoundException``,
``DisabledException``, ``KMSInvalidStateException`` and the generic ``AccessDeniedException``; the
Kinesis-style spellings (``KMSNotFoundException`` ...) are accepted too, since SEED uses them.
"""

from __future__ import annotations

from reference_impl.errors import AwsError
from reference_impl.firehose.states import FailureDescription, FailureType

_CANONICAL = {
    "KMSNotFoundException": "NotFoundException",
    "KMSDisabledException": "DisabledException",
    "KMSAccessDeniedException": "AccessDeniedException",
    "AccessDenied": "AccessDeniedException",
    "ValidationError": "ValidationException",
}

# Section 1.9, last column (an inference); anything else is CREATE_KMS_GRANT_FAILED.
_FAILURE_TYPES = {
    "NotFoundException": FailureType.KMS_KEY_NOT_FOUND,
    "DisabledException": FailureType.DISABLED_KMS_KEY,
    "KMSInvalidStateException": FailureType.INVALID_KMS_KEY,
    "AccessDeniedException": FailureType.KMS_ACCESS_DENIED,
    "ValidationException": FailureType.INVALID_KMS_KEY,
    "InvalidKeyUsageException": FailureType.INVALID_KMS_KEY,
    "KMSOptInRequired": FailureType.KMS_OPT_IN_REQUIRED,
}

# MET-03..06 (AMB-13): the four KMS exceptions and the metric that counts each.
METRICS = {
    "AccessDeniedException": "KMSKeyAccessDenied",
    "DisabledException": "KMSKeyDisabled",
    "KMSInvalidStateException": "KMSKeyInvalidState",
    "NotFoundException": "KMSKeyNotFound",
}

# D8 / GRT-05: failures that are "an Amazon Web Services KMS issue", not a customer error.
SERVICE_SIDE = frozenset(
    {
        "KMSInternalException",
        "DependencyTimeoutException",
        "ThrottlingException",
        "KMSThrottlingException",
        "KeyUnavailableException",
        "ServiceUnavailableException",
        "InternalFailure",
    }
)


def canonical(code: str) -> str:
    return _CANONICAL.get(code, code)


def failure_type(
    code: str, default: FailureType = FailureType.CREATE_KMS_GRANT_FAILED
) -> FailureType:
    return _FAILURE_TYPES.get(canonical(code), default)


def metric_for(code: str) -> str | None:
    """The KMSKey* metric for a KMS error code, or None for errors no metric tracks."""
    return METRICS.get(canonical(code))


def describe(error: AwsError) -> str:
    """``KMS <Code>: <message>``, the form every Firehose message quoting KMS uses."""
    return f"KMS {canonical(error.code)}: {error.message}"


def failure(error: AwsError, what: str) -> FailureDescription:
    return FailureDescription(failure_type(error.code), f"{what}: {describe(error)}")


def invalid_kms_resource(what: str, error: AwsError) -> AwsError:
    """PUT-02 / KEY-07: Firehose's InvalidKMSResourceException, naming the KMS error."""
    return AwsError("InvalidKMSResourceException", f"{what}: {describe(error)}")
