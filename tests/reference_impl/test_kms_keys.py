"""KMS keys through boto3: CreateKey for every key spec, DescribeKey, ListKeys, the key state
machine (enable, disable, schedule and cancel deletion, the window passing), aliases, tags, and
malformed requests (KEY-02, KEY-08, KEY-10), UpdateAlias and the alias rules the model cannot
express."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from client_errors import code, error, message

from reference_impl.cloud import ReferenceCloud
from reference_impl.wire.http import Request

ACCOUNT = "123456789012"
REGION = "us-east-1"
# KeyMetadata.EncapsulationAlgorithms: "appears only for KMS keys with a KeyUsage value of
# ENCAPSULATE_DECAPSULATE".
ML_KEM_ALGORITHMS = {"EncapsulationAlgorithms": ["ML_KEM"]}

SPECS = [
    ("SYMMETRIC_DEFAULT", None, "ENCRYPT_DECRYPT", {"EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}),
    (
        "RSA_2048",
        "ENCRYPT_DECRYPT",
        "ENCRYPT_DECRYPT",
        {"EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]},
    ),
    ("RSA_3072", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": 6}),
    ("RSA_4096", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": 6}),
    ("ECC_NIST_P256", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": ["ECDSA_SHA_256"]}),
    ("ECC_NIST_P384", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": ["ECDSA_SHA_384"]}),
    ("ECC_NIST_P521", "KEY_AGREEMENT", "KEY_AGREEMENT", {"KeyAgreementAlgorithms": ["ECDH"]}),
    ("ECC_SECG_P256K1", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": ["ECDSA_SHA_256"]}),
    (
        "ECC_NIST_EDWARDS25519",
        "SIGN_VERIFY",
        "SIGN_VERIFY",
        {"SigningAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]},
    ),
    ("HMAC_224", "GENERATE_VERIFY_MAC", "GENERATE_VERIFY_MAC", {"MacAlgorithms": ["HMAC_SHA_224"]}),
    ("HMAC_256", "GENERATE_VERIFY_MAC", "GENERATE_VERIFY_MAC", {"MacAlgorithms": ["HMAC_SHA_256"]}),
    ("HMAC_384", "GENERATE_VERIFY_MAC", "GENERATE_VERIFY_MAC", {"MacAlgorithms": ["HMAC_SHA_384"]}),
    ("HMAC_512", "GENERATE_VERIFY_MAC", "GENERATE_VERIFY_MAC", {"MacAlgorithms": ["HMAC_SHA_512"]}),
    ("SM2", "ENCRYPT_DECRYPT", "ENCRYPT_DECRYPT", {"EncryptionAlgorithms": ["SM2PKE"]}),
    ("ML_DSA_44", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}),
    ("ML_DSA_65", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}),
    ("ML_DSA_87", "SIGN_VERIFY", "SIGN_VERIFY", {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}),
    *(
        (spec, "ENCAPSULATE_DECAPSULATE", "ENCAPSULATE_DECAPSULATE", ML_KEM_ALGORITHMS)
        for spec in ("ML_KEM_512", "ML_KEM_768", "ML_KEM_1024")
    ),
]
ALGORITHM_FIELDS = (
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "MacAlgorithms",
    "KeyAgreementAlgorithms",
    "EncapsulationAlgorithms",
)


def new_key(kms, **kwargs) -> str:
    return kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]


# ------------------------------------------------------------------------- CreateKey/DescribeKey


@pytest.mark.parametrize(("spec", "usage", "expected_usage", "algorithms"), SPECS)
def test_every_key_spec_is_created_and_described(kms, spec, usage, expected_usage, algorithms):
    kwargs = {"KeySpec": spec, "Description": f"a {spec} key"}
    if usage is not None:
        kwargs["KeyUsage"] = usage
    created = kms.create_key(**kwargs)["KeyMetadata"]
    meta = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
    assert meta["KeySpec"] == meta["CustomerMasterKeySpec"] == spec
    assert meta["KeyUsage"] == expected_usage
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True
    assert meta["AWSAccountId"] == ACCOUNT
    assert meta["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{meta['KeyId']}"
    assert meta["Origin"] == "AWS_KMS" and meta["KeyManager"] == "CUSTOMER"
    assert meta["MultiRegion"] is False
    assert meta["Description"] == f"a {spec} key"
    assert "DeletionDate" not in meta
    present = {field for field in ALGORITHM_FIELDS if field in meta}
    assert present == set(algorithms)
    for field, expected in algorithms.items():
        if isinstance(expected, int):
            assert len(meta[field]) == expected
        else:
            assert meta[field] == expected
    assert created == meta


def test_default_key_is_symmetric_encryption(cloud, kms):
    meta = kms.create_key()["KeyMetadata"]
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["Description"] == ""
    assert meta["CreationDate"] == cloud.now()
    assert len(meta["CurrentKeyMaterialId"]) == 64


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("HMAC_256", "ENCRYPT_DECRYPT"),
        ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"),
        ("RSA_2048", "KEY_AGREEMENT"),
        ("RSA_2048", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
        ("ECC_SECG_P256K1", "KEY_AGREEMENT"),
        ("ECC_NIST_EDWARDS25519", "KEY_AGREEMENT"),
        ("ML_DSA_65", "ENCRYPT_DECRYPT"),
        ("ML_KEM_768", "ENCRYPT_DECRYPT"),
        ("ML_KEM_512", "KEY_AGREEMENT"),
        ("RSA_2048", "ENCAPSULATE_DECAPSULATE"),
        ("SYMMETRIC_DEFAULT", "ENCAPSULATE_DECAPSULATE"),
    ],
)
def test_key_usage_must_fit_the_key_spec(kms, spec, usage):
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(KeySpec=spec, KeyUsage=usage)
    assert code(excinfo) == "ValidationException"


@pytest.mark.parametrize(
    "spec", ["RSA_2048", "HMAC_256", "ECC_NIST_P256", "ML_DSA_44", "ML_KEM_768"]
)
def test_key_usage_is_required_except_for_symmetric_encryption(kms, spec):
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(KeySpec=spec)
    assert code(excinfo) == "ValidationException"
    assert "KeyUsage" in message(excinfo)


def test_customer_master_key_spec_is_the_same_parameter(kms):
    meta = kms.create_key(CustomerMasterKeySpec="HMAC_384", KeyUsage="GENERATE_VERIFY_MAC")
    assert meta["KeyMetadata"]["KeySpec"] == "HMAC_384"
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(KeySpec="HMAC_256", CustomerMasterKeySpec="HMAC_384")
    assert code(excinfo) == "ValidationException"


def test_bad_key_spec_enum_is_a_validation_exception(kms):
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(KeySpec="AES_512")
    assert code(excinfo) == "ValidationException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "keySpec" in message(excinfo)


@pytest.mark.parametrize(
    "kwargs",
    [{"MultiRegion": True}, {"Origin": "AWS_CLOUDHSM"}, {"CustomKeyStoreId": "cks-1234567890"}],
)
def test_unsupported_key_kinds_are_refused(kms, kwargs):
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(**kwargs)
    assert code(excinfo) == "UnsupportedOperationException"


def test_non_json_body_is_a_serialization_exception(cloud):
    request = Request(
        method="POST",
        path="/",
        query="",
        headers={
            "x-amz-target": "TrentService.CreateKey",
            "content-type": "application/x-amz-json-1.1",
        },
        body=b"{this is not json",
    )
    response = cloud.app.handle(request)
    assert response.status == 400
    assert json.loads(response.body)["__type"] == "SerializationException"


def test_describe_unknown_key(kms):
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId=missing)
    assert code(excinfo) == "NotFoundException"
    assert message(excinfo) == f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist"


def test_describe_malformed_key_id(kms):
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId="not-a-key")
    assert code(excinfo) == "NotFoundException"
    assert message(excinfo) == "Invalid keyId 'not-a-key'"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:kms:us-east-1:999999999999:key/{id}",
        "arn:aws:kms:eu-west-1:123456789012:key/{id}",
    ],
)
def test_key_arn_of_another_account_or_region_is_not_found(kms, arn):
    key_id = new_key(kms)
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId=arn.format(id=key_id))
    assert code(excinfo) == "NotFoundException"


def test_describe_by_every_identifier(kms):
    key_id = new_key(kms)
    kms.create_alias(AliasName="alias/every-form", TargetKeyId=key_id)
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/every-form"
    for identifier in (key_id, arn, "alias/every-form", alias_arn):
        assert kms.describe_key(KeyId=identifier)["KeyMetadata"]["KeyId"] == key_id


def test_list_keys_resource_owners(kms):
    """SELF lists the account's keys; the reference shares no key through RAM."""
    keys = [new_key(kms) for _ in range(2)]
    listed = [k["KeyId"] for k in kms.list_keys()["Keys"]]
    assert listed == keys
    assert [k["KeyId"] for k in kms.list_keys(ResourceOwners=["SELF"])["Keys"]] == keys
    both = kms.list_keys(ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM", "SELF"])
    assert [k["KeyId"] for k in both["Keys"]] == keys
    shared = kms.list_keys(ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"])
    assert (shared["Keys"], shared["Truncated"]) == ([], False)


def test_ml_kem_keys_are_not_available_in_china_regions():
    kms = ReferenceCloud(region="cn-north-1").client("kms")
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")
    assert code(excinfo) == "UnsupportedOperationException"


def test_encapsulate_and_decapsulate_are_not_implemented(kms):
    """The reference never pretends to encapsulate: the operations answer as unimplemented."""
    key_id = new_key(kms, KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")
    for call, kwargs in (
        (kms.encapsulate, {}),
        (kms.decapsulate, {"SharedSecretCiphertextBlob": b"x" * 32}),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(KeyId=key_id, EncapsulationAlgorithm="ML_KEM", **kwargs)
        assert code(excinfo) == "UnknownOperationException"
        assert "not supported by this reference implementation" in message(excinfo)


def test_list_keys_pages_with_limit_and_marker(kms):
    created = [new_key(kms) for _ in range(5)]
    first = kms.list_keys(Limit=2)
    assert first["Truncated"] is True
    second = kms.list_keys(Limit=2, Marker=first["NextMarker"])
    third = kms.list_keys(Limit=2, Marker=second["NextMarker"])
    assert third["Truncated"] is False and "NextMarker" not in third
    seen = [k["KeyId"] for page in (first, second, third) for k in page["Keys"]]
    assert seen == created
    assert all(k["KeyArn"].endswith(k["KeyId"]) for k in first["Keys"])
    with pytest.raises(ClientError) as excinfo:
        kms.list_keys(Marker="garbage")
    assert code(excinfo) == "InvalidMarkerException"


# ------------------------------------------------------------------------- state machine


def state(kms, key_id: str) -> str:
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]


def test_disable_and_enable(kms):
    key_id = new_key(kms)
    kms.disable_key(KeyId=key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and meta["Enabled"] is False
    kms.disable_key(KeyId=key_id)  # idempotent
    kms.enable_key(KeyId=key_id)
    assert state(kms, key_id) == "Enabled"
    kms.enable_key(KeyId=key_id)
    assert state(kms, key_id) == "Enabled"


def test_disable_key_does_not_accept_an_alias(kms):
    key_id = new_key(kms)
    kms.create_alias(AliasName="alias/no-alias-here", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        kms.disable_key(KeyId="alias/no-alias-here")
    assert code(excinfo) == "NotFoundException"
    kms.disable_key(KeyId=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}")
    assert state(kms, key_id) == "Disabled"


def test_schedule_deletion_then_cancel(cloud, kms):
    key_id = new_key(kms)
    answer = kms.schedule_key_deletion(KeyId=key_id)
    assert answer["KeyState"] == "PendingDeletion"
    assert answer["PendingWindowInDays"] == 30
    assert answer["KeyId"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    assert answer["DeletionDate"] == cloud.now() + timedelta(days=30)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and meta["Enabled"] is False
    assert meta["DeletionDate"] == answer["DeletionDate"]
    cancelled = kms.cancel_key_deletion(KeyId=key_id)
    assert cancelled["KeyId"] == answer["KeyId"]
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and "DeletionDate" not in meta
    cloud.advance(hours=24 * 31)  # the cancelled timer must not fire
    assert state(kms, key_id) == "Disabled"


@pytest.mark.parametrize("days", [3, 6, 31, 365])
def test_pending_window_outside_7_to_30_days_is_refused(kms, days):
    key_id = new_key(kms)
    with pytest.raises(ClientError) as excinfo:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    assert code(excinfo) == "ValidationException"
    assert state(kms, key_id) == "Enabled"


def test_key_is_gone_when_the_window_passes(cloud, kms):
    key_id = new_key(kms)
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    kms.create_grant(
        KeyId=key_id, GranteePrincipal="firehose.amazonaws.com", Operations=["Decrypt"]
    )
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    cloud.advance(hours=24 * 7 - 1)
    assert state(kms, key_id) == "PendingDeletion"
    cloud.advance(hours=1)
    calls = [
        lambda: kms.describe_key(KeyId=key_id),
        lambda: kms.enable_key(KeyId=key_id),
        lambda: kms.cancel_key_deletion(KeyId=key_id),
        lambda: kms.list_grants(KeyId=key_id),
        lambda: kms.get_key_policy(KeyId=key_id),
        lambda: kms.encrypt(KeyId=key_id, Plaintext=b"x"),
        lambda: kms.decrypt(CiphertextBlob=blob),
        lambda: kms.describe_key(KeyId="alias/doomed"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code(excinfo) == "NotFoundException"
    assert key_id not in [k["KeyId"] for k in kms.list_keys()["Keys"]]
    assert kms.list_aliases()["Aliases"] == []


def test_operations_refused_while_pending_deletion(kms):
    key_id = new_key(kms)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    for call in (
        lambda: kms.enable_key(KeyId=key_id),
        lambda: kms.disable_key(KeyId=key_id),
        lambda: kms.schedule_key_deletion(KeyId=key_id),
        lambda: kms.create_alias(AliasName="alias/late", TargetKeyId=key_id),
        lambda: kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "b"}]),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code(excinfo) == "KMSInvalidStateException"
        assert message(excinfo).endswith("is pending deletion.")


def test_cancel_deletion_of_a_key_not_pending_deletion(kms):
    key_id = new_key(kms)
    with pytest.raises(ClientError) as excinfo:
        kms.cancel_key_deletion(KeyId=key_id)
    assert code(excinfo) == "KMSInvalidStateException"
    assert message(excinfo).endswith("is not pending deletion.")


def test_metadata_operations_work_in_every_state(kms):
    key_id = new_key(kms)
    grant_id = kms.create_grant(
        KeyId=key_id, GranteePrincipal="firehose.amazonaws.com", Operations=["Encrypt"]
    )["GrantId"]
    kms.disable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 1
    assert json.loads(kms.get_key_policy(KeyId=key_id)["Policy"])["Statement"]
    kms.revoke_grant(KeyId=key_id, GrantId=grant_id)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


# ------------------------------------------------------------------------- aliases


def test_alias_lifecycle(cloud, kms):
    key_id = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    (alias,) = kms.list_aliases()["Aliases"]
    assert alias["AliasName"] == "alias/orders"
    assert alias["AliasArn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders"
    assert alias["TargetKeyId"] == key_id
    assert alias["CreationDate"] == cloud.now()
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == [alias]
    other = new_key(kms)
    assert kms.list_aliases(KeyId=other)["Aliases"] == []
    kms.delete_alias(AliasName="alias/orders")
    assert kms.list_aliases()["Aliases"] == []
    with pytest.raises(ClientError) as excinfo:
        kms.delete_alias(AliasName="alias/orders")
    assert code(excinfo) == "NotFoundException"
    assert message(excinfo) == f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders is not found."


def test_alias_errors(kms):
    key_id = new_key(kms)
    kms.create_alias(AliasName="alias/taken", TargetKeyId=key_id)
    cases = [
        ({"AliasName": "alias/taken", "TargetKeyId": key_id}, "AlreadyExistsException"),
        ({"AliasName": "no-prefix", "TargetKeyId": key_id}, "ValidationException"),
        ({"AliasName": "alias/aws/mine", "TargetKeyId": key_id}, "NotAuthorizedException"),
        ({"AliasName": "alias/bad name", "TargetKeyId": key_id}, "ValidationException"),
        (
            {"AliasName": "alias/x", "TargetKeyId": "00000000-0000-4000-8000-000000000000"},
            "NotFoundException",
        ),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ClientError) as excinfo:
            kms.create_alias(**kwargs)
        assert code(excinfo) == expected, kwargs


ALIAS_TARGETS = {
    "alias-name": "alias/taken",
    "alias-arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/taken",
    "missing-alias": "alias/missing",
}


@pytest.mark.parametrize("operation", ["create_alias", "update_alias"])
@pytest.mark.parametrize("target", ALIAS_TARGETS.values(), ids=ALIAS_TARGETS.keys())
def test_an_alias_cannot_target_an_alias(kms, operation, target):
    """Found by moto's KMS tests: KMS refuses an alias as TargetKeyId by its form."""
    kms.create_alias(AliasName="alias/taken", TargetKeyId=new_key(kms))
    name = "alias/taken" if operation == "update_alias" else "alias/new"
    with pytest.raises(ClientError) as excinfo:
        getattr(kms, operation)(AliasName=name, TargetKeyId=target)
    assert error(excinfo) == ("ValidationException", "Aliases must refer to keys. Not aliases")
    assert [a["AliasName"] for a in kms.list_aliases()["Aliases"]] == ["alias/taken"]


@pytest.mark.parametrize("name", ["alias/my:alias", "alias/a.b", "alias/caf\u00e9", "alias/x y"])
@pytest.mark.parametrize("operation", ["create_alias", "update_alias"])
def test_alias_name_characters_beyond_the_pattern_are_refused(kms, operation, name):
    """CreateAlias AliasName doc: "It can contain only alphanumeric characters, forward slashes
    (/), underscores (_), and dashes (-)"; the model's pattern also admits ":"."""
    name = name.encode().decode("unicode_escape")
    with pytest.raises(ClientError) as excinfo:
        getattr(kms, operation)(AliasName=name, TargetKeyId=new_key(kms))
    assert code(excinfo) == "ValidationException"
    assert kms.list_aliases()["Aliases"] == []


def test_update_alias(cloud, kms):
    first, second = new_key(kms), new_key(kms)
    kms.create_alias(AliasName="alias/moving", TargetKeyId=first)
    created = cloud.now()
    cloud.advance(10)
    kms.update_alias(AliasName="alias/moving", TargetKeyId=second)
    (alias,) = kms.list_aliases()["Aliases"]
    assert alias["TargetKeyId"] == second
    assert (alias["CreationDate"], alias["LastUpdatedDate"]) == (created, cloud.now())
    assert kms.describe_key(KeyId="alias/moving")["KeyMetadata"]["KeyId"] == second
    with pytest.raises(ClientError) as excinfo:
        kms.update_alias(AliasName="alias/missing", TargetKeyId=second)
    assert code(excinfo) == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        kms.update_alias(AliasName="alias/aws/kinesis", TargetKeyId=second)
    assert code(excinfo) == "NotAuthorizedException"
    # "The current and new KMS key must be the same type ... and ... the same key usage."
    for kwargs in (
        {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
    ):
        with pytest.raises(ClientError) as excinfo:
            kms.update_alias(AliasName="alias/moving", TargetKeyId=new_key(kms, **kwargs))
        assert code(excinfo) == "ValidationException"
    signing = new_key(kms, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    kms.create_alias(AliasName="alias/signer", TargetKeyId=signing)
    ecc = new_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    kms.update_alias(AliasName="alias/signer", TargetKeyId=ecc)  # both asymmetric signing
    # An AWS managed key: its key policy grants the account no kms:UpdateAlias.
    managed = kms.describe_key(KeyId="alias/aws/kinesis")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        kms.update_alias(AliasName="alias/moving", TargetKeyId=managed)
    assert code(excinfo) == "AccessDeniedException"
    assert kms.list_aliases(KeyId=second)["Aliases"][0]["AliasName"] == "alias/moving"


def test_unknown_alias_is_not_found(kms):
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId="alias/nothing")
    assert code(excinfo) == "NotFoundException"
    assert message(excinfo) == f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nothing is not found."


def test_predefined_aws_alias_names_an_aws_managed_key(kms):
    meta = kms.describe_key(KeyId="alias/aws/kinesis")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert kms.describe_key(KeyId="alias/aws/kinesis")["KeyMetadata"]["KeyId"] == meta["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        kms.disable_key(KeyId=meta["KeyId"])  # its policy lets the account only read it
    assert code(excinfo) == "AccessDeniedException"


# ------------------------------------------------------------------------- tags, description


def test_tags(kms):
    key_id = new_key(kms, Tags=[{"TagKey": "team", "TagValue": "data"}])
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "env", "TagValue": "test"}])
    tags = kms.list_resource_tags(KeyId=key_id)
    assert tags["Tags"] == [
        {"TagKey": "team", "TagValue": "data"},
        {"TagKey": "env", "TagValue": "test"},
    ]
    assert tags["Truncated"] is False
    kms.untag_resource(KeyId=key_id, TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "env", "TagValue": "test"}]


def test_update_key_description(kms):
    key_id = new_key(kms)
    kms.update_key_description(KeyId=key_id, Description="new words")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new words"


def test_unimplemented_operation_is_not_a_500(kms):
    key_id = new_key(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    with pytest.raises(ClientError) as excinfo:
        kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
