"""Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.

A key of Origin EXTERNAL (the reference makes only symmetric encryption ones) is created without
key material, PendingImport. GetParametersForImport hands out the public key of a fresh RSA
wrapping key pair and an opaque import token bound to that key pair and to the KMS key, both valid
for 24 hours of the reference's clock; ImportKeyMaterial unwraps the material with the pair's
private key and the key becomes Enabled; DeleteImportedKeyMaterial, or the material's ValidTo,
takes the material away again and the key is PendingImport (key.py has the state machine).

Key states (KMS-DG key-state table): the three operations answer UnsupportedOperationException
for a key that cannot have imported material (footnotes [6], [9]), in every state. For an
EXTERNAL key: GetParametersForImport and ImportKeyMaterial succeed Enabled, Disabled and
PendingImport and answer KMSInvalidStateException PendingDeletion ([8]); DeleteImportedKeyMaterial
succeeds in every state ("When the specified KMS key is in the PendingDeletion state, this
operation does not change the KMS key's state").

What the reference does not implement, and says so (UnsupportedOperationException): the RSA_AES
key wrap algorithms, SM2 wrapping, RSAES_PKCS1_V1_5 ("As of October 10, 2023, KMS does not
support the RSAES_PKCS1_V1_5 wrapping algorithm"), and importing new key material into a key that
already has some (on-demand rotation of imported material, RotateKeyOnDemand). Every key has one
key material, so ImportType, KeyMaterialId and KeyMaterialDescription are checked against that
one (the description is accepted and not shown: ListKeyRotations is not implemented).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from reference_impl.kms import faults
from reference_impl.kms.key import ExpirationModel, Key
from reference_impl.kms.key_material import CiphertextError, SymmetricMaterial, WrappingKeyPair
from reference_impl.kms.key_registry import KeyRegistry
from reference_impl.kms.specs import RSA_BITS

# "Each public key and import token set is valid for 24 hours."
PARAMETERS_VALID_SECONDS = 24 * 3600.0
# ValidTo: "The maximum value is 365 days from the request date."
MAX_VALID_TO_SECONDS = 365 * 86400.0
# KMS-DG importing-keys: symmetric encryption key material is 256 bits.
SYMMETRIC_MATERIAL_BYTES = 32
WRAPPING_ALGORITHMS = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
NEW_KEY_MATERIAL = "NEW_KEY_MATERIAL"
EXISTING_KEY_MATERIAL = "EXISTING_KEY_MATERIAL"
TOKEN_MAGIC = b"RKIT"


@dataclass(eq=False)
class ImportParameters:
    """One GetParametersForImport answer. Once ParametersValidTo has passed, the private key is
    forgotten; the token is kept so that it answers ExpiredImportTokenException."""

    token: bytes
    valid_to: float
    wrapping: WrappingKeyPair | None


@dataclass
class ImportService:
    registry: KeyRegistry

    def _external_key(self, key_id: str, caller: str, operation: str) -> Key:
        key = self.registry.resolve(key_id)
        self.registry.authorize(key, caller, operation)
        if not key.is_external:
            raise faults.origin_not_valid(key.arn, str(key.origin))
        return key

    def _forget_expired(self, key: Key) -> None:
        now = self.registry.clock.now()
        for parameters in key.import_parameters.values():
            if parameters.valid_to <= now:
                parameters.wrapping = None

    # ---------------------------------------------------------------- GetParametersForImport

    def get_parameters_for_import(
        self, key_id: str, *, caller: str, wrapping_algorithm: str, wrapping_key_spec: str
    ) -> tuple[Key, ImportParameters, bytes]:
        """(the key, the parameters, the public key as DER SubjectPublicKeyInfo)."""
        if wrapping_algorithm not in WRAPPING_ALGORITHMS:
            raise faults.unsupported(
                f"The reference implementation does not implement the wrapping algorithm "
                f"{wrapping_algorithm}; it wraps key material with "
                f"{' or '.join(WRAPPING_ALGORITHMS)} only."
            )
        if wrapping_key_spec not in RSA_BITS:
            raise faults.unsupported(
                f"The reference implementation does not implement the wrapping key spec "
                f"{wrapping_key_spec}; it offers {', '.join(RSA_BITS)} wrapping keys only."
            )
        key = self._external_key(key_id, caller, "GetParametersForImport")
        key.require_not_pending_deletion()  # KMS-DG footnote [8]
        self._forget_expired(key)
        wrapping = WrappingKeyPair(RSA_BITS[wrapping_key_spec], wrapping_algorithm)
        token = TOKEN_MAGIC + key.key_id.encode("ascii") + os.urandom(64)
        parameters = ImportParameters(
            token, self.registry.clock.now() + PARAMETERS_VALID_SECONDS, wrapping
        )
        key.import_parameters[token] = parameters
        return key, parameters, wrapping.public_key_der()

    # ---------------------------------------------------------------- ImportKeyMaterial

    def import_key_material(
        self,
        key_id: str,
        *,
        caller: str,
        import_token: bytes,
        encrypted_key_material: bytes,
        expiration_model: str | None = None,
        valid_to: float | None = None,
        import_type: str | None = None,
        key_material_id: str | None = None,
    ) -> Key:
        model = self._expiration(expiration_model, valid_to)
        key = self._external_key(key_id, caller, "ImportKeyMaterial")
        key.require_not_pending_deletion()  # KMS-DG footnote [8]
        parameters = self._parameters(key, import_token)
        material = SymmetricMaterial(self._unwrap(key, parameters, encrypted_key_material))
        material_id = material.material_id(key.key_id)
        self._check_identity(key, material_id, import_type, key_material_id)
        if key.expiry_timer is not None:
            key.expiry_timer.cancel()
            key.expiry_timer = None
        key.take_material(material, material_id, model, valid_to)
        if valid_to is not None:
            victim = key.key_id
            key.expiry_timer = self.registry.clock.call_at(
                valid_to,
                lambda: self._expire(victim),
                label=f"KMS deletes the expired key material of {key.arn}",
            )
        return key

    def _expiration(self, expiration_model: str | None, valid_to: float | None) -> ExpirationModel:
        """ExpirationModel: "The default is KEY_MATERIAL_EXPIRES. ... When the value of
        ExpirationModel is KEY_MATERIAL_EXPIRES, you must specify a value for the ValidTo
        parameter. When value is KEY_MATERIAL_DOES_NOT_EXPIRE, you must omit the ValidTo
        parameter." ValidTo: "must be a future date and time. The maximum value is 365 days from
        the request date." """
        model = ExpirationModel(expiration_model or ExpirationModel.EXPIRES)
        if model is ExpirationModel.EXPIRES and valid_to is None:
            raise faults.validation(
                "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default)."
            )
        if model is ExpirationModel.DOES_NOT_EXPIRE and valid_to is not None:
            raise faults.validation(
                "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."
            )
        if valid_to is not None:
            now = self.registry.clock.now()
            if valid_to <= now:
                raise faults.validation("ValidTo must be a future date and time.")
            if valid_to > now + MAX_VALID_TO_SECONDS:
                raise faults.validation("ValidTo must be at most 365 days from the request date.")
        return model

    def _parameters(self, key: Key, import_token: bytes) -> ImportParameters:
        parameters = key.import_parameters.get(import_token)
        if parameters is None:
            keys = self.registry.keys_by_id.values()
            elsewhere = any(import_token in other.import_parameters for other in keys)
            # InvalidImportTokenException: "the provided import token is invalid or is
            # associated with a different KMS key".
            raise faults.invalid_import_token(
                f"The import token was issued for another KMS key, not {key.arn}."
                if elsewhere
                else f"The import token is not one GetParametersForImport issued for {key.arn}."
            )
        if self.registry.clock.now() >= parameters.valid_to:
            parameters.wrapping = None
            raise faults.expired_import_token(key.arn)
        return parameters

    def _unwrap(self, key: Key, parameters: ImportParameters, wrapped: bytes) -> bytes:
        assert parameters.wrapping is not None  # _parameters refuses expired parameters
        try:
            secret = parameters.wrapping.unwrap(wrapped)
        except CiphertextError:
            # "You must use a public key and token from the same GetParametersForImport
            # response": material wrapped under another live public key of this key names the
            # wrong token, anything else does not decrypt.
            now = self.registry.clock.now()
            for other in key.import_parameters.values():
                if other is parameters or other.wrapping is None or other.valid_to <= now:
                    continue
                try:
                    other.wrapping.unwrap(wrapped)
                except CiphertextError:
                    continue
                raise faults.invalid_import_token(
                    "The import token is not from the GetParametersForImport response whose "
                    "public key wrapped the key material."
                ) from None
            raise faults.unwrappable_key_material() from None
        if len(secret) != SYMMETRIC_MATERIAL_BYTES:
            # IncorrectKeyMaterialException: "the key material in the request is, expired,
            # invalid, or does not meet expectations".
            raise faults.incorrect_key_material(
                f"Key material for a symmetric encryption KMS key must be 256 bits "
                f"({SYMMETRIC_MATERIAL_BYTES} bytes); this is {len(secret)} bytes."
            )
        return secret

    def _check_identity(
        self, key: Key, material_id: str, import_type: str | None, key_material_id: str | None
    ) -> None:
        """ImportType: "If no key material has ever been imported into the KMS key, and this
        parameter is omitted, the parameter defaults to NEW_KEY_MATERIAL. After the first key
        material is imported, if this parameter is omitted then the parameter defaults to
        EXISTING_KEY_MATERIAL." IncorrectKeyMaterialException: "it is not the same key material
        that was previously imported or KMS expected new key material but the key material being
        imported is already associated with the KMS key"."""
        associated = key.material_id
        kind = import_type or (NEW_KEY_MATERIAL if associated is None else EXISTING_KEY_MATERIAL)
        if kind == NEW_KEY_MATERIAL:
            if key_material_id is not None:
                raise faults.validation(
                    "You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL."
                )
            if associated == material_id:
                raise faults.incorrect_key_material(
                    f"ImportType is NEW_KEY_MATERIAL, but this key material is already "
                    f"associated with {key.arn}."
                )
            if associated is not None:
                raise faults.unsupported(
                    f"The reference implementation does not implement importing new key "
                    f"material into a key that has some (on-demand rotation): {key.arn} takes "
                    "only the key material it was first imported with."
                )
            return
        if associated is None:
            raise faults.incorrect_key_material(
                f"ImportType is EXISTING_KEY_MATERIAL, but no key material was ever imported "
                f"into {key.arn}."
            )
        if key_material_id is not None and key_material_id != material_id:
            raise faults.incorrect_key_material(
                f"The key material is not the key material {key_material_id}."
            )
        if material_id != associated:
            raise faults.incorrect_key_material(
                f"The key material is not the key material previously imported into {key.arn}."
            )

    def _expire(self, key_id: str) -> None:
        """ValidTo: "When the key material expires, KMS deletes the key material from the KMS
        key. Without its key material, the KMS key is unusable." """
        key = self.registry.keys_by_id.get(key_id)
        if key is None:
            return
        key.expiry_timer = None
        key.drop_material()

    # ---------------------------------------------------------------- DeleteImportedKeyMaterial

    def delete_imported_key_material(
        self, key_id: str, *, caller: str, key_material_id: str | None = None
    ) -> Key:
        """KeyMaterialId: "If no KeyMaterialId is specified, KMS deletes the current key
        material"; one the key is not associated with is not found."""
        key = self._external_key(key_id, caller, "DeleteImportedKeyMaterial")
        if key_material_id is not None and key_material_id != key.material_id:
            raise faults.key_material_not_found(key_material_id, key.arn)
        key.drop_material()  # on a key PendingImport: "(No effect)" (KMS-DG key-state table)
        return key
