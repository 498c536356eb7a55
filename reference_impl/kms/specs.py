"""Key specs and key usages: which combinations KMS accepts and what each one can do.

Everything here is a table taken from the KMS API reference (CreateKey ``KeySpec``/``KeyUsage``,
``KeyMetadata``) and the developer guide ("Key spec reference", "Grant operations"), so the rest of
the package asks questions ("can this key generate data keys?") instead of comparing strings.
"""

from __future__ import annotations

from enum import StrEnum

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT = "KEY_AGREEMENT"
ENCAPSULATE_DECAPSULATE = "ENCAPSULATE_DECAPSULATE"

RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
HMAC_SPECS = ("HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512")
NIST_CURVES = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")
ML_DSA_SPECS = ("ML_DSA_44", "ML_DSA_65", "ML_DSA_87")
# KeySpec doc: "Asymmetric ML-KEM key pairs (establishing shared secrets) ML_KEM_512 ML_KEM_768
# ML_KEM_1024. The ML-KEM key specs are not available in China Regions."
ML_KEM_SPECS = ("ML_KEM_512", "ML_KEM_768", "ML_KEM_1024")

# CreateKey ``KeyUsage`` doc: "For symmetric encryption KMS keys, omit the parameter or specify
# ENCRYPT_DECRYPT. For HMAC KMS keys (symmetric), specify GENERATE_VERIFY_MAC. ... RSA ...
# ENCRYPT_DECRYPT or SIGN_VERIFY. ... NIST-standard elliptic curve ... SIGN_VERIFY or KEY_AGREEMENT.
# ... ECC_SECG_P256K1 ... SIGN_VERIFY. ... ML-DSA ... SIGN_VERIFY. ... ML-KEM key pairs, specify
# ENCAPSULATE_DECAPSULATE. ... SM2 ... ENCRYPT_DECRYPT, SIGN_VERIFY, or KEY_AGREEMENT." KeySpec doc:
# "ECC_NIST_EDWARDS25519 ... signing and verification only".
ALLOWED_USAGES: dict[str, tuple[str, ...]] = {
    SYMMETRIC_DEFAULT: (ENCRYPT_DECRYPT,),
    **{spec: (ENCRYPT_DECRYPT, SIGN_VERIFY) for spec in RSA_BITS},
    **{spec: (SIGN_VERIFY, KEY_AGREEMENT) for spec in NIST_CURVES},
    "ECC_SECG_P256K1": (SIGN_VERIFY,),
    "ECC_NIST_EDWARDS25519": (SIGN_VERIFY,),
    **{spec: (GENERATE_VERIFY_MAC,) for spec in HMAC_SPECS},
    # SM2 is documented as "China Regions only". The reference accepts it in every Region so that
    # KEY-01 scenarios can offer Firehose an SM2 key (KEY-10 lists SM2 among the key specs).
    "SM2": (ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT),
    **{spec: (SIGN_VERIFY,) for spec in ML_DSA_SPECS},
    **{spec: (ENCAPSULATE_DECAPSULATE,) for spec in ML_KEM_SPECS},
}

_RSA_SIGNING = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
]
_ECDSA = {
    "ECC_NIST_P256": ["ECDSA_SHA_256"],
    "ECC_NIST_P384": ["ECDSA_SHA_384"],
    "ECC_NIST_P521": ["ECDSA_SHA_512"],
    "ECC_SECG_P256K1": ["ECDSA_SHA_256"],
}

RSA_ENCRYPTION_ALGORITHMS = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")


class KeyClass(StrEnum):
    """What a key is for, which decides the operations (and grant operations) it supports."""

    SYMMETRIC_ENCRYPTION = "symmetric encryption"
    ASYMMETRIC_ENCRYPTION = "asymmetric encryption"
    ASYMMETRIC_SIGNING = "asymmetric signing"
    KEY_AGREEMENT = "key agreement"
    KEY_ENCAPSULATION = "key encapsulation"
    HMAC = "HMAC"


