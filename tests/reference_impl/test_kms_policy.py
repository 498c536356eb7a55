"""Key policies and authorisation: PutKeyPolicy/GetKeyPolicy, malformed policies, the lockout
check, explicit Deny for a service principal, grants letting a service in and RevokeGrant taking
it out (GRT-01..05 on the KMS side, KEY-07)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from client_errors import code

from reference_impl.errors import AwsError
from reference_impl.principals import FIREHOSE_PRINCIPAL, KINESIS_PRINCIPAL, account_root

ACCOUNT = "123456789012"
ROOT = account_root(ACCOUNT)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/producer"
OUTSIDER = "arn:aws:iam::999999999999:role/outsider"


def policy(*statements: dict) -> str:
    root_admin = {
        "Sid": "root",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [root_admin, *statements]})


def deny(principal: object, action: object = "kms:*", **extra: object) -> dict:
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": "*", **extra}


def allow(principal: object, action: object = "kms:*", **extra: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*", **extra}


def firehose_grant(cloud, key_id: str, operations: list[str] | None = None):
    return cloud.kms.create_grant(
        key_id,
        caller=ROOT,
        grantee_principal=FIREHOSE_PRINCIPAL,
        operations=operations or ["GenerateDataKey", "Decrypt"],
        retiring_principal=FIREHOSE_PRINCIPAL,
    )


# ------------------------------------------------------------------------- Put/GetKeyPolicy


def test_default_policy_allows_the_account_root(kms, key_id):
    answer = kms.get_key_policy(KeyId=key_id, PolicyName="default")
    assert answer["PolicyName"] == "default"
    document = json.loads(answer["Policy"])
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": ROOT}
    assert statement["Action"] == "kms:*"


def test_put_key_policy_is_returned_verbatim(kms, key_id):
    text = policy(deny({"Service": FIREHOSE_PRINCIPAL}, "kms:Decrypt"))
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=text)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == text


def test_create_key_with_a_policy(kms):
    text = policy(allow({"Service": FIREHOSE_PRINCIPAL}, "kms:Describe*"))
    created = kms.create_key(Policy=text)["KeyMetadata"]["KeyId"]
    assert kms.get_key_policy(KeyId=created)["Policy"] == text


@pytest.mark.parametrize(
    "text",
    [
        "not json at all",
        "[1, 2]",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "kms:*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}),
        json.dumps({"Statement": [allow({"AWS": "not-an-arn"})]}),
        json.dumps({"Statement": [allow({"Robot": "r2d2"})]}),
        json.dumps({"Version": "1999-01-01", "Statement": [allow("*")]}),
    ],
)
def test_malformed_policies_are_refused(kms, key_id, text):
    with pytest.raises(ClientError) as excinfo:
        kms.put_key_policy(KeyId=key_id, Policy=text)
    assert code(excinfo) == "MalformedPolicyDocumentException"
    with pytest.raises(ClientError) as excinfo:
        kms.create_key(Policy=text)
    assert code(excinfo) == "MalformedPolicyDocumentException"


def test_lockout_safety_check(kms, key_id):
    only_firehose = json.dumps({"Statement": [allow({"Service": FIREHOSE_PRINCIPAL})]})
    with pytest.raises(ClientError) as excinfo:
        kms.put_key_policy(KeyId=key_id, Policy=only_firehose)
    assert code(excinfo) == "MalformedPolicyDocumentException"
    kms.put_key_policy(KeyId=key_id, Policy=only_firehose, BypassPolicyLockoutSafetyCheck=True)
    with pytest.raises(ClientError) as excinfo:
        kms.describe_key(KeyId=key_id)
    assert code(excinfo) == "AccessDeniedException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_only_the_default_policy_name(kms, key_id):
    with pytest.raises(ClientError) as excinfo:
        kms.get_key_policy(KeyId=key_id, PolicyName="other")
    assert code(excinfo) == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        kms.put_key_policy(KeyId=key_id, PolicyName="other", Policy=policy())
    assert code(excinfo) == "UnsupportedOperationException"


def test_explicit_deny_of_the_account_blocks_the_api(kms, key_id):
    text = policy(deny({"AWS": ROOT}, ["kms:Encrypt", "kms:GenerateDataKey*"]))
    kms.put_key_policy(KeyId=key_id, Policy=text)
    with pytest.raises(ClientError) as excinfo:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert code(excinfo) == "AccessDeniedException"
    assert excinfo.value.response["Error"]["Message"] == (
        f"User: {ROOT} is not authorized to perform: kms:Encrypt on resource: "
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id} with an explicit deny in a "
        "resource-based policy"
    )
    with pytest.raises(ClientError):
        kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    kms.describe_key(KeyId=key_id)  # not denied


# ------------------------------------------------------------------------- service principals


def test_service_principal_needs_a_grant(cloud, key_id):
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)
    assert code(excinfo) == "AccessDeniedException"
    assert excinfo.value.message.endswith(
        "because no resource-based policy allows the kms:GenerateDataKey action"
    )
    firehose_grant(cloud, key_id)
    data_key = cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)
    plaintext, key_arn = cloud.kms.decrypt(data_key.ciphertext_blob, caller=FIREHOSE_PRINCIPAL)
    assert plaintext == data_key.plaintext and key_arn == data_key.key_arn
    with pytest.raises(AwsError) as excinfo:  # the grant does not list Encrypt
        cloud.kms.encrypt(key_id, b"x", caller=FIREHOSE_PRINCIPAL)
    assert code(excinfo) == "AccessDeniedException"


def test_revoking_the_grant_locks_the_service_out(cloud, kms, key_id):
    grant = firehose_grant(cloud, key_id)
    cloud.kms.check_usable(key_id, caller=FIREHOSE_PRINCIPAL)
    kms.revoke_grant(KeyId=key_id, GrantId=grant.grant_id)
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.check_usable(key_id, caller=FIREHOSE_PRINCIPAL)
    assert code(excinfo) == "AccessDeniedException"
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)
    assert code(excinfo) == "AccessDeniedException"


def test_deny_for_the_service_beats_its_grant(cloud, kms, key_id):
    firehose_grant(cloud, key_id)
    text = policy(deny({"Service": FIREHOSE_PRINCIPAL}, ["kms:GenerateDataKey", "kms:Decrypt"]))
    kms.put_key_policy(KeyId=key_id, Policy=text)
    for call in (
        lambda: cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL),
        lambda: cloud.kms.check_usable(key_id, caller=FIREHOSE_PRINCIPAL, operation="Decrypt"),
    ):
        with pytest.raises(AwsError) as excinfo:
            call()
        assert code(excinfo) == "AccessDeniedException"
        assert "with an explicit deny in a resource-based policy" in excinfo.value.message
    # The account itself is not denied, and other services are not either.
    kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")


@pytest.mark.parametrize(
    "principal", ["*", {"AWS": "*"}, {"Service": [KINESIS_PRINCIPAL, FIREHOSE_PRINCIPAL]}]
)
def test_deny_principal_forms(cloud, kms, key_id, principal):
    firehose_grant(cloud, key_id)
    text = policy(deny(principal, "kms:GenerateDataKey"))
    kms.put_key_policy(KeyId=key_id, Policy=text, BypassPolicyLockoutSafetyCheck=True)
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)
    assert code(excinfo) == "AccessDeniedException"


@pytest.mark.parametrize("action", ["kms:*", "kms:Generate*", "KMS:generatedatakey", "*"])
def test_deny_action_wildcards(cloud, kms, key_id, action):
    firehose_grant(cloud, key_id)
    kms.put_key_policy(KeyId=key_id, Policy=policy(deny({"Service": FIREHOSE_PRINCIPAL}, action)))
    with pytest.raises(AwsError):
        cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)


def test_deny_of_another_action_leaves_the_grant_working(cloud, kms, key_id):
    firehose_grant(cloud, key_id)
    kms.put_key_policy(
        KeyId=key_id, Policy=policy(deny({"Service": FIREHOSE_PRINCIPAL}, "kms:Encrypt"))
    )
    cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)


def test_policy_can_allow_a_service_without_a_grant(cloud, kms, key_id):
    text = policy(allow({"Service": FIREHOSE_PRINCIPAL}, ["kms:GenerateDataKey", "kms:Decrypt"]))
    kms.put_key_policy(KeyId=key_id, Policy=text)
    data_key = cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)
    assert cloud.kms.decrypt(data_key.ciphertext_blob, caller=FIREHOSE_PRINCIPAL)[0]


def test_iam_principals_of_the_account_follow_the_root_statement(cloud, key_id):
    cloud.kms.generate_data_key(key_id, caller=ROLE)
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.generate_data_key(key_id, caller=OUTSIDER)
    assert code(excinfo) == "AccessDeniedException"


def test_conditions_on_via_service(cloud, kms, key_id):
    via = "firehose.us-east-1.amazonaws.com"
    text = policy(
        allow(
            {"AWS": "*"},
            "kms:GenerateDataKey",
            Condition={"StringEquals": {"kms:ViaService": via, "kms:CallerAccount": ACCOUNT}},
        )
    )
    kms.put_key_policy(KeyId=key_id, Policy=text)
    cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)
    with pytest.raises(AwsError):
        cloud.kms.generate_data_key(key_id, caller=KINESIS_PRINCIPAL)


def test_unsupported_condition_keys_never_match(cloud, kms, key_id):
    firehose_grant(cloud, key_id)
    text = policy(
        deny(
            {"Service": FIREHOSE_PRINCIPAL},
            "kms:GenerateDataKey",
            Condition={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        )
    )
    kms.put_key_policy(KeyId=key_id, Policy=text)
    cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)


def test_not_action_and_statements_without_resource(cloud, kms, key_id):
    firehose_grant(cloud, key_id)
    no_resource = {"Effect": "Deny", "Principal": "*", "Action": "kms:GenerateDataKey"}
    kms.put_key_policy(KeyId=key_id, Policy=policy(no_resource))
    cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)  # "has no effect"
    not_action = {
        "Effect": "Deny",
        "Principal": {"Service": FIREHOSE_PRINCIPAL},
        "NotAction": "kms:Decrypt",
        "Resource": "*",
    }
    kms.put_key_policy(KeyId=key_id, Policy=policy(not_action))
    with pytest.raises(AwsError):
        cloud.kms.generate_data_key(key_id, caller=FIREHOSE_PRINCIPAL)


def test_retire_grant_permissions(cloud, key_id):
    grant = firehose_grant(cloud, key_id)
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.retire_grant(key_id, grant.grant_id, caller=KINESIS_PRINCIPAL)
    assert code(excinfo) == "AccessDeniedException"
    cloud.kms.retire_grant(key_id, grant.grant_id, caller=FIREHOSE_PRINCIPAL)  # retiring principal
    assert cloud.kms.grants(key_id) == []
    grant = cloud.kms.create_grant(
        key_id, caller=ROOT, grantee_principal=KINESIS_PRINCIPAL, operations=["Decrypt"]
    )
    cloud.kms.retire_grant(key_id, grant.grant_id, caller=ROOT)  # the issuing account


def test_grantee_with_create_grant_can_only_narrow(cloud, key_id):
    firehose_grant(cloud, key_id, ["GenerateDataKey", "Decrypt", "CreateGrant"])
    cloud.kms.create_grant(
        key_id, caller=FIREHOSE_PRINCIPAL, grantee_principal=ROLE, operations=["Decrypt"]
    )
    with pytest.raises(AwsError) as excinfo:
        cloud.kms.create_grant(
            key_id, caller=FIREHOSE_PRINCIPAL, grantee_principal=ROLE, operations=["Encrypt"]
        )
    assert code(excinfo) == "AccessDeniedException"
