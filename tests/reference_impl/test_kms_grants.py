"""KMS grants through boto3: CreateGrant by key type (KEY-09, AMB-22), ListGrants,
ListRetirableGrants, RetireGrant by token or by id, RevokeGrant (GRT-01..05, KMS side)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from client_errors import code, message

from reference_impl.errors import AwsError

FIREHOSE = "firehose.amazonaws.com"
DATA_KEY_OPERATIONS = [
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
]
FIREHOSE_OPERATIONS = ["Encrypt", "Decrypt", "GenerateDataKey", "RetireGrant", "DescribeKey"]


def test_create_and_list_a_grant(cloud, kms, key_id):
    answer = kms.create_grant(
        KeyId=key_id,
        GranteePrincipal=FIREHOSE,
        RetiringPrincipal=FIREHOSE,
        Operations=FIREHOSE_OPERATIONS,
        Name="firehose-orders",
    )
    assert len(answer["GrantId"]) == 64
    assert answer["GrantToken"]
    (grant,) = kms.list_grants(KeyId=key_id)["Grants"]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert grant == {
        "KeyId": arn,
        "GrantId": answer["GrantId"],
        "Name": "firehose-orders",
        "CreationDate": cloud.now(),
        "GranteePrincipal": FIREHOSE,
        "RetiringPrincipal": FIREHOSE,
        "IssuingAccount": "arn:aws:iam::123456789012:root",
        "Operations": FIREHOSE_OPERATIONS,
    }
    assert kms.list_grants(KeyId=arn, GrantId=answer["GrantId"])["Grants"] == [grant]
    assert kms.list_grants(KeyId=key_id, GranteePrincipal="someone")["Grants"] == []


def test_named_grant_is_idempotent_with_a_new_token(kms, key_id):
    first = kms.create_grant(
        KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"], Name="same"
    )
    second = kms.create_grant(
        KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"], Name="same"
    )
    assert first["GrantId"] == second["GrantId"]
    assert first["GrantToken"] != second["GrantToken"]
    third = kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])
    assert third["GrantId"] != first["GrantId"]
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 2


def test_list_grants_pages(kms, key_id):
    ids = [
        kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])["GrantId"]
        for _ in range(3)
    ]
    first = kms.list_grants(KeyId=key_id, Limit=2)
    assert first["Truncated"] is True
    second = kms.list_grants(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert second["Truncated"] is False
    assert [g["GrantId"] for g in first["Grants"] + second["Grants"]] == ids


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("RSA_3072", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P521", "KEY_AGREEMENT"),
        ("ECC_SECG_P256K1", "SIGN_VERIFY"),
        ("SM2", "ENCRYPT_DECRYPT"),
        ("ML_DSA_87", "SIGN_VERIFY"),
        ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ],
)
@pytest.mark.parametrize("operation", DATA_KEY_OPERATIONS)
def test_grants_on_asymmetric_or_hmac_keys_cannot_allow_data_key_operations(
    kms, spec, usage, operation
):
    key_id = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=[operation, "Decrypt"])
    assert code(excinfo) == "ValidationException"
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


@pytest.mark.parametrize(
    ("spec", "usage", "operations"),
    [
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", ["Encrypt", "Decrypt", *DATA_KEY_OPERATIONS]),
        ("RSA_2048", "ENCRYPT_DECRYPT", ["Encrypt", "Decrypt", "ReEncryptFrom", "GetPublicKey"]),
        ("RSA_4096", "SIGN_VERIFY", ["Sign", "Verify", "GetPublicKey", "DescribeKey"]),
        ("ECC_NIST_P384", "KEY_AGREEMENT", ["DeriveSharedSecret", "RetireGrant"]),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", ["Sign", "Verify"]),
        ("ML_DSA_44", "SIGN_VERIFY", ["Sign", "CreateGrant"]),
        ("HMAC_384", "GENERATE_VERIFY_MAC", ["GenerateMac", "VerifyMac", "DescribeKey"]),
        ("ML_KEM_512", "ENCAPSULATE_DECAPSULATE", ["Encapsulate", "Decapsulate", "GetPublicKey"]),
    ],
)
def test_grants_with_operations_the_key_supports_succeed_on_every_key_type(
    kms, spec, usage, operations
):
    key_id = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=operations)
    assert kms.list_grants(KeyId=key_id)["Grants"][0]["Operations"] == operations


@pytest.mark.parametrize(
    ("spec", "usage", "operation"),
    [
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Sign"),
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "GenerateMac"),
        ("HMAC_256", "GENERATE_VERIFY_MAC", "Encrypt"),
        ("RSA_2048", "SIGN_VERIFY", "Decrypt"),
        ("ML_KEM_1024", "ENCAPSULATE_DECAPSULATE", "Encrypt"),
        ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", "DeriveSharedSecret"),
        ("ECC_NIST_P256", "KEY_AGREEMENT", "Decapsulate"),
    ],
)
def test_grants_for_operations_of_another_key_type_fail(kms, spec, usage, operation):
    key_id = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=[operation])
    assert code(excinfo) == "ValidationException"


def test_grant_with_only_create_grant_is_refused(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["CreateGrant"])
    assert code(excinfo) == "ValidationException"


def test_bad_grant_operation_enum(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Everything"])
    assert code(excinfo) == "ValidationException"


def test_create_grant_by_key_arn_but_not_by_alias(kms, key_id):
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.create_grant(KeyId=arn, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])
    kms.create_alias(AliasName="alias/grantee", TargetKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(KeyId="alias/grantee", GranteePrincipal=FIREHOSE, Operations=["Encrypt"])
    assert code(excinfo) == "NotFoundException"


def test_retire_by_token(kms, key_id):
    token = kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])[
        "GrantToken"
    ]
    kms.retire_grant(GrantToken=token)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    with pytest.raises(ClientError) as excinfo:
        kms.retire_grant(GrantToken=token)
    assert code(excinfo) == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        kms.retire_grant(GrantToken="never-issued")
    assert code(excinfo) == "InvalidGrantTokenException"


def test_retire_by_key_and_grant_id(kms, key_id):
    grant_id = kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])[
        "GrantId"
    ]
    with pytest.raises(ClientError) as excinfo:
        kms.retire_grant(GrantId=grant_id)  # the key is needed too
    assert code(excinfo) == "ValidationException"
    kms.retire_grant(KeyId=key_id, GrantId=grant_id)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_revoke(kms, key_id):
    grant_id = kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])[
        "GrantId"
    ]
    kms.revoke_grant(KeyId=key_id, GrantId=grant_id)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    with pytest.raises(ClientError) as excinfo:
        kms.revoke_grant(KeyId=key_id, GrantId=grant_id)
    assert code(excinfo) == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        kms.revoke_grant(KeyId=key_id, GrantId="short")
    assert code(excinfo) == "InvalidGrantIdException"


def test_grant_of_one_key_is_not_found_on_another(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    grant_id = kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"])[
        "GrantId"
    ]
    with pytest.raises(ClientError) as excinfo:
        kms.revoke_grant(KeyId=other, GrantId=grant_id)
    assert code(excinfo) == "NotFoundException"


def test_list_retirable_grants(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    for key in (key_id, other):
        kms.create_grant(
            KeyId=key, GranteePrincipal=FIREHOSE, RetiringPrincipal=FIREHOSE, Operations=["Decrypt"]
        )
    kms.create_grant(KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Decrypt"])
    grants = kms.list_retirable_grants(RetiringPrincipal=FIREHOSE)["Grants"]
    assert len(grants) == 2
    assert {g["KeyId"].rsplit("/", 1)[1] for g in grants} == {key_id, other}


def test_grant_constraints(kms, key_id):
    kms.create_grant(
        KeyId=key_id,
        GranteePrincipal=FIREHOSE,
        Operations=["Encrypt"],
        Constraints={"EncryptionContextSubset": {"stream": "orders"}},
    )
    (grant,) = kms.list_grants(KeyId=key_id)["Grants"]
    assert grant["Constraints"] == {"EncryptionContextSubset": {"stream": "orders"}}
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(
            KeyId=rsa,
            GranteePrincipal=FIREHOSE,
            Operations=["Encrypt"],
            Constraints={"EncryptionContextEquals": {"a": "b"}},
        )
    assert code(excinfo) == "ValidationException"


def test_create_grant_dry_run_creates_nothing(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(
            KeyId=key_id, GranteePrincipal=FIREHOSE, Operations=["Encrypt"], DryRun=True
        )
    assert code(excinfo) == "DryRunOperationException"
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


# -- service principals (GranteeServicePrincipal, RetiringServicePrincipal, SourceArn) ----------

SERVICE = "logs.us-east-1.amazonaws.com"
SOURCE = "arn:aws:logs:us-east-1:123456789012:log-group:orders"
ROLE = "arn:aws:iam::123456789012:role/reader"
ROOT = "arn:aws:iam::123456789012:root"


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "either GranteePrincipal or GranteeServicePrincipal"),
        (
            {"GranteePrincipal": ROLE, "GranteeServicePrincipal": SERVICE},
            "either GranteePrincipal or GranteeServicePrincipal",
        ),
        (
            {
                "GranteePrincipal": ROLE,
                "RetiringPrincipal": ROLE,
                "RetiringServicePrincipal": SERVICE,
            },
            "either RetiringPrincipal or RetiringServicePrincipal",
        ),
        ({"GranteeServicePrincipal": SERVICE, "RetiringPrincipal": ROLE}, "SourceArn"),
        (
            {"GranteeServicePrincipal": SERVICE, "Constraints": {"SourceArn": SOURCE}},
            "RetiringPrincipal or a RetiringServicePrincipal",
        ),
        (
            {
                "GranteeServicePrincipal": SERVICE,
                "RetiringPrincipal": ROLE,
                "Constraints": {"EncryptionContextSubset": {"a": "b"}},
            },
            "SourceArn",
        ),
    ],
    ids=[
        "no-grantee",
        "both-grantees",
        "both-retiring",
        "service-grantee-without-source-arn",
        "service-grantee-without-retiring",
        "service-grantee-with-another-constraint",
    ],
)
def test_create_grant_principal_rules(kms, key_id, params, needle):
    """CreateGrant docs: "You must specify either GranteePrincipal or GranteeServicePrincipal, but
    not both"; "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant
    constraint. In addition, you must specify either a RetiringPrincipal or a
    RetiringServicePrincipal"; RetiringPrincipal: "either ... or RetiringServicePrincipal, but not
    both"."""
    with pytest.raises(ClientError) as excinfo:
        kms.create_grant(KeyId=key_id, Operations=["Decrypt"], **params)
    assert code(excinfo) == "ValidationException"
    assert needle in message(excinfo)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_grant_for_a_service_principal(cloud, kms, key_id):
    answer = kms.create_grant(
        KeyId=key_id,
        GranteeServicePrincipal=SERVICE,
        RetiringServicePrincipal=SERVICE,
        Operations=["Decrypt", "RetireGrant"],
        Constraints={"SourceArn": SOURCE},
    )
    (grant,) = kms.list_grants(KeyId=key_id)["Grants"]
    assert grant["GranteeServicePrincipal"] == grant["RetiringServicePrincipal"] == SERVICE
    assert "GranteePrincipal" not in grant and "RetiringPrincipal" not in grant
    assert grant["Constraints"] == {"SourceArn": SOURCE}
    # The filters by service principal are "only usable by callers in a service principal".
    for call, params in (
        (kms.list_grants, {"KeyId": key_id, "GranteeServicePrincipal": SERVICE}),
        (kms.list_retirable_grants, {"RetiringServicePrincipal": SERVICE}),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(**params)
        assert code(excinfo) == "ValidationException"
        assert "only usable by callers in a service principal" in message(excinfo)
    model = cloud.kms
    listed, _ = model.list_grants(key_id, caller=ROOT, grantee_service_principal=SERVICE)
    assert [g.grant_id for g in listed] == [answer["GrantId"]]
    (retirable,), _ = model.list_retirable_grants(retiring_service_principal=SERVICE)
    assert retirable.grant_id == answer["GrantId"]
    # No request of the reference is made on behalf of a resource, so the SourceArn constraint
    # lets the grant allow nothing but RetireGrant (to which it "does not apply").
    with pytest.raises(AwsError) as caught:
        model.check_usable(key_id, caller=SERVICE, operation="Decrypt")
    assert caught.value.code == "AccessDeniedException"
    model.retire_grant(key_id, answer["GrantId"], caller=SERVICE)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_source_arn_constraint_narrows_a_grant_for_an_iam_principal(cloud, kms, key_id):
    """A role of another account, whom only the grant could let in (the key policy names the
    key's own account)."""
    outsider = "arn:aws:iam::210987654321:role/reader"
    for constraints, allowed in (({"SourceArn": SOURCE}, False), (None, True)):
        grant = kms.create_grant(
            KeyId=key_id,
            GranteePrincipal=outsider,
            Operations=["Decrypt", "DescribeKey"],
            **({"Constraints": constraints} if constraints else {}),
        )
        for operation in ("Decrypt", "DescribeKey"):
            if allowed:
                cloud.kms.check_usable(key_id, caller=outsider, operation=operation)
                continue
            with pytest.raises(AwsError) as caught:
                cloud.kms.check_usable(key_id, caller=outsider, operation=operation)
            assert caught.value.code == "AccessDeniedException"
        kms.revoke_grant(KeyId=key_id, GrantId=grant["GrantId"])


def test_source_arn_constraint_fits_every_key_type(kms):
    """SourceArn "is supported on grants for all types of KMS keys" (encryption context
    constraints are not)."""
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_grant(
        KeyId=key_id,
        GranteeServicePrincipal=SERVICE,
        RetiringPrincipal=ROLE,
        Operations=["Sign"],
        Constraints={"SourceArn": SOURCE},
    )
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 1


def test_list_grants_grantee_filters_are_exclusive(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.list_grants(KeyId=key_id, GranteePrincipal=ROLE, GranteeServicePrincipal=SERVICE)
    assert code(excinfo) == "ValidationException"


@pytest.mark.parametrize(
    "params",
    [{}, {"RetiringPrincipal": FIREHOSE, "RetiringServicePrincipal": SERVICE}],
    ids=["neither", "both"],
)
def test_list_retirable_grants_needs_exactly_one_retiring_principal(kms, params):
    """The doc: "You must specify either RetiringPrincipal or RetiringServicePrincipal, but not
    both"."""
    with pytest.raises(ClientError) as excinfo:
        kms.list_retirable_grants(**params)
    assert code(excinfo) == "ValidationException"
