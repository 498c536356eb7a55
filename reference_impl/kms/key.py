"""A KMS key: its metadata, its key state machine and (privately) its key material.

Key states modelled: Enabled, Disabled, PendingDeletion and PendingImport (KMS-DG key-state.md).
A key whose deletion window has passed is removed from the model altogether, so every later
reference to it answers NotFoundException.

    Enabled  --DisableKey-->          Disabled
    Disabled --EnableKey-->           Enabled
    Enabled|Disabled|PendingImport --ScheduleKeyDeletion--> PendingDeletion --(window)--> gone
    PendingDeletion  --CancelKeyDeletion-->   Disabled (PendingImport if its material is gone)

A key of Origin EXTERNAL (imported key material, import_service.py) starts PendingImport:

    PendingImport --ImportKeyMaterial-->                      Enabled
    Enabled|Disabled|PendingImport --DeleteImportedKeyMaterial, or the material's ValidTo-->
        PendingImport (a key PendingDeletion keeps its state and loses its material)

So a key Enabled or Disabled always has its material; PendingImport never has.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from reference_impl.clock import Timer
from reference_impl.kms import faults
from reference_impl.kms.key_material import KeyMaterial, NoMaterial, RsaMaterial, SymmetricMaterial
from reference_impl.kms.policy import KeyPolicy
from reference_impl.kms.specs import (
    ENCRYPT_DECRYPT,
    RSA_BITS,
    SYMMETRIC_DEFAULT,
    KeyClass,
    algorithm_fields,
    key_class,
)

SECONDS_PER_DAY = 86400.0


class KeyState(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"
    PENDING_IMPORT = "PendingImport"


class Origin(StrEnum):
    """CreateKey ``Origin``: who made the key material. The reference makes AWS_KMS and
    EXTERNAL keys (no custom key stores: AWS_CLOUDHSM, EXTERNAL_KEY_STORE)."""

    AWS_KMS = "AWS_KMS"
    EXTERNAL = "EXTERNAL"


class ExpirationModel(StrEnum):
    EXPIRES = "KEY_MATERIAL_EXPIRES"
    DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"


class KeyManager(StrEnum):
    CUSTOMER = "CUSTOMER"
    AWS = "AWS"


def new_material(spec: str, usage: str) -> KeyMaterial:
    if spec == SYMMETRIC_DEFAULT:
        return SymmetricMaterial()
    if spec in RSA_BITS and usage == ENCRYPT_DECRYPT:
        return RsaMaterial(RSA_BITS[spec])
    return NoMaterial()


@dataclass(eq=False)
class Key:
    key_id: str
    arn: str
    account_id: str
    region: str
    spec: str
    usage: str
    policy: KeyPolicy
    creation_date: float
    seq: int
    description: str = ""
    manager: KeyManager = KeyManager.CUSTOMER
    state: KeyState = KeyState.ENABLED
    tags: dict[str, str] = field(default_factory=dict)
    deletion_date: float | None = None
    pending_window_days: int | None = None
    material: KeyMaterial = field(default_factory=NoMaterial, repr=False)
    # CurrentKeyMaterialId. An EXTERNAL key has none until its first import; then it keeps the id
    # of the material it is permanently associated with, also while that material is deleted.
    material_id: str | None = field(default_factory=lambda: os.urandom(32).hex(), repr=False)
    deletion_timer: Timer | None = field(default=None, repr=False)
    origin: Origin = Origin.AWS_KMS
    # The current import of an EXTERNAL key's material (None while it has none).
    expiration_model: ExpirationModel | None = None
    valid_to: float | None = None
    expiry_timer: Timer | None = field(default=None, repr=False)
    # GetParametersForImport's answers, by import token (import_service.py).
    import_parameters: dict[bytes, Any] = field(default_factory=dict, repr=False)

    @property
    def key_class(self) -> KeyClass:
        return key_class(self.spec, self.usage)

    @property
    def is_symmetric_encryption(self) -> bool:
        """KEY-02: the only kind of key AWS services (Firehose, Kinesis) can encrypt data with."""
        return self.spec == SYMMETRIC_DEFAULT and self.usage == ENCRYPT_DECRYPT

    @property
    def enabled(self) -> bool:
        return self.state is KeyState.ENABLED

    @property
    def is_external(self) -> bool:
        return self.origin is Origin.EXTERNAL

    @property
    def lacks_material(self) -> bool:
        """An EXTERNAL key whose material was never imported, or was deleted or expired."""
        return self.is_external and isinstance(self.material, NoMaterial)

    # --- the key state machine -------------------------------------------------------------

    def require_enabled(self) -> None:
        """What a cryptographic operation or CreateGrant checks (KEY-08)."""
        if self.state is KeyState.DISABLED:
            raise faults.disabled(self.arn)
        if self.state is KeyState.PENDING_DELETION:
            raise faults.pending_deletion(self.arn)
        self.require_not_pending_import()

    def require_not_pending_deletion(self) -> None:
        if self.state is KeyState.PENDING_DELETION:
            raise faults.pending_deletion(self.arn)

    def require_not_pending_import(self) -> None:
        """KMS-DG key-state table, footnote [5]: CreateGrant, the cryptographic operations,
        EnableKey and DisableKey on a key PendingImport."""
        if self.state is KeyState.PENDING_IMPORT:
            raise faults.pending_import(self.arn)

    def enable(self) -> None:
        self.require_not_pending_deletion()
        self.require_not_pending_import()
        self.state = KeyState.ENABLED

    def disable(self) -> None:
        self.require_not_pending_deletion()
        self.require_not_pending_import()
        self.state = KeyState.DISABLED

    def schedule_deletion(self, now: float, window_days: int) -> float:
        self.require_not_pending_deletion()
        self.state = KeyState.PENDING_DELETION
        self.pending_window_days = window_days
        self.deletion_date = now + window_days * SECONDS_PER_DAY
        return self.deletion_date

    def cancel_deletion(self) -> None:
        if self.state is not KeyState.PENDING_DELETION:
            raise faults.not_pending_deletion(self.arn)
        if self.deletion_timer is not None:
            self.deletion_timer.cancel()
            self.deletion_timer = None
        # KMS-DG key-state table: PendingImport is the state of a key without its imported
        # material, whatever made it lose the material.
        self.state = KeyState.PENDING_IMPORT if self.lacks_material else KeyState.DISABLED
        self.deletion_date = None
        self.pending_window_days = None

    # --- imported key material (Origin EXTERNAL) -------------------------------------------

    def take_material(
        self,
        material: SymmetricMaterial,
        material_id: str,
        expiration_model: ExpirationModel,
        valid_to: float | None,
    ) -> None:
        """ImportKeyMaterial succeeded: "the key state of the KMS key changes from PendingImport
        to Enabled" (BC-KMS ImportKeyMaterial); a reimport into an Enabled or Disabled key keeps
        its state and sets the new expiration."""
        self.material = material
        self.material_id = material_id
        self.expiration_model = expiration_model
        self.valid_to = valid_to
        if self.state is KeyState.PENDING_IMPORT:
            self.state = KeyState.ENABLED

    def drop_material(self) -> None:
        """DeleteImportedKeyMaterial, or the material's ValidTo passed: "When the specified KMS
        key is in the PendingDeletion state, this operation does not change the KMS key's state.
        Otherwise, it changes the KMS key's state to PendingImport." The key keeps the id of the
        material it is associated with: only that material can be imported again."""
        if self.expiry_timer is not None:
            self.expiry_timer.cancel()
            self.expiry_timer = None
        self.material = NoMaterial()
        self.expiration_model = None
        self.valid_to = None
        if self.state is not KeyState.PENDING_DELETION:
            self.state = KeyState.PENDING_IMPORT

    # --- wire view -------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """``KeyMetadata`` as DescribeKey returns it."""
        meta: dict[str, Any] = {
            "AWSAccountId": self.account_id,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": datetime.fromtimestamp(self.creation_date, tz=UTC),
            "Enabled": self.enabled,
            "Description": self.description,
            "KeyUsage": self.usage,
            "KeyState": str(self.state),
            "Origin": str(self.origin),
            "KeyManager": str(self.manager),
            "CustomerMasterKeySpec": self.spec,
            "KeySpec": self.spec,
            "MultiRegion": False,
        }
        if self.deletion_date is not None:
            # KeyMetadata doc: PendingDeletionWindowInDays "is present only when the KeyState of
            # the KMS key is PendingReplicaDeletion"; a single-Region key shows DeletionDate only.
            meta["DeletionDate"] = datetime.fromtimestamp(self.deletion_date, tz=UTC)
        if self.expiration_model is not None:
            # "ExpirationModel ... is present only when Origin is EXTERNAL"; "ValidTo ... is
            # present only for KMS keys whose Origin is EXTERNAL and the ExpirationModel is
            # KEY_MATERIAL_EXPIRES". The reference shows both only while the key has material:
            # they describe the current import, and a key without material has none.
            meta["ExpirationModel"] = str(self.expiration_model)
            if self.valid_to is not None:
                meta["ValidTo"] = datetime.fromtimestamp(self.valid_to, tz=UTC)
        meta.update(algorithm_fields(self.spec, self.usage))
        if self.spec == SYMMETRIC_DEFAULT and self.material_id is not None:
            meta["CurrentKeyMaterialId"] = self.material_id
        return meta
