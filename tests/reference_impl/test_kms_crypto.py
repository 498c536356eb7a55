"""KMS cryptography through boto3: Encrypt/Decrypt/GenerateDataKey*/ReEncrypt round trips,
encryption context, tampered and foreign ciphertexts, errors by key state (KEY-08) and by key
usage (KEY-09, AMB-22)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from client_errors import code, message

from reference_impl.cloud import ReferenceCloud

ACCOUNT = "123456789012"
REGION = "us-east-1"
CONTEXT = {"DeliveryStreamName": "orders", "aws:firehose:arn": "arn:aws:firehose:x"}


def arn(key_id: str) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"


# ------------------------------------------------------------------------- round trips


def test_encrypt_decrypt_round_trip_without_context(kms, key_id):
    answer = kms.encrypt(KeyId=key_id, Plaintext=b"hello")
    assert answer["KeyId"] == arn(key_id)
    assert answer["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert b"hello" not in answer["CiphertextBlob"]
    plain = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])
    assert plain["Plaintext"] == b"hello"
    assert plain["KeyId"] == arn(key_id)
    assert plain["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"


def test_encryption_context_is_bound_to_the_ciphertext(kms, key_id):
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionContext=CONTEXT)["CiphertextBlob"]
    reordered = dict(reversed(list(CONTEXT.items())))
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"p"
    for wrong in (None, {}, {"DeliveryStreamName": "orders"}, {**CONTEXT, "x": "y"}):
        kwargs = {"CiphertextBlob": blob}
        if wrong is not None:
            kwargs["EncryptionContext"] = wrong
        with pytest.raises(ClientError) as excinfo:
            kms.decrypt(**kwargs)
        assert code(excinfo) == "InvalidCiphertextException"


def test_two_encryptions_differ(kms, key_id):
    first = kms.encrypt(KeyId=key_id, Plaintext=b"same")["CiphertextBlob"]
    second = kms.encrypt(KeyId=key_id, Plaintext=b"same")["CiphertextBlob"]
    assert first != second


def test_tampered_blob_is_invalid_ciphertext(kms, key_id):
    blob = bytearray(kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"])
    for position in (0, len(blob) // 2, len(blob) - 1):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(ClientError) as excinfo:
            kms.decrypt(CiphertextBlob=bytes(tampered))
        assert code(excinfo) in ("InvalidCiphertextException", "NotFoundException")
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=bytes(blob[:-1]))
    assert code(excinfo) == "InvalidCiphertextException"


def test_foreign_blob_is_invalid_ciphertext(kms):
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=b"\x01\x02\x03 not a KMS ciphertext at all" * 3)
    assert code(excinfo) == "InvalidCiphertextException"
    assert message(excinfo) == ""


def test_blob_of_another_cloud_is_refused(kms):
    other = ReferenceCloud().client("kms")
    foreign_key = other.create_key()["KeyMetadata"]["KeyId"]
    blob = other.encrypt(KeyId=foreign_key, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob)
    assert code(excinfo) == "NotFoundException"


def test_decrypt_with_the_wrong_key_id_is_incorrect_key(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob, KeyId=other)
    assert code(excinfo) == "IncorrectKeyException"
    assert kms.decrypt(CiphertextBlob=blob, KeyId=arn(key_id))["Plaintext"] == b"x"


def test_alias_name_and_alias_arn_in_encrypt_and_decrypt(kms, key_id):
    kms.create_alias(AliasName="alias/stream-key", TargetKeyId=key_id)
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/stream-key"
    for identifier in ("alias/stream-key", alias_arn):
        answer = kms.encrypt(KeyId=identifier, Plaintext=b"via alias")
        assert answer["KeyId"] == arn(key_id)
        plain = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], KeyId=identifier)
        assert plain["Plaintext"] == b"via alias"


def test_generate_data_key(kms, key_id):
    answer = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
    assert len(answer["Plaintext"]) == 32
    assert answer["KeyId"] == arn(key_id)
    plain = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert plain["Plaintext"] == answer["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key_id, KeySpec="AES_128")["Plaintext"]) == 16
    assert len(kms.generate_data_key(KeyId=key_id, NumberOfBytes=64)["Plaintext"]) == 64


@pytest.mark.parametrize("kwargs", [{}, {"KeySpec": "AES_256", "NumberOfBytes": 32}])
def test_generate_data_key_needs_exactly_one_size(kms, key_id, kwargs):
    with pytest.raises(ClientError) as excinfo:
        kms.generate_data_key(KeyId=key_id, **kwargs)
    assert code(excinfo) == "ValidationException"


def test_generate_data_key_without_plaintext(kms, key_id):
    answer = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    assert "Plaintext" not in answer
    assert len(kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"]) == 32


def test_re_encrypt(kms, key_id):
    destination = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"move me", EncryptionContext=CONTEXT)[
        "CiphertextBlob"
    ]
    answer = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext=CONTEXT,
        DestinationKeyId=destination,
        DestinationEncryptionContext={"new": "context"},
    )
    assert answer["SourceKeyId"] == arn(key_id)
    assert answer["KeyId"] == arn(destination)
    plain = kms.decrypt(
        CiphertextBlob=answer["CiphertextBlob"], EncryptionContext={"new": "context"}
    )
    assert plain == plain | {"Plaintext": b"move me", "KeyId": arn(destination)}


def test_dry_run(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True)
    assert code(excinfo) == "DryRunOperationException"


def test_unknown_grant_token_is_refused(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=["not-a-token"])
    assert code(excinfo) == "InvalidGrantTokenException"


# ------------------------------------------------------------------------- errors by key state


# The operations that need an Enabled key (KEY-08): the keys of crypto_calls.
STATE_CHECKED = [
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncrypt",
    "CreateGrant",
]


def crypto_calls(kms, key_id: str, blob: bytes):
    return {
        "Encrypt": lambda: kms.encrypt(KeyId=key_id, Plaintext=b"x"),
        "Decrypt": lambda: kms.decrypt(CiphertextBlob=blob),
        "GenerateDataKey": lambda: kms.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
        "GenerateDataKeyWithoutPlaintext": lambda: kms.generate_data_key_without_plaintext(
            KeyId=key_id, KeySpec="AES_256"
        ),
        "ReEncrypt": lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id),
        "CreateGrant": lambda: kms.create_grant(
            KeyId=key_id, GranteePrincipal="firehose.amazonaws.com", Operations=["Encrypt"]
        ),
    }


@pytest.mark.parametrize("operation", STATE_CHECKED)
def test_disabled_key_refuses_with_disabled_exception(kms, key_id, operation):
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        crypto_calls(kms, key_id, blob)[operation]()
    assert code(excinfo) == "DisabledException"
    assert message(excinfo) == f"{arn(key_id)} is disabled."
    kms.enable_key(KeyId=key_id)
    crypto_calls(kms, key_id, blob)[operation]()


@pytest.mark.parametrize("operation", STATE_CHECKED)
def test_pending_deletion_key_refuses_with_invalid_state(kms, key_id, operation):
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as excinfo:
        crypto_calls(kms, key_id, blob)[operation]()
    assert code(excinfo) == "KMSInvalidStateException"
    assert message(excinfo) == f"{arn(key_id)} is pending deletion."


def test_cancelled_deletion_leaves_the_key_disabled(kms, key_id):
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.cancel_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert code(excinfo) == "DisabledException"


def test_unknown_key_in_crypto_operations(kms):
    missing = "11111111-2222-4333-8444-555555555555"
    for call in (
        lambda: kms.encrypt(KeyId=missing, Plaintext=b"x"),
        lambda: kms.generate_data_key(KeyId=missing, KeySpec="AES_256"),
        lambda: kms.generate_data_key(KeyId="alias/none", KeySpec="AES_256"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code(excinfo) == "NotFoundException"


# ------------------------------------------------------------------------- errors by key usage

NON_SYMMETRIC = [
    ("RSA_2048", "ENCRYPT_DECRYPT"),
    ("RSA_4096", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("ECC_NIST_P384", "KEY_AGREEMENT"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    ("SM2", "ENCRYPT_DECRYPT"),
    ("ML_DSA_44", "SIGN_VERIFY"),
    ("ML_KEM_512", "ENCAPSULATE_DECAPSULATE"),
    ("ML_KEM_1024", "ENCAPSULATE_DECAPSULATE"),
    ("HMAC_224", "GENERATE_VERIFY_MAC"),
    ("HMAC_512", "GENERATE_VERIFY_MAC"),
]


@pytest.mark.parametrize(("spec", "usage"), NON_SYMMETRIC)
def test_asymmetric_and_hmac_keys_cannot_generate_data_keys(kms, spec, usage):
    key_id = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert code(excinfo) == "InvalidKeyUsageException"
    with pytest.raises(ClientError) as excinfo:
        kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=32)
    assert code(excinfo) == "InvalidKeyUsageException"
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")  # SYMMETRIC_DEFAULT algorithm
    assert code(excinfo) == "InvalidKeyUsageException"


def test_messages_name_the_usage_or_the_algorithm(kms):
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=signing["KeyId"], Plaintext=b"x")
    assert message(excinfo) == (
        f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt."
    )
    rsa = kms.create_key(KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=rsa["KeyId"], Plaintext=b"x")
    assert message(excinfo) == "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072."


def test_symmetric_key_refuses_an_rsa_algorithm(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert code(excinfo) == "InvalidKeyUsageException"


def test_rsa_encryption_key_with_oaep(kms):
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    for algorithm, limit in (("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)):
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"r" * limit, EncryptionAlgorithm=algorithm)[
            "CiphertextBlob"
        ]
        assert len(blob) == 256
        plain = kms.decrypt(CiphertextBlob=blob, KeyId=key_id, EncryptionAlgorithm=algorithm)
        assert plain["Plaintext"] == b"r" * limit
        with pytest.raises(ClientError) as excinfo:
            kms.encrypt(KeyId=key_id, Plaintext=b"r" * (limit + 1), EncryptionAlgorithm=algorithm)
        assert code(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob)  # an RSA ciphertext does not name its key
    assert code(excinfo) == "InvalidCiphertextException"
