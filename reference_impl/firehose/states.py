"""The enums and small value types of a delivery stream, spelled exactly as on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StreamStatus(StrEnum):
    CREATING = "CREATING"
    CREATING_FAILED = "CREATING_FAILED"
    DELETING = "DELETING"
    DELETING_FAILED = "DELETING_FAILED"
    ACTIVE = "ACTIVE"


class StreamType(StrEnum):
    DIRECT_PUT = "DirectPut"
    KINESIS = "KinesisStreamAsSource"
    MSK = "MSKAsSource"
    DATABASE = "DatabaseAsSource"


class EncryptionStatus(StrEnum):
    ENABLED = "ENABLED"
    ENABLING = "ENABLING"
    ENABLING_FAILED = "ENABLING_FAILED"
    DISABLED = "DISABLED"
    DISABLING = "DISABLING"
    DISABLING_FAILED = "DISABLING_FAILED"


class KeyType(StrEnum):
    AWS_OWNED_CMK = "AWS_OWNED_CMK"
    CUSTOMER_MANAGED_CMK = "CUSTOMER_MANAGED_CMK"


class FailureType(StrEnum):
    """The KMS-related members of ``DeliveryStreamFailureType`` (SSE-19)."""

    RETIRE_KMS_GRANT_FAILED = "RETIRE_KMS_GRANT_FAILED"
    CREATE_KMS_GRANT_FAILED = "CREATE_KMS_GRANT_FAILED"
    KMS_ACCESS_DENIED = "KMS_ACCESS_DENIED"
    DISABLED_KMS_KEY = "DISABLED_KMS_KEY"
    INVALID_KMS_KEY = "INVALID_KMS_KEY"
    KMS_KEY_NOT_FOUND = "KMS_KEY_NOT_FOUND"
    KMS_OPT_IN_REQUIRED = "KMS_OPT_IN_REQUIRED"
    UNKNOWN_ERROR = "UNKNOWN_ERROR"


@dataclass(frozen=True)
class FailureDescription:
    """SSE-18: ``Type`` and a non-empty ``Details`` of at most 1,024 characters."""

    type: FailureType
    details: str

    def __post_init__(self) -> None:
        text = self.details.strip() or "Unknown KMS error."
        object.__setattr__(self, "details", text[:1024])


@dataclass(frozen=True)
class KeyConfig:
    """A Firehose SSE key choice.

    ``key_arn`` is the resolved ARN of a customer managed CMK (used for grants, crypto and the
    500-per-CMK count); ``shown_arn`` is the ARN as the caller gave it, echoed in EncCfg.KeyARN
    (AMB-20, chosen: echo the caller's ARN). It is always a key ARN: the snapshot's
    AWSKMSKeyARNForSSE pattern refuses alias ARNs, and key_checks.parse_key_request refuses any
    ARN KMS would read as an alias, so it differs from ``key_arn`` in spelling at most (a key id
    in upper case, which KMS resolves case-insensitively).
    """

    key_type: KeyType
    key_arn: str | None = None
    shown_arn: str | None = None

    @property
    def is_cmk(self) -> bool:
        return self.key_type is KeyType.CUSTOMER_MANAGED_CMK

    def same_key(self, other: KeyConfig | None) -> bool:
        return (
            other is not None and self.key_type is other.key_type and self.key_arn == other.key_arn
        )


AWS_OWNED = KeyConfig(KeyType.AWS_OWNED_CMK)
