"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant, and the check of
the grant tokens a request carries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from reference_impl.kms import faults
from reference_impl.kms.access import authorize_retire
from reference_impl.kms.grant import Grant, GrantConstraints, validate_operations
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.paging import paginate


@dataclass
class GrantService:
    registry: KeyRegistry

    def create_grant(
        self,
        key_id: str,
        *,
        caller: str,
        grantee_principal: str | None = None,
        operations: list[str],
        retiring_principal: str | None = None,
        name: str | None = None,
        constraints: GrantConstraints | None = None,
        dry_run: bool = False,
        grantee_service_principal: str | None = None,
        retiring_service_principal: str | None = None,
    ) -> Grant:
        """A grant for ``grantee_principal`` or (exclusively) ``grantee_service_principal``.

        The rules between the principal parameters are the wire layer's (api.py); here exactly
        one grantee is given.
        """
        assert (grantee_principal is None) != (grantee_service_principal is None)
        key = self.registry.resolve(key_id)
        parent = self.registry.authorize(key, caller, "CreateGrant")
        if parent is not None and not set(operations) <= set(parent.operations):
            # A grant that allows CreateGrant lets its grantee create grants "that are equally
            # restrictive or more restrictive" (KMS-DG grants.md).
            raise faults.access_denied(caller, "CreateGrant", key.arn, explicit=False)
        key.require_enabled()
        validate_operations(
            list(operations),
            key.key_class,
            key.spec,
            key.usage,
            constraints is not None and constraints.on_encryption_context,
        )
        if dry_run:
            raise faults.dry_run()
        grant = Grant(
            grant_id=self.registry.grants.new_id(),
            key_id=key.key_id,
            key_arn=key.arn,
            grantee_principal=grantee_principal,
            operations=list(dict.fromkeys(operations)),
            issuing_account_id=self.registry.account_id,
            creation_date=self.registry.clock.now(),
            seq=self.registry.next_seq(),
            retiring_principal=retiring_principal,
            name=name,
            constraints=constraints,
            grantee_service_principal=grantee_service_principal,
            retiring_service_principal=retiring_service_principal,
        )
        if name is not None:
            for existing in self.registry.grants.find_named(key.key_id, name):
                if existing.same_request(grant):
                    return dataclasses.replace(
                        existing, token=self.registry.grants.issue_token(existing)
                    )
        self.registry.grants.add(grant)
        grant.token = self.registry.grants.issue_token(grant)
        return grant

    def grants(self, key_id: str) -> list[Grant]:
        return self.registry.grants.for_key(self.registry.resolve(key_id).key_id)

    def list_grants(
        self,
        key_id: str,
        *,
        caller: str,
        grant_id: str | None = None,
        grantee_principal: str | None = None,
        grantee_service_principal: str | None = None,
        limit: int | None = None,
        marker: str | None = None,
    ) -> tuple[list[Grant], str | None]:
        key = self.registry.resolve(key_id)
        self.registry.authorize(key, caller, "ListGrants")
        if grant_id is not None:
            _require_grant_id_format(grant_id)
        grants = [
            g
            for g in self.registry.grants.for_key(key.key_id)
            if (grant_id is None or g.grant_id == grant_id)
            and (grantee_principal is None or g.grantee_principal == grantee_principal)
            and (
                grantee_service_principal is None
                or g.grantee_service_principal == grantee_service_principal
            )
        ]
        return paginate(
            grants, lambda g: g.seq, limit=limit, marker=marker, default=50, maximum=100
        )

    def list_retirable_grants(
        self,
        retiring_principal: str | None = None,
        *,
        retiring_service_principal: str | None = None,
        limit: int | None = None,
        marker: str | None = None,
    ) -> tuple[list[Grant], str | None]:
        """The grants whose RetiringPrincipal (or RetiringServicePrincipal) is the one given."""
        grants = [
            g
            for g in self.registry.grants
            if (retiring_principal is not None and g.retiring_principal == retiring_principal)
            or (
                retiring_service_principal is not None
                and g.retiring_service_principal == retiring_service_principal
            )
        ]
        return paginate(
            grants, lambda g: g.seq, limit=limit, marker=marker, default=50, maximum=100
        )

    def retire_grant(
        self, key_id: str, grant_id: str, *, caller: str, dry_run: bool = False
    ) -> None:
        key = self.registry.resolve(key_id)
        _require_grant_id_format(grant_id)
        grant = self.registry.grants.get(key.key_id, grant_id)
        authorize_retire(key, grant, caller)
        if dry_run:
            raise faults.dry_run()
        self.registry.grants.remove(grant)

    def retire_grant_by_token(
        self, token: str, *, caller: str, key_id: str | None = None, dry_run: bool = False
    ) -> None:
        grant = self.registry.grants.by_token(token)
        key = self.registry.keys_by_id[grant.key_id]
        if key_id is not None and self.registry.resolve(key_id) is not key:
            raise faults.validation("The KeyId does not identify the key of the grant token.")
        authorize_retire(key, grant, caller)
        if dry_run:
            raise faults.dry_run()
        self.registry.grants.remove(grant)

    def revoke_grant(
        self, key_id: str, grant_id: str, *, caller: str, dry_run: bool = False
    ) -> None:
        key = self.registry.resolve(key_id)
        self.registry.authorize(key, caller, "RevokeGrant")
        _require_grant_id_format(grant_id)
        grant = self.registry.grants.get(key.key_id, grant_id)
        if dry_run:
            raise faults.dry_run()
        self.registry.grants.remove(grant)

    def check_grant_tokens(self, tokens: list[str] | None) -> None:
        """GrantTokens in a request must be tokens KMS issued (InvalidGrantTokenException)."""
        self.registry.grants.check_tokens(tokens)


def _require_grant_id_format(grant_id: str) -> None:
    if len(grant_id) != 64 or any(ch not in "0123456789abcdef" for ch in grant_id):
        raise faults.invalid_grant_id(grant_id)
