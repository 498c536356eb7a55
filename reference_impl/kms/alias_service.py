"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.errors import AwsError
from reference_impl.kms import faults
from reference_impl.kms.alias import (
    Alias,
    require_alias_characters,
    require_alias_prefix,
    require_customer_alias,
    require_key_target,
)
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.paging import paginate


def _require_valid_request(alias_name: str, target_key_id: str) -> None:
    """The checks of CreateAlias and UpdateAlias that come before any key is looked up."""
    require_alias_prefix(alias_name)
    require_alias_characters(alias_name)
    require_customer_alias(alias_name)
    require_key_target(target_key_id)


@dataclass
class AliasService:
    registry: KeyRegistry

    def _existing(self, alias_name: str) -> Alias:
        alias = self.registry.aliases.get(alias_name)
        if alias is None:
            raise faults.alias_not_found(self.registry.alias_arn(alias_name))
        return alias

    def create_alias(self, alias_name: str, target_key_id: str, *, caller: str) -> Alias:
        registry = self.registry
        _require_valid_request(alias_name, target_key_id)
        if alias_name in registry.aliases:
            raise AwsError(
                "AlreadyExistsException",
                f"An alias with the name {registry.alias_arn(alias_name)} already exists",
            )
        key = registry.resolve(target_key_id)
        registry.authorize(key, caller, "CreateAlias")
        key.require_not_pending_deletion()
        return registry.add_alias(alias_name, key)

    def update_alias(self, alias_name: str, target_key_id: str, *, caller: str) -> Alias:
        """UpdateAlias: "The current and new KMS key must be the same type (both symmetric or
        both asymmetric or both HMAC), and they must have the same key usage"; kms:UpdateAlias
        on both keys; "You don't have permission to associate an alias with an Amazon Web
        Services managed key" (its key policy grants no kms:UpdateAlias)."""
        registry = self.registry
        _require_valid_request(alias_name, target_key_id)
        alias = self._existing(alias_name)
        current = registry.keys_by_id[alias.target_key_id]
        key = registry.resolve(target_key_id)
        registry.authorize(current, caller, "UpdateAlias")
        registry.authorize(key, caller, "UpdateAlias")
        key.require_not_pending_deletion()
        if (key.key_class, key.usage) != (current.key_class, current.usage):
            raise faults.validation(
                f"Alias {alias.arn} names a {current.key_class} KMS key with KeyUsage "
                f"{current.usage}; {key.arn} is a {key.key_class} KMS key with KeyUsage "
                f"{key.usage}. The current and new KMS key must be the same type and have the "
                "same key usage."
            )
        alias.target_key_id = key.key_id
        alias.last_updated = registry.clock.now()
        return alias

    def delete_alias(self, alias_name: str, *, caller: str) -> None:
        require_alias_prefix(alias_name)
        require_customer_alias(alias_name)
        alias = self._existing(alias_name)
        key = self.registry.keys_by_id[alias.target_key_id]
        self.registry.authorize(key, caller, "DeleteAlias")
        del self.registry.aliases[alias_name]

    def list_aliases(
        self, *, key_id: str | None, limit: int | None, marker: str | None
    ) -> tuple[list[Alias], str | None]:
        aliases = sorted(self.registry.aliases.values(), key=lambda a: a.seq)
        if key_id is not None:
            target = self.registry.resolve(key_id).key_id
            aliases = [a for a in aliases if a.target_key_id == target]
        return paginate(
            aliases, lambda a: a.seq, limit=limit, marker=marker, default=50, maximum=100
        )
