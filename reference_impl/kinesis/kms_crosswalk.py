"""KMS's error codes as Kinesis Data Streams reports them (requirements.md section 1.9)."""

from __future__ import annotations

from reference_impl.errors import AwsError

KMS_TO_KDS = {
    "NotFoundException": "KMSNotFoundException",
    "DisabledException": "KMSDisabledException",
    "KMSInvalidStateException": "KMSInvalidStateException",
    "AccessDeniedException": "KMSAccessDeniedException",
    "KMSOptInRequired": "KMSOptInRequired",
    "OptInRequired": "KMSOptInRequired",
    "ThrottlingException": "KMSThrottlingException",
    "KMSThrottlingException": "KMSThrottlingException",
    # KDS models no exception for a key that cannot make data keys (asymmetric, HMAC). The
    # reference reports KMSInvalidStateException: the key is not in a state usable for SSE
    # (the same bucket §1.9 and AMB-01/AMB-22 put such keys in: INVALID_KMS_KEY).
    "InvalidKeyUsageException": "KMSInvalidStateException",
}


def as_kinesis_error(error: AwsError) -> AwsError:
    """The KDS exception for a KMS failure; anything unexpected is an internal failure (500)."""
    code = KMS_TO_KDS.get(error.code)
    if code is None:
        return AwsError(
            "InternalFailureException",
            f"The request could not be processed because of a KMS error ({error.code}).",
            500,
        )
    return AwsError(code, error.message)
