"""Keys: CreateKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
UpdateKeyDescription and the tag operations; and the instant deletion the suite may ask for."""

from __future__ import annotations

from dataclasses import dataclass

from reference_impl.arns import partition
from reference_impl.kms import faults
from reference_impl.kms.key import Key, KeyManager, Origin
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.paging import paginate
from reference_impl.kms.policy import KeyPolicy
from reference_impl.kms.policy_service import require_no_lockout
from reference_impl.kms.specs import (
    ALLOWED_USAGES,
    ENCRYPT_DECRYPT,
    ML_KEM_SPECS,
    SYMMETRIC_DEFAULT,
)

DEFAULT_WINDOW_DAYS = 30
MIN_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 30


@dataclass
class KeyService:
    registry: KeyRegistry

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
        origin: Origin = Origin.AWS_KMS,
    ) -> Key:
        registry = self.registry
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
        if spec in ML_KEM_SPECS and partition(registry.region) == "aws-cn":
            # KeySpec doc: "The ML-KEM key specs are not available in China Regions."
            raise faults.unsupported(f"KeySpec {spec} is not available in {registry.region}.")
        if origin is Origin.EXTERNAL and spec != SYMMETRIC_DEFAULT:
            # CreateKey Origin doc: "The EXTERNAL origin value is valid only for symmetric KMS
            # keys." (ImportKeyMaterial's doc also names HMAC and asymmetric keys; the reference
            # imports 256-bit symmetric encryption material only.)
            raise faults.unsupported(
                f"The reference implementation creates keys of Origin EXTERNAL with KeySpec "
                f"{SYMMETRIC_DEFAULT} only, not {spec}."
            )
        parsed = (
            KeyPolicy.parse(policy)
            if policy is not None
            else KeyPolicy.default(registry.account_id, registry.region)
        )
        if not bypass_policy_lockout_safety_check:
            require_no_lockout(parsed, caller)
        return registry.add_key(
            spec, key_usage, parsed, description, tags or {}, KeyManager.CUSTOMER, origin
        )

    def list_keys(
        self, *, limit: int | None, marker: str | None, owners: frozenset[str] = frozenset()
    ) -> tuple[list[Key], str | None]:
        """ResourceOwners: "If you omit this parameter, ListKeys lists only the KMS keys in your
        Amazon Web Services account"; SELF names those keys. OTHER_ACCOUNTS_VIA_RAM names keys
        other accounts share through RAM, which the reference has none of (one account, no RAM),
        so it adds nothing and alone lists no key."""
        keys = self.registry.keys() if not owners or "SELF" in owners else []
        return paginate(
            keys, lambda k: k.seq, limit=limit, marker=marker, default=100, maximum=1000
        )

    def _authorized(self, key_id: str, caller: str, operation: str) -> Key:
        key = self.registry.resolve(key_id)
        self.registry.authorize(key, caller, operation)
        return key

    def enable_key(self, key_id: str, *, caller: str) -> None:
        self._authorized(key_id, caller, "EnableKey").enable()

    def disable_key(self, key_id: str, *, caller: str) -> None:
        self._authorized(key_id, caller, "DisableKey").disable()

    def schedule_key_deletion(
        self, key_id: str, *, caller: str, pending_window_in_days: int | None = None
    ) -> Key:
        window = DEFAULT_WINDOW_DAYS if pending_window_in_days is None else pending_window_in_days
        if not MIN_WINDOW_DAYS <= window <= MAX_WINDOW_DAYS:
            raise faults.validation(
                f"PendingWindowInDays must be between {MIN_WINDOW_DAYS} and {MAX_WINDOW_DAYS} "
                f"days, inclusive; {window} is not."
            )
        key = self._authorized(key_id, caller, "ScheduleKeyDeletion")
        clock = self.registry.clock
        when = key.schedule_deletion(clock.now(), window)
        victim = key.key_id
        key.deletion_timer = clock.call_at(
            when, lambda: self.registry.purge(victim), label=f"KMS deletes {key.arn}"
        )
        return key

    def cancel_key_deletion(self, key_id: str, *, caller: str) -> Key:
        key = self._authorized(key_id, caller, "CancelKeyDeletion")
        key.cancel_deletion()
        return key

    def delete_key_now(self, key_id: str) -> None:
        """The "key deletion" capability: as if the key's deletion window had just passed."""
        self.registry.purge(self.registry.resolve(key_id).key_id)

    def update_key_description(self, key_id: str, description: str, *, caller: str) -> None:
        key = self._authorized(key_id, caller, "UpdateKeyDescription")
        key.require_not_pending_deletion()
        key.description = description

    # ---------------------------------------------------------------- tags

    def tag_resource(self, key_id: str, tags: dict[str, str], *, caller: str) -> None:
        key = self._authorized(key_id, caller, "TagResource")
        key.require_not_pending_deletion()
        key.tags.update(tags)

    def untag_resource(self, key_id: str, tag_keys: list[str], *, caller: str) -> None:
        key = self._authorized(key_id, caller, "UntagResource")
        key.require_not_pending_deletion()
        for tag_key in tag_keys:
            key.tags.pop(tag_key, None)

    def list_resource_tags(
        self, key_id: str, *, caller: str, limit: int | None, marker: str | None
    ) -> tuple[list[tuple[str, str]], str | None]:
        key = self._authorized(key_id, caller, "ListResourceTags")
        items = list(enumerate(key.tags.items()))
        page, next_marker = paginate(
            items, lambda item: item[0], limit=limit, marker=marker, default=50, maximum=50
        )
        return [pair for _, pair in page], next_marker
