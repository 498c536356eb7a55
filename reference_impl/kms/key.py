"""A KMS key: its metadata, its key state machine and (privately) its key material.

Key states modelled: Enabled, Disabled, PendingDeletion (KMS-DG key-state.md). A key whose
deletion window has passed is removed from the model altogether, so every later reference to it
answers NotFoundException.

    Enabled  --DisableKey-->          Disabled
    Disabled --EnableKey-->           Enabled
    Enabled|Disabled --ScheduleKeyDeletion--> PendingDeletion --(window passes)--> gone
    PendingDeletion  --CancelKeyDeletion-->   Disabled
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
    material_id: str = field(default_factory=lambda: os.urandom(32).hex(), repr=False)
    deletion_timer: Timer | None = field(default=None, repr=False)

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

    # --- the key state machine -------------------------------------------------------------

    def require_enabled(self) -> None:
        """What a cryptographic operation or CreateGrant checks (KEY-08)."""
        if self.state is KeyState.DISABLED:
            raise faults.disabled(self.arn)
        if self.state is KeyState.PENDING_DELETION:
            raise faults.pending_deletion(self.arn)

    def require_not_pending_deletion(self) -> None:
        if self.state is KeyState.PENDING_DELETION:
            raise faults.pending_deletion(self.arn)

    def enable(self) -> None:
        self.require_not_pending_deletion()
        self.state = KeyState.ENABLED

    def disable(self) -> None:
        self.require_not_pending_deletion()
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
        self.state = KeyState.DISABLED
        self.deletion_date = None
        self.pending_window_days = None

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
            "Origin": "AWS_KMS",
            "KeyManager": str(self.manager),
            "CustomerMasterKeySpec": self.spec,
            "KeySpec": self.spec,
            "MultiRegion": False,
        }
        if self.deletion_date is not None:
            # KeyMetadata doc: PendingDeletionWindowInDays "is present only when the KeyState of
            # the KMS key is PendingReplicaDeletion"; a single-Region key shows DeletionDate only.
            meta["DeletionDate"] = datetime.fromtimestamp(self.deletion_date, tz=UTC)
        meta.update(algorithm_fields(self.spec, self.usage))
        if self.spec == SYMMETRIC_DEFAULT:
            meta["CurrentKeyMaterialId"] = self.material_id
        return meta