def key_class(spec: str, usage: str) -> KeyClass:
    if spec == SYMMETRIC_DEFAULT:
        return KeyClass.SYMMETRIC_ENCRYPTION
    if usage == GENERATE_VERIFY_MAC:
        return KeyClass.HMAC
    if usage == ENCRYPT_DECRYPT:
        return KeyClass.ASYMMETRIC_ENCRYPTION
    if usage == KEY_AGREEMENT:
        return KeyClass.KEY_AGREEMENT
    if usage == ENCAPSULATE_DECAPSULATE:
        return KeyClass.KEY_ENCAPSULATION
    return KeyClass.ASYMMETRIC_SIGNING


def algorithm_fields(spec: str, usage: str) -> dict[str, list[str]]:
    """The ``KeyMetadata`` algorithm lists KMS reports for a key of this spec and usage."""
    if usage == ENCRYPT_DECRYPT:
        if spec == SYMMETRIC_DEFAULT:
            return {"EncryptionAlgorithms": [SYMMETRIC_DEFAULT]}
        if spec == "SM2":
            return {"EncryptionAlgorithms": ["SM2PKE"]}
        return {"EncryptionAlgorithms": list(RSA_ENCRYPTION_ALGORITHMS)}
    if usage == SIGN_VERIFY:
        if spec in RSA_BITS:
            return {"SigningAlgorithms": list(_RSA_SIGNING)}
        if spec in _ECDSA:
            return {"SigningAlgorithms": list(_ECDSA[spec])}
        if spec == "ECC_NIST_EDWARDS25519":
            return {"SigningAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]}
        if spec == "SM2":
            return {"SigningAlgorithms": ["SM2DSA"]}
        return {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}
    if usage == GENERATE_VERIFY_MAC:
        return {"MacAlgorithms": [f"HMAC_SHA_{spec.removeprefix('HMAC_')}"]}
    if usage == ENCAPSULATE_DECAPSULATE:
        # KeyMetadata.EncapsulationAlgorithms: "This field appears only for KMS keys with a
        # KeyUsage value of ENCAPSULATE_DECAPSULATE"; ML_KEM is EncapsulationAlgorithmSpec's one.
        return {"EncapsulationAlgorithms": ["ML_KEM"]}
    return {"KeyAgreementAlgorithms": ["ECDH"]}


def encryption_algorithms(spec: str, usage: str) -> list[str]:
    return algorithm_fields(spec, usage).get("EncryptionAlgorithms", [])


# KMS-DG "Grant operations": the operations a grant may allow depend on the key type. "Grants for
# asymmetric KMS keys cannot allow any operations that generate data keys or data key pairs"
# (KEY-09); HMAC keys likewise (AMB-22). CreateGrant, DescribeKey and RetireGrant fit every key.
GRANT_OPERATIONS_EVERY_KEY = frozenset({"CreateGrant", "DescribeKey", "RetireGrant"})
GRANT_OPERATIONS: dict[KeyClass, frozenset[str]] = {
    KeyClass.SYMMETRIC_ENCRYPTION: frozenset(
        {
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
        }
    ),
    KeyClass.ASYMMETRIC_ENCRYPTION: frozenset(
        {"Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"}
    ),
    KeyClass.ASYMMETRIC_SIGNING: frozenset({"Sign", "Verify", "GetPublicKey"}),
    KeyClass.KEY_AGREEMENT: frozenset({"DeriveSharedSecret", "GetPublicKey"}),
    KeyClass.KEY_ENCAPSULATION: frozenset({"Encapsulate", "Decapsulate", "GetPublicKey"}),
    KeyClass.HMAC: frozenset({"GenerateMac", "VerifyMac"}),
}


def grant_operations_for(klass: KeyClass) -> frozenset[str]:
    return GRANT_OPERATIONS[klass] | GRANT_OPERATIONS_EVERY_KEY
