"""Deviants of the KMS behaviour the spec mirrors: key states, key usage, enums (KEY-08..10)."""

from __future__ import annotations

from typing import Any

import reference_impl.kms.grant_service
from reference_impl.kms import faults
from reference_impl.kms.key import Key, KeyState
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import deviant


@deviant(
    "kms-disabled-key-still-usable", "KEY-08", evidence="succeeded; expected DisabledException"
)
def kms_disabled_key_still_usable(p: Patcher) -> None:
    """KMS lets a Disabled key encrypt, make data keys and take grants (only deletion stops it)."""

    def require_enabled(self: Key) -> None:
        if self.state is KeyState.PENDING_DELETION:
            raise faults.pending_deletion(self.arn)

    p.replace(Key, "require_enabled", require_enabled)


@deviant("kms-grants-allow-data-keys-on-any-key", "KEY-09", evidence="succeeded; expected")
def kms_grants_allow_data_keys_on_any_key(p: Patcher) -> None:
    """CreateGrant on an asymmetric or HMAC key accepts data-key operations such as
    GenerateDataKey."""
    p.replace(reference_impl.kms.grant_service, "validate_operations", lambda *args, **kwargs: None)


@deviant("kms-pending-deletion-shown-as-disabled", "KEY-10", evidence="KeyState Disabled")
def kms_pending_deletion_shown_as_disabled(p: Patcher) -> None:
    """DescribeKey shows KeyState Disabled for a key pending deletion (no such state)."""

    @p.around(Key, "metadata")
    def metadata(original: Any, self: Key) -> dict[str, Any]:
        meta = original(self)
        if meta.get("KeyState") == "PendingDeletion":
            meta["KeyState"] = "Disabled"
        return meta
