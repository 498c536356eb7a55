"""Cryptographic operations: Encrypt, Decrypt, GenerateDataKey*, ReEncrypt, and check_usable.

Checks run in the order: key exists -> authorisation -> key state (KEY-08) -> key usage and
algorithm (KEY-09, AMB-22) -> ciphertext.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from reference_impl.kms import faults, identifiers
from reference_impl.kms.key import Key
from reference_impl.kms.key_material import (
    CiphertextError,
    RsaMaterial,
    SymmetricMaterial,
    blob_key_id,
    oaep_max_plaintext,
)
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.specs import (
    ENCRYPT_DECRYPT,
    RSA_BITS,
    SYMMETRIC_DEFAULT,
    encryption_algorithms,
)

DATA_KEY_OPERATIONS = frozenset({"GenerateDataKey", "GenerateDataKeyWithoutPlaintext"})
ENCRYPTION_OPERATIONS = frozenset({"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo"})
# Operations that need an Enabled key (KMS-DG key-state table); the rest work in every state.
NEEDS_ENABLED = DATA_KEY_OPERATIONS | ENCRYPTION_OPERATIONS | {"CreateGrant"}


@dataclass(frozen=True)
class DataKey:
    plaintext: bytes = field(repr=False)
    ciphertext_blob: bytes
    key_arn: str


@dataclass
class CryptoService:
    registry: KeyRegistry

    def check_usable(
        self,
        key_id: str,
        *,
        caller: str,
        operation: str = "GenerateDataKey",
        encryption_context: dict[str, str] | None = None,
    ) -> Key:
        """Raise what ``operation`` on this key would raise, without doing any cryptography."""
        key = self.registry.resolve(key_id)
        self._admit(key, caller, operation, encryption_context)
        return key

    def _admit(
        self,
        key: Key,
        caller: str,
        operation: str,
        encryption_context: dict[str, str] | None,
        algorithm: str = SYMMETRIC_DEFAULT,
    ) -> None:
        """Authorisation, key state, then key usage (KEY-08, KEY-09)."""
        self.registry.authorize(key, caller, operation, encryption_context)
        if operation in NEEDS_ENABLED:
            key.require_enabled()
        if operation in DATA_KEY_OPERATIONS:
            if key.usage != ENCRYPT_DECRYPT:
                raise faults.usage_not_valid(key.arn, key.usage, operation)
            if not key.is_symmetric_encryption:
                raise faults.algorithm_incompatible(SYMMETRIC_DEFAULT, key.spec)
        elif operation in ENCRYPTION_OPERATIONS:
            if key.usage != ENCRYPT_DECRYPT:
                label = "ReEncrypt" if operation.startswith("ReEncrypt") else operation
                raise faults.usage_not_valid(key.arn, key.usage, label)
            if algorithm not in encryption_algorithms(key.spec, key.usage):
                raise faults.algorithm_incompatible(algorithm, key.spec)

    def encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        caller: str,
        encryption_context: dict[str, str] | None = None,
        encryption_algorithm: str | None = None,
    ) -> bytes:
        key = self.registry.resolve(key_id)
        return self._encrypt(
            key, plaintext, caller, encryption_context, encryption_algorithm, "Encrypt"
        )

    def _encrypt(
        self,
        key: Key,
        plaintext: bytes,
        caller: str,
        encryption_context: dict[str, str] | None,
        algorithm: str | None,
        operation: str,
    ) -> bytes:
        algorithm = algorithm or SYMMETRIC_DEFAULT
        self._admit(key, caller, operation, encryption_context, algorithm)
        material = key.material
        if isinstance(material, SymmetricMaterial):
            return material.seal(key.key_id, plaintext, encryption_context)
        if isinstance(material, RsaMaterial):
            _reject_context_for_asymmetric(encryption_context)
            limit = oaep_max_plaintext(RSA_BITS[key.spec], algorithm)
            if len(plaintext) > limit:
                # AWS's message, verbatim.
                raise faults.validation(
                    f"Algorithm {algorithm} and key spec {key.spec} cannot encrypt data larger "
                    f"than {limit} bytes."
                )
            return material.seal(plaintext, algorithm)
        raise faults.unsupported(f"The reference implementation does not implement {algorithm}.")

    def decrypt(
        self,
        ciphertext_blob: bytes,
        *,
        caller: str,
        key_id: str | None = None,
        encryption_context: dict[str, str] | None = None,
        encryption_algorithm: str | None = None,
    ) -> tuple[bytes, str]:
        key = self._decrypting_key(ciphertext_blob, key_id)
        plaintext = self._decrypt(
            key, ciphertext_blob, caller, encryption_context, encryption_algorithm, "Decrypt"
        )
        return plaintext, key.arn

    def _decrypting_key(self, blob: bytes, key_id: str | None) -> Key:
        if key_id is not None:
            return self.registry.resolve(key_id)
        try:
            blob_key = blob_key_id(blob)
        except CiphertextError:
            raise faults.invalid_ciphertext() from None
        if not identifiers.is_key_id(blob_key):
            raise faults.invalid_ciphertext()
        key = self.registry.keys_by_id.get(blob_key)
        if key is None:
            raise faults.key_not_found(self.registry.arn_of(blob_key))
        return key

    def _decrypt(
        self,
        key: Key,
        blob: bytes,
        caller: str,
        encryption_context: dict[str, str] | None,
        algorithm: str | None,
        operation: str,
    ) -> bytes:
        algorithm = algorithm or SYMMETRIC_DEFAULT
        self._admit(key, caller, operation, encryption_context, algorithm)
        material = key.material
        try:
            if isinstance(material, SymmetricMaterial):
                if blob_key_id(blob) != key.key_id:
                    raise faults.incorrect_key()
                return material.open(blob, encryption_context)
            if isinstance(material, RsaMaterial):
                _reject_context_for_asymmetric(encryption_context)
                return material.open(blob, algorithm)
        except CiphertextError:
            raise faults.invalid_ciphertext() from None
        raise faults.unsupported(f"The reference implementation does not implement {algorithm}.")

    def generate_data_key(
        self,
        key_id: str,
        *,
        caller: str,
        encryption_context: dict[str, str] | None = None,
        number_of_bytes: int = 32,
        operation: str = "GenerateDataKey",
    ) -> DataKey:
        """GenerateDataKey, or (``operation="GenerateDataKeyWithoutPlaintext"``) the same checked
        against that operation's permissions; the API layer then leaves the plaintext out."""
        assert operation in DATA_KEY_OPERATIONS, operation
        key = self.registry.resolve(key_id)
        self._admit(key, caller, operation, encryption_context)
        assert isinstance(key.material, SymmetricMaterial)  # _admit guarantees it
        plaintext = os.urandom(number_of_bytes)
        blob = key.material.seal(key.key_id, plaintext, encryption_context)
        return DataKey(plaintext=plaintext, ciphertext_blob=blob, key_arn=key.arn)

    def re_encrypt(
        self,
        ciphertext_blob: bytes,
        destination_key_id: str,
        *,
        caller: str,
        source_key_id: str | None = None,
        source_encryption_context: dict[str, str] | None = None,
        destination_encryption_context: dict[str, str] | None = None,
        source_encryption_algorithm: str | None = None,
        destination_encryption_algorithm: str | None = None,
    ) -> tuple[bytes, str, str]:
        """Returns (new blob, source key ARN, destination key ARN)."""
        source = self._decrypting_key(ciphertext_blob, source_key_id)
        destination = self.registry.resolve(destination_key_id)
        plaintext = self._decrypt(
            source,
            ciphertext_blob,
            caller,
            source_encryption_context,
            source_encryption_algorithm,
            "ReEncryptFrom",
        )
        blob = self._encrypt(
            destination,
            plaintext,
            caller,
            destination_encryption_context,
            destination_encryption_algorithm,
            "ReEncryptTo",
        )
        return blob, source.arn, destination.arn


def _reject_context_for_asymmetric(encryption_context: dict[str, str] | None) -> None:
    if encryption_context:
        # Encrypt/Decrypt EncryptionContext doc: "An encryption context is valid only for
        # cryptographic operations with a symmetric encryption KMS key."
        raise faults.validation(
            "EncryptionContext is valid only for cryptographic operations with a symmetric "
            "encryption KMS key."
        )
