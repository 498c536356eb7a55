"""Firehose's KMS grants on customer managed CMKs: create on enable, retire when safe.

GRT-01: CreateGrant lets Firehose "use the customer managed CMK to perform encryption and
decryption" and "manage the grant". AMB-29 (chosen): the grant is created with the API caller's
credentials (GRT-04 ties grant creation to the caller's session), for grantee and retiring
principal ``firehose.amazonaws.com``, with the operations below. A stream holds at most one grant
per CMK; re-enabling the same CMK reuses it (AMB-07). A grant is retired only when the CMK is no
longer the stream's setting, no longer in effect, and no record sealed under it is still held
(GRT-02, GRT-03: "retires it after it ensures that it is finished delivering records").
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from reference_impl.errors import AwsError
from reference_impl.firehose import kms_crosswalk
from reference_impl.firehose.states import FailureDescription, FailureType, KeyConfig
from reference_impl.principals import FIREHOSE_PRINCIPAL, account_root

GRANT_OPERATIONS = [
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "DescribeKey",
    "RetireGrant",
]


@dataclass
class HeldGrant:
    key_arn: str
    grant_id: str
    retiring: bool = False
    # With a grant-retirement latency: when the grant, no longer needed, may be retired.
    retire_after: float | None = None


@dataclass
class GrantBook:
    """The grants one stream holds, by CMK ARN."""

    held: dict[str, HeldGrant] = field(default_factory=dict)


class GrantAgent:
    """Creates and retires a stream's grants through the KMS model."""

    def __init__(self, kms: Any, account_id: str) -> None:
        self.kms = kms
        self.caller = account_root(account_id)

    def acquire(
        self, book: GrantBook, config: KeyConfig, stream_name: str
    ) -> FailureDescription | None:
        """Make sure the stream holds a working grant on the CMK; a failure says why not.

        AMB-01 (c) / AMB-22 (chosen): a key that is not a symmetric encryption key (asymmetric or
        HMAC) is accepted by Start/Create and fails here, with INVALID_KMS_KEY (KEY-01, KEY-02).
        """
        arn = config.key_arn or ""
        try:
            key = self.kms.resolve(arn)
            if not key.is_symmetric_encryption:
                return FailureDescription(
                    FailureType.INVALID_KMS_KEY,
                    f"KMS key {key.arn} has KeySpec {key.spec} and KeyUsage {key.usage}: it is not "
                    "a symmetric encryption KMS key; Firehose supports only symmetric CMKs.",
                )
            held = book.held.get(key.arn)
            if held is not None and not self._exists(held):
                held = None  # revoked by the customer meanwhile: Firehose needs a new grant
            created = held is None
            if held is None:
                grant = self.kms.create_grant(
                    key.arn,
                    caller=self.caller,
                    grantee_principal=FIREHOSE_PRINCIPAL,
                    operations=list(GRANT_OPERATIONS),
                    retiring_principal=FIREHOSE_PRINCIPAL,
                    name=_grant_name(stream_name),
                )
                held = HeldGrant(key.arn, grant.grant_id)
            # The grant alone is not enough: the key must be usable by Firehose through it now
            # (e.g. not disabled, not explicitly denied to Firehose by the key policy, KEY-07).
            try:
                for operation in ("GenerateDataKey", "Decrypt"):
                    self.kms.check_usable(key.arn, caller=FIREHOSE_PRINCIPAL, operation=operation)
            except AwsError:
                if created:
                    self._retire_quietly(held)
                raise
        except AwsError as error:
            return kms_crosswalk.failure(error, f"Firehose could not use KMS key {arn}")
        held.retiring = False
        held.retire_after = None
        book.held[key.arn] = held
        return None

    def retire(self, book: GrantBook, key_arn: str) -> AwsError | None:
        """Retire the stream's grant on the CMK; return the KMS error if that failed."""
        held = book.held.get(key_arn)
        if held is None:
            return None
        try:
            self.kms.retire_grant(held.key_arn, held.grant_id, caller=FIREHOSE_PRINCIPAL)
        except AwsError as error:
            return error
        del book.held[key_arn]
        return None

    def _exists(self, held: HeldGrant) -> bool:
        return any(grant.grant_id == held.grant_id for grant in self.kms.grants(held.key_arn))

    def _retire_quietly(self, held: HeldGrant) -> None:
        with contextlib.suppress(AwsError):
            self.kms.retire_grant(held.key_arn, held.grant_id, caller=FIREHOSE_PRINCIPAL)


def _grant_name(stream_name: str) -> str:
    """KMS grant names allow ``[a-zA-Z0-9:/_-]``; stream names may also contain dots."""
    return "firehose-" + re.sub(r"[^a-zA-Z0-9:/_-]", "-", stream_name)
