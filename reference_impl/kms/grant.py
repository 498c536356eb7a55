"""Grants: who may use a key for which operations, without changing its key policy.

Grants take effect at once in the reference. KMS documents an eventual-consistency delay ("usually
less than five minutes") that clients bridge with grant tokens (AMB-29); the reference has no
delay, so a grant token is only an alternative way to name the grant in RetireGrant.

A grant's grantee is a principal (GranteePrincipal, an IAM ARN; the reference's own services also
use it for their service principals) or a service principal (GranteeServicePrincipal), and so is
its retiring principal. A SourceArn constraint allows the grant's operations (but RetireGrant) only
for requests made on behalf of that resource; no request in the reference is made on behalf of a
resource (no caller carries an aws:SourceArn), so such a grant allows none of them: it is honoured
as the narrowing it is, never ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reference_impl.kms import faults
from reference_impl.kms.specs import GRANT_OPERATIONS_EVERY_KEY, KeyClass, grant_operations_for


@dataclass(frozen=True)
class GrantConstraints:
    """EncryptionContextSubset / EncryptionContextEquals / SourceArn (GrantConstraints shape)."""

    subset: dict[str, str] | None = None
    equals: dict[str, str] | None = None
    source_arn: str | None = None

    @property
    def on_encryption_context(self) -> bool:
        return self.subset is not None or self.equals is not None

    def allow(self, encryption_context: dict[str, str] | None) -> bool:
        """The encryption context constraints (SourceArn is checked by ``Grant.permits``)."""
        context = encryption_context or {}
        if self.equals is not None and context != self.equals:
            return False
        return self.subset is None or all(context.get(k) == v for k, v in self.subset.items())

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.subset is not None:
            out["EncryptionContextSubset"] = dict(self.subset)
        if self.equals is not None:
            out["EncryptionContextEquals"] = dict(self.equals)
        if self.source_arn is not None:
            out["SourceArn"] = self.source_arn
        return out


@dataclass(eq=False)
class Grant:
    grant_id: str
    key_id: str
    key_arn: str
    grantee_principal: str | None
    operations: list[str]
    issuing_account_id: str
    creation_date: float
    seq: int
    retiring_principal: str | None = None
    name: str | None = None
    constraints: GrantConstraints | None = None
    token: str = field(default="", repr=False)
    grantee_service_principal: str | None = None
    retiring_service_principal: str | None = None

    @property
    def grantee(self) -> str:
        """Whom the grant's permissions are for: its GranteePrincipal or GranteeServicePrincipal."""
        return self.grantee_principal or self.grantee_service_principal or ""

    def retirable_by(self, principal: str) -> bool:
        """``principal`` is the grant's RetiringPrincipal or RetiringServicePrincipal."""
        return principal in (self.retiring_principal, self.retiring_service_principal)

    @property
    def issuing_account(self) -> str:
        """As ListGrants shows it: the account's root ARN."""
        partition = self.key_arn.split(":")[1]
        return f"arn:{partition}:iam::{self.issuing_account_id}:root"

    def permits(
        self,
        operation: str,
        encryption_context: dict[str, str] | None = None,
        source_arn: str | None = None,
    ) -> bool:
        """Encryption context constraints apply to cryptographic operations only; SourceArn to
        every operation but RetireGrant (GrantConstraints doc)."""
        if operation not in self.operations:
            return False
        constraints = self.constraints
        if constraints is None or operation == "RetireGrant":
            return True
        if constraints.source_arn is not None and source_arn != constraints.source_arn:
            return False
        if operation in GRANT_OPERATIONS_EVERY_KEY:
            return True
        return constraints.allow(encryption_context)

    def same_request(self, other: Grant) -> bool:
        """CreateGrant with an existing grant's name and the same parameters returns that grant."""
        return (
            self.grantee_principal == other.grantee_principal
            and self.grantee_service_principal == other.grantee_service_principal
            and sorted(self.operations) == sorted(other.operations)
            and self.retiring_principal == other.retiring_principal
            and self.retiring_service_principal == other.retiring_service_principal
            and self.constraints == other.constraints
        )

    def wire(self) -> dict[str, Any]:
        """``GrantListEntry``."""
        entry: dict[str, Any] = {
            "KeyId": self.key_arn,
            "GrantId": self.grant_id,
            "CreationDate": datetime.fromtimestamp(self.creation_date, tz=UTC),
            "IssuingAccount": self.issuing_account,
            "Operations": list(self.operations),
        }
        for member, value in (
            ("GranteePrincipal", self.grantee_principal),
            ("GranteeServicePrincipal", self.grantee_service_principal),
            ("Name", self.name),
            ("RetiringPrincipal", self.retiring_principal),
            ("RetiringServicePrincipal", self.retiring_service_principal),
        ):
            if value is not None:
                entry[member] = value
        if self.constraints is not None:
            entry["Constraints"] = self.constraints.wire()
        return entry


def validate_operations(
    operations: list[str], klass: KeyClass, spec: str, usage: str, on_encryption_context: bool
) -> None:
    """CreateGrant's service-level checks (KEY-09, AMB-22; KMS-DG grants.md)."""
    if not operations:
        raise faults.validation("Grants must include at least one operation.")
    if set(operations) == {"CreateGrant"}:
        raise faults.validation("Grants must not contain only the CreateGrant operation.")
    unsupported = sorted(set(operations) - grant_operations_for(klass))
    if unsupported:
        # KMS-DG grants.md: "If you specify an unsupported operation, the CreateGrant request
        # fails with a ValidationError exception." KMS's wire code is ValidationException.
        raise faults.validation(
            f"Operations {unsupported} are not supported by a KMS key with KeySpec {spec} and "
            f"KeyUsage {usage}. Grants for asymmetric or HMAC KMS keys cannot allow operations "
            "that the key cannot perform, such as generating data keys."
        )
    if on_encryption_context and klass is not KeyClass.SYMMETRIC_ENCRYPTION:
        # SourceArn, by contrast, "is supported on grants for all types of KMS keys".
        raise faults.validation(
            "Encryption context grant constraints are supported only on symmetric encryption "
            "KMS keys."
        )
