"""The state of KMS in one account and Region, and how identifiers name keys in it.

The services (key_service.py, alias_service.py, policy_service.py, grant_service.py,
crypto_service.py) act on this one registry: the keys, the aliases, the grants, identifier
resolution, authorisation, and key removal.
"""

from __future__ import annotations

import itertools
import os

from reference_impl.clock import VirtualClock
from reference_impl.kms import faults, identifiers
from reference_impl.kms.access import authorize
from reference_impl.kms.alias import Alias, aws_managed_policy, predefined_service
from reference_impl.kms.grant import Grant
from reference_impl.kms.grant_store import GrantStore
from reference_impl.kms.identifiers import RefKind
from reference_impl.kms.key import Key, KeyManager, KeyState, Origin, new_material
from reference_impl.kms.key_material import NoMaterial
from reference_impl.kms.policy import KeyPolicy
from reference_impl.kms.specs import ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT


class KeyRegistry:
    def __init__(self, clock: VirtualClock, account_id: str, region: str) -> None:
        self.clock = clock
        self.account_id = account_id
        self.region = region
        self.keys_by_id: dict[str, Key] = {}
        self.aliases: dict[str, Alias] = {}
        self.grants = GrantStore()
        # One sequence for keys, aliases and grants: the creation order List* pages follow.
        self._seq = itertools.count(1)

    def next_seq(self) -> int:
        return next(self._seq)

    def resolve(self, key_id: str) -> Key:
        """The key any identifier names; NotFoundException if it does not exist (any more)."""
        ref = identifiers.parse(key_id)
        if ref.kind is RefKind.INVALID or ref.region == "":
            raise faults.invalid_key_id(key_id)
        if ref.kind in (RefKind.KEY_ARN, RefKind.ALIAS_ARN):
            if ref.region != self.region:
                # AWS's answer to a key ARN of another Region: "Invalid arn <region>".
                raise faults.invalid_arn_region(str(ref.region))
            if ref.account_id != self.account_id:
                if ref.kind is RefKind.KEY_ARN:
                    raise faults.key_not_found(key_id)
                raise faults.alias_not_found(key_id)
        if ref.is_alias:
            alias = self.aliases.get(ref.name) or self._predefined_alias(ref.name)
            if alias is None:
                raise faults.alias_not_found(self.alias_arn(ref.name))
            key = self.keys_by_id.get(alias.target_key_id)
        else:
            key = self.keys_by_id.get(ref.name)
        if key is None:
            raise faults.key_not_found(self.arn_of(ref.name))
        return key

    def describe(self, key_id: str, *, caller: str | None = None) -> Key:
        key = self.resolve(key_id)
        if caller is not None:
            self.authorize(key, caller, "DescribeKey")
        return key

    def key_arn(self, key_id: str) -> str:
        return self.resolve(key_id).arn

    def arn_of(self, key_id: str) -> str:
        """The ARN a key id has in this account and Region (whether or not the key exists)."""
        return identifiers.key_arn(key_id, self.account_id, self.region)

    def alias_arn(self, name: str) -> str:
        return identifiers.alias_arn(name, self.account_id, self.region)

    def authorize(
        self, key: Key, caller: str, operation: str, context: dict[str, str] | None = None
    ) -> Grant | None:
        return authorize(key, caller, operation, self.grants.for_key(key.key_id), context)

    def keys(self) -> list[Key]:
        return sorted(self.keys_by_id.values(), key=lambda k: k.seq)

    def add_key(
        self,
        spec: str,
        usage: str,
        policy: KeyPolicy,
        description: str,
        tags: dict[str, str],
        manager: KeyManager,
        origin: Origin = Origin.AWS_KMS,
    ) -> Key:
        """A new key. One of Origin EXTERNAL has no key material yet: "Keys with imported key
        material are created in the PendingImport state" (KMS-DG key-state.md)."""
        key_id = _new_key_id()
        external = origin is Origin.EXTERNAL
        key = Key(
            key_id=key_id,
            arn=self.arn_of(key_id),
            account_id=self.account_id,
            region=self.region,
            spec=spec,
            usage=usage,
            policy=policy,
            creation_date=self.clock.now(),
            seq=self.next_seq(),
            description=description,
            manager=manager,
            tags=dict(tags),
            material=NoMaterial() if external else new_material(spec, usage),
            material_id=None if external else os.urandom(32).hex(),
            origin=origin,
            state=KeyState.PENDING_IMPORT if external else KeyState.ENABLED,
        )
        self.keys_by_id[key_id] = key
        return key

    def _predefined_alias(self, name: str) -> Alias | None:
        """Create the AWS managed key behind a predefined "alias/aws/<service>" on first use."""
        service = predefined_service(name)
        if service is None:
            return None
        policy = KeyPolicy.parse(aws_managed_policy(service, self.account_id, self.region))
        description = f"Default key that protects my {service} data when no other key is defined"
        key = self.add_key(
            SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, policy, description, {}, KeyManager.AWS
        )
        return self.add_alias(name, key)

    def add_alias(self, name: str, key: Key) -> Alias:
        now = self.clock.now()
        alias = Alias(name, self.alias_arn(name), key.key_id, now, now, self.next_seq())
        self.aliases[name] = alias
        return alias

    def purge(self, key_id: str) -> None:
        """KMS "deletes the KMS key, its key material, and all KMS data associated with it,
        including all aliases that refer to it" (ScheduleKeyDeletion doc)."""
        key = self.keys_by_id.pop(key_id, None)
        if key is None:
            return
        for timer in (key.deletion_timer, key.expiry_timer):
            if timer is not None:
                timer.cancel()
        self.grants.remove_key(key_id)
        for name in [n for n, a in self.aliases.items() if a.target_key_id == key_id]:
            del self.aliases[name]


def _new_key_id() -> str:
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # a version-4 UUID, like KMS key ids
    raw[8] = (raw[8] & 0x3F) | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
