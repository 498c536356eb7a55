"""The KMS model: keys, aliases, key policies, grants and real cryptography, in one account/Region.

Python interface for the other models (stable: Firehose and Kinesis call exactly these names)
-------------------------------------------------------------------------------------------
Every ``key_id`` below accepts a key id, a key ARN, an alias name ("alias/x") or an alias ARN.
Every error is an ``AwsError`` carrying KMS's wire code: NotFoundException, DisabledException,
KMSInvalidStateException (a key pending deletion, AMB-13), AccessDeniedException,
InvalidKeyUsageException, InvalidCiphertextException, IncorrectKeyException, ValidationException.

- ``resolve(key_id) -> Key`` and ``describe(key_id) -> Key``: the key (no authorisation check).
  ``Key`` has ``key_id``, ``arn``, ``spec``, ``usage``, ``state`` ("Enabled" | "Disabled" |
  "PendingDeletion", a str enum) and ``is_symmetric_encryption`` (SYMMETRIC_DEFAULT +
  ENCRYPT_DECRYPT, the only keys AWS services encrypt data with: KEY-02).
- ``key_arn(key_id) -> str``.
- ``create_grant(key_id, *, caller, grantee_principal, operations, retiring_principal=None,
  name=None) -> Grant`` (``grant_id``, ``token``, ``key_arn``, ``grantee_principal``,
  ``operations``, ``retiring_principal``, ``name``). A grant for a service principal takes
  ``grantee_service_principal`` (and ``retiring_service_principal``) in place of the principal.
- ``retire_grant(key_id, grant_id, *, caller)``; ``revoke_grant(key_id, grant_id, *, caller)``;
  ``grants(key_id) -> list[Grant]``.
- ``generate_data_key(key_id, *, caller, encryption_context=None) -> DataKey`` (``plaintext``:
  32 bytes, ``ciphertext_blob``, ``key_arn``).
- ``encrypt(key_id, plaintext, *, caller, encryption_context=None) -> bytes``.
- ``decrypt(ciphertext_blob, *, caller, key_id=None, encryption_context=None) -> (plaintext,
  key ARN)``. A blob whose key no longer exists answers NotFoundException.
- ``check_usable(key_id, *, caller, operation="GenerateDataKey", encryption_context=None)``:
  raises exactly what that operation would raise, without doing any cryptography.
- ``delete_key_now(key_id)``: the key vanishes at once, as when its deletion window passes.

A grant may be retired by its retiring principal, by its grantee if it lists RetireGrant, or by
an IAM principal of the issuing account; revoking needs kms:RevokeGrant in the key policy. A
predefined "alias/aws/<service>" names an AWS managed key, created on first reference, that only
"<service>.amazonaws.com" may use (its policy requires kms:ViaService).

Callers. ``caller`` is a principal: an IAM ARN (the wire API uses ``account_root(account)``) or a
service principal ("firehose.amazonaws.com"). A service creates its grant as the API caller did
(the account root: AWS services call CreateGrant with the caller's credentials, GRT-04) and then
uses the key as its service principal, which the default key policy does not name, so only that
grant lets it in; revoking the grant takes it away, and a key-policy Deny for the service beats
the grant (access.py). Checks run in the order: key exists -> authorisation -> key state -> key
usage -> ciphertext.

Layout: registry.py (state, identifiers, authorisation), this module (keys, policies, aliases,
tags), grant_ops.py, crypto_ops.py; the wire layer is api.py.
"""

from __future__ import annotations

from reference_impl.errors import AwsError
from reference_impl.kms import faults
from reference_impl.kms.access import policy_decision
from reference_impl.kms.aliases import (
    Alias,
    require_alias_characters,
    require_alias_prefix,
    require_customer_alias,
    require_key_target,
)
from reference_impl.kms.crypto_ops import CryptoOperations, DataKey
from reference_impl.kms.grant_ops import GrantOperations
from reference_impl.kms.identifiers import partition
from reference_impl.kms.keys import Key, KeyManager, KeyState
from reference_impl.kms.paging import paginate
from reference_impl.kms.policy import Decision, KeyPolicy
from reference_impl.kms.specs import (
    ALLOWED_USAGES,
    ENCRYPT_DECRYPT,
    ML_KEM_SPECS,
    SYMMETRIC_DEFAULT,
)
from reference_impl.principals import account_root

DEFAULT_WINDOW_DAYS = 30
MIN_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 30


