"""Deviants and conforming variants of the KMS behaviour the spec mirrors: key states, key usage,
enums (KEY-08..10), and how KMS changes reach Firehose."""

from __future__ import annotations

from typing import Any

import reference_impl.kms.grant_service
from reference_impl.errors import AwsError
from reference_impl.firehose.storage import EnvelopeStore
from reference_impl.kms import faults
from reference_impl.kms.crypto_service import CryptoService
from reference_impl.kms.grant_service import GrantService
from reference_impl.kms.key import Key, KeyState
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.key_service import KeyService
from reference_impl.kms.policy_service import PolicyService
from reference_impl.principals import FIREHOSE_PRINCIPAL
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant


@deviant(
    "kms-disabled-key-still-usable", "KEY-08", evidence="succeeded; expected DisabledException"
)
def kms_disabled_key_still_usable(p: Patcher) -> None:
    """KMS lets a Disabled key encrypt, make data keys and take grants (only deletion stops it)."""

    def require_enabled(self: Key) -> None:
        if self.state is KeyState.PENDING_DELETION:
            raise faults.pending_deletion(self.arn)
        self.require_not_pending_import()

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


# ---- conforming variants: KMS's other documented answers -----------------------------------------
# How long after a change Firehose's own KMS calls still see the key as it was.
KEY_CHANGE_PROPAGATION_SECONDS = 10.0  # DisableKey, ScheduleKeyDeletion, PutKeyPolicy
GRANT_CHANGE_PROPAGATION_SECONDS = 60.0  # RevokeGrant ("usually less than five minutes")


@conforming(
    "kms-changes-reach-firehose-late",
    "PUT-02",
    "RET-01",
    "RET-02",
    "RET-03",
    "RET-05",
    "MET-01",
    "MET-02",
    "MET-03",
    "MET-04",
    "MET-05",
    "MET-06",
    "MET-07",
    "MET-08",
    allowed_by="BC-KMS DisableKey, ScheduleKeyDeletion, PutKeyPolicy: 'The KMS API follows an "
    "eventual consistency model.'; BC-KMS RevokeGrant: 'there might be a brief delay, usually "
    "less than five minutes, until the grant is available throughout KMS' (AMB-29)",
)
def kms_changes_reach_firehose_late(p: Patcher) -> None:
    """KMS changes reach Firehose's data plane late: for 10 s after DisableKey,
    ScheduleKeyDeletion or PutKeyPolicy (60 s after RevokeGrant), Firehose's GenerateDataKey at a
    put and Decrypt at delivery still succeed as before the change.

    The KMS API itself shows each change at once (DescribeKey, ListGrants), and Start's and
    Create's checks of the key are not delayed; a key deleted outright is gone at once.
    """
    data_plane: list[bool] = []  # non-empty while Firehose seals or opens records

    def propagating(registry: KeyRegistry) -> dict[str, float]:
        return registry.__dict__.setdefault("propagating", {})

    def note_change(seconds: float) -> Any:
        def wrap(original: Any, self: Any, key_id: str, *args: Any, **kwargs: Any) -> Any:
            result = original(self, key_id, *args, **kwargs)
            key = self.registry.resolve(key_id)
            until = self.registry.clock.now() + seconds
            changes = propagating(self.registry)
            changes[key.key_id] = max(changes.get(key.key_id, until), until)
            return result

        return wrap

    for owner, name, seconds in (
        (KeyService, "disable_key", KEY_CHANGE_PROPAGATION_SECONDS),
        (KeyService, "schedule_key_deletion", KEY_CHANGE_PROPAGATION_SECONDS),
        (PolicyService, "put_key_policy", KEY_CHANGE_PROPAGATION_SECONDS),
        (GrantService, "revoke_grant", GRANT_CHANGE_PROPAGATION_SECONDS),
    ):
        p.around(owner, name)(note_change(seconds))

    def in_data_plane(original: Any, *args: Any, **kwargs: Any) -> Any:
        data_plane.append(True)
        try:
            return original(*args, **kwargs)
        finally:
            data_plane.pop()

    p.around(EnvelopeStore, "seal")(in_data_plane)
    p.around(EnvelopeStore, "_unwrap")(in_data_plane)

    @p.around(CryptoService, "_admit")
    def admit(
        original: Any, self: CryptoService, key: Key, caller: str, *args: Any, **kwargs: Any
    ) -> None:
        until = propagating(self.registry).get(key.key_id)
        if (
            data_plane
            and caller == FIREHOSE_PRINCIPAL
            and until is not None
            and self.registry.clock.now() < until
        ):
            return  # the change has not reached this caller yet
        original(self, key, caller, *args, **kwargs)


@conforming(
    "pending-deletion-answers-disabled",
    "KEY-07",
    "KEY-08",
    "KEY-10",
    "PUT-02",
    "RET-01",
    "RET-05",
    "MET-01",
    "MET-04",
    "MET-05",
    allowed_by="KEY-08 / KMS-DG key-state.md footnotes [2] and [3]: a key pending deletion "
    "answers DisabledException or KMSInvalidStateException; AMB-02 ('the Type and the metric "
    "differ between implementations') and AMB-13 ('whether KMSKeyDisabled or "
    "KMSKeyInvalidState increments depends on KMS')",
)
def pending_deletion_answers_disabled(p: Patcher) -> None:
    """KMS answers DisabledException (footnote [2]) to cryptographic calls and CreateGrant on a
    key pending deletion, where the reference answers KMSInvalidStateException (footnote [3]).

    A key pending import still answers KMSInvalidStateException (footnote [5], the only answer
    documented for it), so MET-05 stays observable through it.
    """

    @p.around(Key, "require_enabled")
    def enabled(original: Any, self: Key) -> None:
        if self.state is KeyState.PENDING_DELETION:
            raise AwsError("DisabledException", f"{self.arn} is pending deletion.")
        original(self)
