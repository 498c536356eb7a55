"""Imported key material in the reference's KMS, through boto3 clients of a ReferenceCloud.

Keys of Origin EXTERNAL, GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
the PendingImport key state (KMS-DG key-state table, footnote [5]), material that expires on the
virtual clock, and what Firehose and Kinesis make of a key whose material is gone (MET-05).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from client_errors import error_of
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from firehose_env import BUCKET, LAG, TRANSITION, FirehoseEnv, cmk, s3_destination

from reference_impl.cloud import ReferenceCloud

HOUR = 3600.0
DAY = 24 * HOUR
NO_EXPIRY = {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}
ROOT = "arn:aws:iam::123456789012:root"


def wrap(
    parameters: dict[str, Any], material: bytes, algorithm: str = "RSAES_OAEP_SHA_256"
) -> bytes:
    public = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    digest = HASHES[algorithm]
    return public.encrypt(
        material, padding.OAEP(mgf=padding.MGF1(digest()), algorithm=digest(), label=None)
    )


class Kms:
    """A KMS client of a cloud and the import steps, one call each."""

    def __init__(self, cloud: ReferenceCloud) -> None:
        self.cloud = cloud
        self.kms = cloud.client("kms")

    def external_key(self) -> str:
        return self.kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]

    def meta(self, key: str) -> dict[str, Any]:
        return self.kms.describe_key(KeyId=key)["KeyMetadata"]

    def state(self, key: str) -> str:
        return self.meta(key)["KeyState"]

    def parameters(
        self, key: str, algorithm: str = "RSAES_OAEP_SHA_256", spec: str = "RSA_2048"
    ) -> dict[str, Any]:
        return self.kms.get_parameters_for_import(
            KeyId=key, WrappingAlgorithm=algorithm, WrappingKeySpec=spec
        )

    def import_material(
        self,
        key: str,
        material: bytes,
        parameters: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        parameters = parameters or self.parameters(key)
        return self.kms.import_key_material(
            KeyId=key,
            ImportToken=parameters["ImportToken"],
            EncryptedKeyMaterial=wrap(parameters, material),
            **(extra or NO_EXPIRY),
        )

    def imported_key(self, material: bytes) -> str:
        key = self.external_key()
        self.import_material(key, material)
        return key

    def refusal(self, call: Any, **params: Any) -> tuple[str, str]:
        with pytest.raises(ClientError) as caught:
            call(**params)
        response = caught.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return response["Error"]["Code"], response["Error"]["Message"]


@pytest.fixture
def k(cloud: ReferenceCloud) -> Kms:
    return Kms(cloud)


@pytest.fixture
def material() -> bytes:
    return os.urandom(32)


# -- the import cycle --------------------------------------------------------------------------


def test_the_whole_import_cycle(cloud: ReferenceCloud, k: Kms, material: bytes) -> None:
    created = k.kms.create_key(Origin="EXTERNAL", Description="imported")["KeyMetadata"]
    key = created["KeyId"]
    for meta in (created, k.meta(key)):
        assert (meta["Origin"], meta["KeyState"], meta["Enabled"]) == (
            "EXTERNAL",
            "PendingImport",
            False,
        )
        # No material yet: no expiration model, no validity, no key material id.
        assert not {"ExpirationModel", "ValidTo", "CurrentKeyMaterialId"} & set(meta)
        assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"

    parameters = k.parameters(key)
    assert parameters["KeyId"] == created["Arn"]
    assert parameters["ParametersValidTo"] == cloud.clock.now_datetime() + timedelta(hours=24)
    assert parameters["ImportToken"]
    imported = k.import_material(key, material, parameters)
    assert imported["KeyId"] == created["Arn"]
    meta = k.meta(key)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)
    assert meta["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert "ValidTo" not in meta
    assert meta["CurrentKeyMaterialId"] == imported["KeyMaterialId"]
    assert len(imported["KeyMaterialId"]) == 64

    blob = k.kms.encrypt(KeyId=key, Plaintext=b"before")["CiphertextBlob"]
    data_key = k.kms.generate_data_key(KeyId=key, KeySpec="AES_256")

    deleted = k.kms.delete_imported_key_material(KeyId=key)
    assert deleted["KeyId"] == created["Arn"]
    assert deleted["KeyMaterialId"] == imported["KeyMaterialId"]
    meta = k.meta(key)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)
    assert not {"ExpirationModel", "ValidTo"} & set(meta)
    assert meta["CurrentKeyMaterialId"] == imported["KeyMaterialId"]  # still associated
    code, message = k.refusal(k.kms.decrypt, CiphertextBlob=blob)
    assert (code, message) == ("KMSInvalidStateException", f"{created['Arn']} is pending import.")

    # The same material, through new parameters: the key and its old ciphertexts are back.
    again = k.import_material(key, material)
    assert again["KeyMaterialId"] == imported["KeyMaterialId"]
    assert k.state(key) == "Enabled"
    assert k.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"
    opened = k.kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
    assert opened["Plaintext"] == data_key["Plaintext"]


@pytest.mark.parametrize(
    ("algorithm", "spec", "bits"),
    [
        ("RSAES_OAEP_SHA_1", "RSA_2048", 2048),
        ("RSAES_OAEP_SHA_256", "RSA_3072", 3072),
        ("RSAES_OAEP_SHA_1", "RSA_4096", 4096),
    ],
)
def test_wrapping_algorithms_and_key_specs(
    k: Kms, material: bytes, algorithm: str, spec: str, bits: int
) -> None:
    key = k.external_key()
    parameters = k.parameters(key, algorithm, spec)
    public = serialization.load_der_public_key(parameters["PublicKey"])  # SubjectPublicKeyInfo
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == bits
    k.kms.import_key_material(
        KeyId=key,
        ImportToken=parameters["ImportToken"],
        EncryptedKeyMaterial=wrap(parameters, material, algorithm),
        **NO_EXPIRY,
    )
    assert k.state(key) == "Enabled"


@pytest.mark.parametrize(
    ("algorithm", "spec"),
    [
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
        ("RSA_AES_KEY_WRAP_SHA_1", "RSA_4096"),
        ("RSAES_PKCS1_V1_5", "RSA_2048"),
        ("SM2PKE", "SM2"),
        ("RSAES_OAEP_SHA_256", "SM2"),
    ],
)
def test_wrapping_the_reference_does_not_implement_is_refused(
    k: Kms, algorithm: str, spec: str
) -> None:
    code, message = k.refusal(k.parameters, key=k.external_key(), algorithm=algorithm, spec=spec)
    assert code == "UnsupportedOperationException"
    assert "reference implementation does not implement" in message


def test_keys_of_other_origins_cannot_take_imported_material(k: Kms, material: bytes) -> None:
    key = k.kms.create_key()["KeyMetadata"]
    expected = f"{key['Arn']} origin is AWS_KMS which is not valid for this operation."
    assert k.refusal(k.parameters, key=key["KeyId"]) == ("UnsupportedOperationException", expected)
    parameters = k.parameters(k.external_key())
    assert k.refusal(
        k.kms.import_key_material,
        KeyId=key["KeyId"],
        ImportToken=parameters["ImportToken"],
        EncryptedKeyMaterial=wrap(parameters, material),
        **NO_EXPIRY,
    ) == ("UnsupportedOperationException", expected)
    assert k.refusal(k.kms.delete_imported_key_material, KeyId=key["KeyId"]) == (
        "UnsupportedOperationException",
        expected,
    )
    assert k.meta(key["KeyId"])["KeyState"] == "Enabled"
    assert "ExpirationModel" not in k.meta(key["KeyId"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
        {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
    ],
)
def test_only_symmetric_external_keys_are_made(k: Kms, kwargs: dict[str, str]) -> None:
    code, message = k.refusal(k.kms.create_key, Origin="EXTERNAL", **kwargs)
    assert code == "UnsupportedOperationException"
    assert kwargs["KeySpec"] in message


def test_import_operations_take_key_ids_and_arns_not_aliases(k: Kms, material: bytes) -> None:
    key = k.kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    k.kms.create_alias(AliasName="alias/imported", TargetKeyId=key["KeyId"])
    assert k.refusal(k.parameters, key="alias/imported")[0] == "NotFoundException"
    assert k.refusal(k.kms.delete_imported_key_material, KeyId="alias/imported")[0] == (
        "NotFoundException"
    )
    k.import_material(key["Arn"], material, k.parameters(key["Arn"]))
    assert k.state(key["KeyId"]) == "Enabled"


# -- the import token ---------------------------------------------------------------------------


def test_token_of_another_key_is_invalid(k: Kms, material: bytes) -> None:
    key, other = k.external_key(), k.external_key()
    theirs = k.parameters(other)
    code, message = k.refusal(k.import_material, key=key, material=material, parameters=theirs)
    assert code == "InvalidImportTokenException"
    assert "another KMS key" in message
    assert k.state(key) == "PendingImport"


def test_token_of_another_import_is_invalid(k: Kms, material: bytes) -> None:
    """Material wrapped under one GetParametersForImport's public key, sent with the token of
    another: "It must be from the same response that contained the public key"."""
    key = k.external_key()
    first, second = k.parameters(key), k.parameters(key)
    assert first["ImportToken"] != second["ImportToken"]
    assert first["PublicKey"] != second["PublicKey"]
    code, _ = k.refusal(
        k.kms.import_key_material,
        KeyId=key,
        ImportToken=second["ImportToken"],
        EncryptedKeyMaterial=wrap(first, material),
        **NO_EXPIRY,
    )
    assert code == "InvalidImportTokenException"
    k.import_material(key, material, first)  # both pairs stay usable: each with its own token
    assert k.state(key) == "Enabled"


def test_token_that_was_never_issued_is_invalid(k: Kms, material: bytes) -> None:
    key = k.external_key()
    parameters = {**k.parameters(key), "ImportToken": b"not a token"}
    assert k.refusal(k.import_material, key=key, material=material, parameters=parameters)[0] == (
        "InvalidImportTokenException"
    )


def test_token_expires_after_24_hours_of_the_reference_clock(
    cloud: ReferenceCloud, k: Kms, material: bytes
) -> None:
    key = k.external_key()
    early, late = k.parameters(key), k.parameters(key)
    cloud.advance(DAY - 1)
    k.import_material(key, material, early)  # one second before ParametersValidTo
    cloud.advance(1)
    code, _ = k.refusal(k.import_material, key=key, material=material, parameters=late)
    assert code == "ExpiredImportTokenException"
    k.import_material(key, material)  # new parameters work
    assert k.state(key) == "Enabled"


# -- the material ---------------------------------------------------------------------------------


def test_material_that_does_not_unwrap_is_invalid_ciphertext(k: Kms, material: bytes) -> None:
    key = k.external_key()
    parameters = k.parameters(key)  # RSAES_OAEP_SHA_256
    for wrapped in (b"garbage", wrap(parameters, material, "RSAES_OAEP_SHA_1")):
        code, _ = k.refusal(
            k.kms.import_key_material,
            KeyId=key,
            ImportToken=parameters["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            **NO_EXPIRY,
        )
        assert code == "InvalidCiphertextException"
    assert k.state(key) == "PendingImport"


@pytest.mark.parametrize("size", [16, 31, 33, 64])
def test_symmetric_material_must_be_32_bytes(k: Kms, size: int) -> None:
    key = k.external_key()
    code, message = k.refusal(k.import_material, key=key, material=os.urandom(size))
    assert code == "IncorrectKeyMaterialException"
    assert f"this is {size} bytes" in message
    assert k.state(key) == "PendingImport"


def test_reimport_must_be_the_same_material(k: Kms, material: bytes) -> None:
    key = k.imported_key(material)
    other = os.urandom(32)
    assert k.refusal(k.import_material, key=key, material=other)[0] == (
        "IncorrectKeyMaterialException"
    )  # while Enabled
    k.kms.delete_imported_key_material(KeyId=key)
    assert k.refusal(k.import_material, key=key, material=other)[0] == (
        "IncorrectKeyMaterialException"
    )  # after deletion
    assert k.state(key) == "PendingImport"
    k.import_material(key, material)
    assert k.state(key) == "Enabled"


def test_import_type_and_key_material_id(k: Kms, material: bytes) -> None:
    key = k.external_key()
    assert (
        k.refusal(
            k.import_material,
            key=key,
            material=material,
            ImportType="EXISTING_KEY_MATERIAL",
            **NO_EXPIRY,
        )[0]
        == "IncorrectKeyMaterialException"
    )  # nothing was imported yet
    first = k.import_material(key, material, ImportType="NEW_KEY_MATERIAL", **NO_EXPIRY)
    material_id = first["KeyMaterialId"]
    # The same material again as NEW: "KMS expected new key material but the key material being
    # imported is already associated with the KMS key".
    assert (
        k.refusal(
            k.import_material,
            key=key,
            material=material,
            ImportType="NEW_KEY_MATERIAL",
            **NO_EXPIRY,
        )[0]
        == "IncorrectKeyMaterialException"
    )
    # New material into a key that has some is rotation, which the reference does not implement.
    code, message = k.refusal(
        k.import_material,
        key=key,
        material=os.urandom(32),
        ImportType="NEW_KEY_MATERIAL",
        **NO_EXPIRY,
    )
    assert code == "UnsupportedOperationException" and "does not implement" in message
    assert (
        k.refusal(
            k.import_material,
            key=key,
            material=material,
            ImportType="NEW_KEY_MATERIAL",
            KeyMaterialId=material_id,
            **NO_EXPIRY,
        )[0]
        == "ValidationException"
    )
    assert (
        k.refusal(
            k.import_material, key=key, material=material, KeyMaterialId="0" * 64, **NO_EXPIRY
        )[0]
        == "IncorrectKeyMaterialException"
    )
    again = k.import_material(
        key,
        material,
        ImportType="EXISTING_KEY_MATERIAL",
        KeyMaterialId=material_id,
        KeyMaterialDescription="the first material",
        **NO_EXPIRY,
    )
    assert again["KeyMaterialId"] == material_id
    assert k.refusal(k.kms.delete_imported_key_material, KeyId=key, KeyMaterialId="0" * 64)[0] == (
        "NotFoundException"
    )
    k.kms.delete_imported_key_material(KeyId=key, KeyMaterialId=material_id)
    assert k.state(key) == "PendingImport"


# -- expiration ------------------------------------------------------------------------------------


def test_expiration_parameters_are_validated(
    cloud: ReferenceCloud, k: Kms, material: bytes
) -> None:
    key = k.external_key()
    now = cloud.clock.now_datetime()
    for extra in (
        {},  # KEY_MATERIAL_EXPIRES is the default, and needs ValidTo
        {"ExpirationModel": "KEY_MATERIAL_EXPIRES"},
        {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": now + timedelta(days=1)},
        {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": now},
        {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": now - timedelta(days=1)},
        {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": now + timedelta(days=366)},
    ):
        parameters = k.parameters(key)
        code, _ = k.refusal(
            k.kms.import_key_material,
            KeyId=key,
            ImportToken=parameters["ImportToken"],
            EncryptedKeyMaterial=wrap(parameters, material),
            **extra,
        )
        assert code == "ValidationException", extra
    k.import_material(key, material, ValidTo=now + timedelta(days=365))  # the default model
    assert k.meta(key)["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"


def test_material_expires_on_the_reference_clock(
    cloud: ReferenceCloud, k: Kms, material: bytes
) -> None:
    key = k.external_key()
    valid_to = cloud.clock.now_datetime() + timedelta(hours=2)
    k.import_material(key, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
    meta = k.meta(key)
    assert (meta["KeyState"], meta["ExpirationModel"], meta["ValidTo"]) == (
        "Enabled",
        "KEY_MATERIAL_EXPIRES",
        valid_to,
    )
    blob = k.kms.encrypt(KeyId=key, Plaintext=b"p")["CiphertextBlob"]
    cloud.advance(2 * HOUR - 1)
    assert k.state(key) == "Enabled"
    cloud.advance(1)
    meta = k.meta(key)
    assert meta["KeyState"] == "PendingImport"
    assert not {"ExpirationModel", "ValidTo"} & set(meta)
    assert k.refusal(k.kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    k.import_material(key, material)  # reimported without expiry
    cloud.advance(400 * DAY)
    assert k.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_reimport_resets_the_expiration(cloud: ReferenceCloud, k: Kms, material: bytes) -> None:
    key = k.external_key()
    soon = cloud.clock.now_datetime() + timedelta(hours=1)
    k.import_material(key, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=soon)
    k.import_material(key, material)  # "Each time you reimport, you can eliminate or reset the
    cloud.advance(2 * HOUR)  # expiration time."
    meta = k.meta(key)
    assert (meta["KeyState"], meta["ExpirationModel"]) == (
        "Enabled",
        "KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert "ValidTo" not in meta


def test_deleting_the_material_cancels_its_expiry(
    cloud: ReferenceCloud, k: Kms, material: bytes
) -> None:
    key = k.external_key()
    soon = cloud.clock.now_datetime() + timedelta(hours=1)
    k.import_material(key, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=soon)
    k.kms.delete_imported_key_material(KeyId=key)
    k.import_material(key, material)
    cloud.advance(2 * HOUR)
    assert k.state(key) == "Enabled"


# -- key states ------------------------------------------------------------------------------------


def test_pending_import_follows_the_key_state_table(k: Kms, material: bytes) -> None:
    """KMS-DG key-state table, column PendingImport: footnote [5] for CreateGrant, the
    cryptographic operations, EnableKey and DisableKey; the rest succeed."""
    key = k.imported_key(material)
    arn = k.meta(key)["Arn"]
    blob = k.kms.encrypt(KeyId=key, Plaintext=b"p")["CiphertextBlob"]
    grant = k.kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt"])
    healthy = k.kms.create_key()["KeyMetadata"]["KeyId"]
    healthy_blob = k.kms.encrypt(KeyId=healthy, Plaintext=b"q")["CiphertextBlob"]
    k.kms.delete_imported_key_material(KeyId=key)

    refused = {
        "Encrypt": lambda: k.kms.encrypt(KeyId=key, Plaintext=b"p"),
        "Decrypt": lambda: k.kms.decrypt(CiphertextBlob=blob),
        "GenerateDataKey": lambda: k.kms.generate_data_key(KeyId=key, KeySpec="AES_256"),
        "GenerateDataKeyWithoutPlaintext": lambda: k.kms.generate_data_key_without_plaintext(
            KeyId=key, NumberOfBytes=32
        ),
        "ReEncrypt from": lambda: k.kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=healthy),
        "ReEncrypt to": lambda: k.kms.re_encrypt(CiphertextBlob=healthy_blob, DestinationKeyId=key),
        "CreateGrant": lambda: k.kms.create_grant(
            KeyId=key, GranteePrincipal=ROOT, Operations=["Encrypt"]
        ),
        "EnableKey": lambda: k.kms.enable_key(KeyId=key),
        "DisableKey": lambda: k.kms.disable_key(KeyId=key),
        "CancelKeyDeletion": lambda: k.kms.cancel_key_deletion(KeyId=key),  # footnote [4]
    }
    for name, call in refused.items():
        code, message = k.refusal(call)
        assert code == "KMSInvalidStateException", name
        expected = "not pending deletion" if name == "CancelKeyDeletion" else "pending import"
        assert message == f"{arn} is {expected}.", name

    # What succeeds in every state.
    assert k.meta(key)["KeyState"] == "PendingImport"
    assert [g["GrantId"] for g in k.kms.list_grants(KeyId=key)["Grants"]] == [grant["GrantId"]]
    k.kms.create_alias(AliasName="alias/pending", TargetKeyId=key)
    k.kms.tag_resource(KeyId=key, Tags=[{"TagKey": "t", "TagValue": "v"}])
    k.kms.untag_resource(KeyId=key, TagKeys=["t"])
    k.kms.update_key_description(KeyId=key, Description="pending import")
    policy = k.kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    k.kms.put_key_policy(KeyId=key, PolicyName="default", Policy=policy)
    k.kms.retire_grant(KeyId=key, GrantId=grant["GrantId"])
    assert k.kms.list_grants(KeyId=key)["Grants"] == []
    k.kms.delete_imported_key_material(KeyId=key)  # "(No effect)"
    assert k.state(key) == "PendingImport"
    k.kms.get_parameters_for_import(
        KeyId=key, WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_2048"
    )
    assert k.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)["KeyState"] == (
        "PendingDeletion"
    )


def test_a_fresh_external_key_deletes_nothing(k: Kms) -> None:
    key = k.external_key()
    deleted = k.kms.delete_imported_key_material(KeyId=key)
    assert "KeyMaterialId" not in deleted
    assert k.state(key) == "PendingImport"


def test_a_disabled_key_stays_disabled_on_reimport(k: Kms, material: bytes) -> None:
    key = k.imported_key(material)
    k.kms.disable_key(KeyId=key)
    k.import_material(key, material)  # ImportKeyMaterial on a Disabled EXTERNAL key: ✓ [9]
    assert k.state(key) == "Disabled"
    k.kms.delete_imported_key_material(KeyId=key)
    assert k.state(key) == "PendingImport"
    k.import_material(key, material)  # "changes from PendingImport to Enabled"
    assert k.state(key) == "Enabled"


def test_pending_deletion(k: Kms, material: bytes) -> None:
    """GetParametersForImport and ImportKeyMaterial: footnote [8]; DeleteImportedKeyMaterial
    "does not change the KMS key's state"; cancelling the deletion of a key without its material
    leaves it PendingImport, of one with its material Disabled."""
    key = k.imported_key(material)
    parameters = k.parameters(key)
    k.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert k.refusal(k.parameters, key=key)[0] == "KMSInvalidStateException"
    code, message = k.refusal(k.import_material, key=key, material=material, parameters=parameters)
    assert (code, message.endswith("is pending deletion.")) == ("KMSInvalidStateException", True)
    k.kms.delete_imported_key_material(KeyId=key)
    assert k.state(key) == "PendingDeletion"
    k.kms.cancel_key_deletion(KeyId=key)
    assert k.state(key) == "PendingImport"
    k.import_material(key, material)
    k.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    k.kms.cancel_key_deletion(KeyId=key)
    assert k.state(key) == "Disabled"


def test_a_deleted_key_takes_its_expiry_with_it(
    cloud: ReferenceCloud, k: Kms, material: bytes
) -> None:
    key = k.external_key()
    soon = cloud.clock.now_datetime() + timedelta(hours=1)
    k.import_material(key, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=soon)
    cloud.kms.delete_key_now(key)
    assert cloud.clock.next_due() != soon.timestamp()  # the expiry was cancelled
    cloud.advance(2 * HOUR)
    assert k.refusal(k.meta, key=key)[0] == "NotFoundException"


# -- Firehose and Kinesis --------------------------------------------------------------------------


class Env(FirehoseEnv):
    def imported_key(self, material: bytes) -> str:
        kms = Kms(self.cloud)
        return kms.meta(kms.imported_key(material))["Arn"]

    def delivered(self) -> bytes:
        return b"".join(self.cloud.s3.objects(BUCKET).values())


def test_firehose_with_a_key_whose_material_is_deleted(material: bytes) -> None:
    """PUT-02 (InvalidKMSResourceException), RET-01 (held, then delivered), MET-05
    (KMSKeyInvalidState), with a key PendingImport."""
    env = Env()
    key = env.imported_key(material)
    destination = s3_destination(buffering=(1, 60), Prefix="p/")
    env.create("s", S3DestinationConfiguration=destination)
    env.start("s", cmk(key))
    env.cloud.advance(TRANSITION + LAG)
    assert env.enc_status("s") == "ENABLED"
    assert env.put_batch("s", b"one", b"two")["FailedPutCount"] == 0
    env.kms.delete_imported_key_material(KeyId=key)
    for call in (lambda: env.put("s"), lambda: env.put_batch("s", b"three")):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "InvalidKMSResourceException"
        assert "KMS KMSInvalidStateException" in caught.value.response["Error"]["Message"]
    env.cloud.advance(2 * HOUR)
    assert env.delivered() == b""  # held: the records cannot be opened
    assert env.cloud.firehose.summary("s") == {"pending": 2, "delivered": 0, "discarded": 0}
    assert env.metric_sum("KMSKeyInvalidState", "s") >= 3  # two refused puts, delivery attempts
    assert env.metric_sum("KMSKeyDisabled", "s") == 0
    Kms(env.cloud).import_material(key, material)
    env.cloud.advance(120)
    assert env.delivered() == b"onetwo"
    assert env.put("s") is True


def test_firehose_start_with_a_key_pending_import_is_refused(material: bytes) -> None:
    """As for a key disabled or pending deletion (KEY-07, AMB-02 (a)): Start answers
    InvalidKMSResourceException naming KMSInvalidStateException; the import then makes it work."""
    env = Env()
    kms = Kms(env.cloud)
    key_id = kms.external_key()
    key = kms.meta(key_id)["Arn"]
    env.create("s")
    with pytest.raises(ClientError) as caught:
        env.start("s", cmk(key))
    assert caught.value.response["Error"]["Code"] == "InvalidKMSResourceException"
    assert f"KMS KMSInvalidStateException: {key} is pending import." in str(caught.value)
    assert env.grants(key) == []
    kms.import_material(key_id, material)
    env.start("s", cmk(key))
    env.cloud.advance(TRANSITION)
    assert env.enc_status("s") == "ENABLED"


def test_kinesis_with_a_key_whose_material_is_deleted(
    cloud: ReferenceCloud, k: Kms, material: bytes
) -> None:
    kinesis = cloud.client("kinesis")
    kinesis.create_stream(StreamName="src", ShardCount=1)
    cloud.advance(1)
    pending = k.meta(k.external_key())["Arn"]
    assert error_of(
        kinesis.start_stream_encryption, StreamName="src", EncryptionType="KMS", KeyId=pending
    ) == ("KMSInvalidStateException", 400)
    key = k.imported_key(material)
    kinesis.start_stream_encryption(StreamName="src", EncryptionType="KMS", KeyId=key)
    cloud.advance(6)
    kinesis.put_record(StreamName="src", Data=b"secret", PartitionKey="p")
    k.kms.delete_imported_key_material(KeyId=key)
    assert error_of(kinesis.put_record, StreamName="src", Data=b"x", PartitionKey="p") == (
        "KMSInvalidStateException",
        400,
    )
    iterator = kinesis.get_shard_iterator(
        StreamName="src", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert error_of(kinesis.get_records, ShardIterator=iterator) == (
        "KMSInvalidStateException",
        400,
    )
    k.import_material(key, material)
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [r["Data"] for r in records] == [b"secret"]