class KmsModel(GrantOperations, CryptoOperations):
    """KMS in one account and Region: keys, key policies, aliases and tags here; grants and
    cryptography in the base classes."""

    def create_key(
        self,
        *,
        caller: str,
        key_spec: str | None = None,
        key_usage: str | None = None,
        description: str = "",
        policy: str | None = None,
        tags: dict[str, str] | None = None,
        bypass_policy_lockout_safety_check: bool = False,
    ) -> Key:
        spec = key_spec or SYMMETRIC_DEFAULT
        if key_usage is None:
            if spec != SYMMETRIC_DEFAULT:
                # CreateKey KeyUsage doc: optional for symmetric encryption keys, "otherwise, it is
                # required"; AWS's message, verbatim.
                raise faults.validation(
                    "You must specify a KeyUsage value for all KMS keys except for symmetric "
                    "encryption keys."
                )
            key_usage = ENCRYPT_DECRYPT
        if key_usage not in ALLOWED_USAGES[spec]:
            raise faults.validation(
                f"KeyUsage {key_usage} is not compatible with KeySpec {spec}. Valid KeyUsage "
                f"values for {spec}: {', '.join(ALLOWED_USAGES[spec])}."
            )
        if spec in ML_KEM_SPECS and partition(self.region) == "aws-cn":
            # KeySpec doc: "The ML-KEM key specs are not available in China Regions."
            raise faults.unsupported(f"KeySpec {spec} is not available in {self.region}.")
        parsed = (
            KeyPolicy.parse(policy)
            if policy is not None
            else KeyPolicy.default(self.account_id, self.region)
        )
        if not bypass_policy_lockout_safety_check:
            self._lockout_check(parsed, caller)
        return self._add_key(spec, key_usage, parsed, description, tags or {}, KeyManager.CUSTOMER)

    def list_keys(
        self, *, limit: int | None, marker: str | None, owners: frozenset[str] = frozenset()
    ) -> tuple[list[Key], str | None]:
        """ResourceOwners: "If you omit this parameter, ListKeys lists only the KMS keys in your
        Amazon Web Services account"; SELF names those keys. OTHER_ACCOUNTS_VIA_RAM names keys
        other accounts share through RAM, which the reference has none of (one account, no RAM),
        so it adds nothing and alone lists no key."""
        keys = self.keys() if not owners or "SELF" in owners else []
        return paginate(
            keys, lambda k: k.seq, limit=limit, marker=marker, default=100, maximum=1000
        )

    def enable_key(self, key_id: str, *, caller: str) -> None:
        key = self.resolve(key_id)
        self._authorize(key, caller, "EnableKey")
        key.enable()

    def disable_key(self, key_id: str, *, caller: str) -> None:
        key = self.resolve(key_id)
        self._authorize(key, caller, "DisableKey")
        key.disable()

    def schedule_key_deletion(
        self, key_id: str, *, caller: str, pending_window_in_days: int | None = None
    ) -> Key:
        window = DEFAULT_WINDOW_DAYS if pending_window_in_days is None else pending_window_in_days
        if not MIN_WINDOW_DAYS <= window <= MAX_WINDOW_DAYS:
            raise faults.validation(
                f"PendingWindowInDays must be between {MIN_WINDOW_DAYS} and {MAX_WINDOW_DAYS} "
                f"days, inclusive; {window} is not."
            )
        key = self.resolve(key_id)
        self._authorize(key, caller, "ScheduleKeyDeletion")
        when = key.schedule_deletion(self.clock.now(), window)
        victim = key.key_id
        key.deletion_timer = self.clock.call_at(
            when, lambda: self._purge(victim), label=f"KMS deletes {key.arn}"
        )
        return key

    def cancel_key_deletion(self, key_id: str, *, caller: str) -> Key:
        key = self.resolve(key_id)
        self._authorize(key, caller, "CancelKeyDeletion")
        key.cancel_deletion()
        return key

    def delete_key_now(self, key_id: str) -> None:
        """The "key deletion" capability: as if the key's deletion window had just passed."""
        self._purge(self.resolve(key_id).key_id)

    def update_key_description(self, key_id: str, description: str, *, caller: str) -> None:
        key = self.resolve(key_id)
        self._authorize(key, caller, "UpdateKeyDescription")
        key.require_not_pending_deletion()
        key.description = description

    # ---------------------------------------------------------------- key policy

    def put_key_policy(
        self,
        key_id: str,
        policy: str,
        *,
        caller: str,
        bypass_policy_lockout_safety_check: bool = False,
    ) -> None:
        key = self.resolve(key_id)
        self._authorize(key, caller, "PutKeyPolicy")
        parsed = KeyPolicy.parse(policy)
        if not bypass_policy_lockout_safety_check:
            self._lockout_check(parsed, caller)
        key.policy = parsed

    def get_key_policy(self, key_id: str, *, caller: str) -> str:
        key = self.resolve(key_id)
        self._authorize(key, caller, "GetKeyPolicy")
        return key.policy.text

    @staticmethod
    def _lockout_check(policy: KeyPolicy, caller: str) -> None:
        """CreateKey/PutKeyPolicy: "The key policy must allow the calling principal to make a
        subsequent PutKeyPolicy request on the KMS key" unless BypassPolicyLockoutSafetyCheck."""
        probe = Key(
            key_id="",
            arn="",
            account_id="",
            region="",
            spec=SYMMETRIC_DEFAULT,
            usage=ENCRYPT_DECRYPT,
            policy=policy,
            creation_date=0.0,
            seq=0,
        )
        if policy_decision(probe, caller, "PutKeyPolicy") is not Decision.ALLOW:
            raise faults.malformed_policy(
                "The new key policy will not allow you to update the key policy in the future."
            )

    # ---------------------------------------------------------------- aliases

    def create_alias(self, alias_name: str, target_key_id: str, *, caller: str) -> Alias:
        require_alias_prefix(alias_name)
        require_alias_characters(alias_name)
        require_customer_alias(alias_name)
        require_key_target(target_key_id)
        if alias_name in self._aliases:
            raise AwsError(
                "AlreadyExistsException",
                f"An alias with the name {self._alias_arn(alias_name)} already exists",
            )
        key = self.resolve(target_key_id)
        self._authorize(key, caller, "CreateAlias")
        key.require_not_pending_deletion()
        return self._add_alias(alias_name, key)

    def update_alias(self, alias_name: str, target_key_id: str, *, caller: str) -> Alias:
        """UpdateAlias: "The current and new KMS key must be the same type (both symmetric or
        both asymmetric or both HMAC), and they must have the same key usage"; kms:UpdateAlias
        on both keys; "You don't have permission to associate an alias with an Amazon Web
        Services managed key" (its key policy grants no kms:UpdateAlias)."""
        require_alias_prefix(alias_name)
        require_alias_characters(alias_name)
        require_customer_alias(alias_name)
        require_key_target(target_key_id)
        alias = self._aliases.get(alias_name)
        if alias is None:
            raise faults.alias_not_found(self._alias_arn(alias_name))
        current = self._keys[alias.target_key_id]
        key = self.resolve(target_key_id)
        self._authorize(current, caller, "UpdateAlias")
        self._authorize(key, caller, "UpdateAlias")
        key.require_not_pending_deletion()
        if (key.key_class, key.usage) != (current.key_class, current.usage):
            raise faults.validation(
                f"Alias {alias.arn} names a {current.key_class} KMS key with KeyUsage "
                f"{current.usage}; {key.arn} is a {key.key_class} KMS key with KeyUsage "
                f"{key.usage}. The current and new KMS key must be the same type and have the "
                "same key usage."
            )
        alias.target_key_id = key.key_id
        alias.last_updated = self.clock.now()
        return alias

    def delete_alias(self, alias_name: str, *, caller: str) -> None:
        require_alias_prefix(alias_name)
        require_customer_alias(alias_name)
        alias = self._aliases.get(alias_name)
        if alias is None:
            raise faults.alias_not_found(self._alias_arn(alias_name))
        key = self._keys[alias.target_key_id]
        self._authorize(key, caller, "DeleteAlias")
        del self._aliases[alias_name]

    def list_aliases(
        self, *, key_id: str | None, limit: int | None, marker: str | None
    ) -> tuple[list[Alias], str | None]:
        aliases = sorted(self._aliases.values(), key=lambda a: a.seq)
        if key_id is not None:
            target = self.resolve(key_id).key_id
            aliases = [a for a in aliases if a.target_key_id == target]
        return paginate(
            aliases, lambda a: a.seq, limit=limit, marker=marker, default=50, maximum=100
        )

    # ---------------------------------------------------------------- tags

    def tag_resource(self, key_id: str, tags: dict[str, str], *, caller: str) -> None:
        key = self.resolve(key_id)
        self._authorize(key, caller, "TagResource")
        key.require_not_pending_deletion()
        key.tags.update(tags)

    def untag_resource(self, key_id: str, tag_keys: list[str], *, caller: str) -> None:
        key = self.resolve(key_id)
        self._authorize(key, caller, "UntagResource")
        key.require_not_pending_deletion()
        for tag_key in tag_keys:
            key.tags.pop(tag_key, None)

    def list_resource_tags(
        self, key_id: str, *, caller: str, limit: int | None, marker: str | None
    ) -> tuple[list[tuple[str, str]], str | None]:
        key = self.resolve(key_id)
        self._authorize(key, caller, "ListResourceTags")
        items = list(enumerate(key.tags.items()))
        page, next_marker = paginate(
            items, lambda item: item[0], limit=limit, marker=marker, default=50, maximum=50
        )
        return [pair for _, pair in page], next_marker

    @property
    def api_caller(self) -> str:
        """Every wire API call is made by the account's root principal."""
        return account_root(self.account_id)


__all__ = ["DataKey", "KeyState", "KmsModel"]
