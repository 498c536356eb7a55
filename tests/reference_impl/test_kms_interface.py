"""The Python interface Firehose and Kinesis call: resolve, key_arn, describe, grants,
generate_data_key, encrypt, decrypt, check_usable, delete_key_now (KEY-02, KEY-08, KEY-09)."""

from __future__ import annotations

import pytest

from reference_impl.errors import AwsError
from reference_impl.kms.model import DataKey
from reference_impl.principals import FIREHOSE_PRINCIPAL, KINESIS_PRINCIPAL, account_root

ACCOUNT = "123456789012"
ROOT = account_root(ACCOUNT)


def raises(code: str, call) -> AwsError:
    with pytest.raises(AwsError) as excinfo:
        call()
    assert excinfo.value.code == code, excinfo.value
    return excinfo.value


def test_resolve_accepts_every_identifier(cloud, kms, key_id):
    kms.create_alias(AliasName="alias/iface", TargetKeyId=key_id)
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"
    for identifier in (key_id, arn, "alias/iface", f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/iface"):
        key = cloud.kms.resolve(identifier)
        assert key.key_id == key_id and key.arn == arn
        assert cloud.kms.key_arn(identifier) == arn


def test_resolve_errors(cloud):
    raises("NotFoundException", lambda: cloud.kms.resolve("alias/none"))
    raises("NotFoundException", lambda: cloud.kms.resolve("00000000-0000-4000-8000-000000000000"))
    raises("NotFoundException", lambda: cloud.kms.resolve("garbage"))
    raises(
        "NotFoundException",
        lambda: cloud.kms.resolve("arn:aws:kms:us-east-1:111111111111:alias/elsewhere"),
    )


def test_describe_fields(cloud, kms, key_id):
    key = cloud.kms.describe(key_id)
    assert (key.spec, key.usage, key.state) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled")
    assert key.is_symmetric_encryption
    kms.disable_key(KeyId=key_id)
    assert cloud.kms.describe(key_id).state == "Disabled"
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert not cloud.kms.describe(hmac["KeyId"]).is_symmetric_encryption
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    assert not cloud.kms.describe(rsa["KeyId"]).is_symmetric_encryption


def test_key_material_is_not_in_the_repr(cloud, key_id):
    key = cloud.kms.resolve(key_id)
    assert "secret" not in repr(key) and "material" not in repr(key)


def test_grant_life_cycle(cloud, kms, key_id):
    grant = cloud.kms.create_grant(
        key_id,
        caller=ROOT,
        grantee_principal=FIREHOSE_PRINCIPAL,
        operations=["GenerateDataKey", "Decrypt", "RetireGrant"],
        retiring_principal=FIREHOSE_PRINCIPAL,
        name="stream-orders",
    )
    assert grant.key_arn == cloud.kms.key_arn(key_id)
    assert grant.grantee_principal == FIREHOSE_PRINCIPAL
    assert grant.operations == ["GenerateDataKey", "Decrypt", "RetireGrant"]
    assert grant.token and len(grant.grant_id) == 64
    assert [g.grant_id for g in cloud.kms.grants(key_id)] == [grant.grant_id]
    listed = kms.list_grants(KeyId=key_id)["Grants"]
    assert listed[0]["GrantId"] == grant.grant_id and listed[0]["Name"] == "stream-orders"
    cloud.kms.retire_grant(key_id, grant.grant_id, caller=FIREHOSE_PRINCIPAL)
    assert cloud.kms.grants(key_id) == []
    raises(
        "NotFoundException",
        lambda: cloud.kms.revoke_grant(key_id, grant.grant_id, caller=ROOT),
    )


def test_revoke_via_interface(cloud, key_id):
    grant = cloud.kms.create_grant(
        key_id, caller=ROOT, grantee_principal=KINESIS_PRINCIPAL, operations=["Decrypt"]
    )
    raises(
        "AccessDeniedException",
        lambda: cloud.kms.revoke_grant(key_id, grant.grant_id, caller=KINESIS_PRINCIPAL),
    )
    cloud.kms.revoke_grant(key_id, grant.grant_id, caller=ROOT)
    assert cloud.kms.grants(key_id) == []


def test_create_grant_errors(cloud, kms, key_id):
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    raises(
        "ValidationException",
        lambda: cloud.kms.create_grant(
            rsa, caller=ROOT, grantee_principal=FIREHOSE_PRINCIPAL, operations=["GenerateDataKey"]
        ),
    )
    cloud.kms.create_grant(
        rsa, caller=ROOT, grantee_principal=FIREHOSE_PRINCIPAL, operations=["Encrypt", "Decrypt"]
    )
    kms.disable_key(KeyId=key_id)
    raises(
        "DisabledException",
        lambda: cloud.kms.create_grant(
            key_id, caller=ROOT, grantee_principal=FIREHOSE_PRINCIPAL, operations=["Decrypt"]
        ),
    )
    raises(
        "AccessDeniedException",
        lambda: cloud.kms.create_grant(
            rsa,
            caller=FIREHOSE_PRINCIPAL,
            grantee_principal=KINESIS_PRINCIPAL,
            operations=["Decrypt"],
        ),
    )


def test_data_key_and_decrypt(cloud, key_id):
    context = {"aws:firehose:arn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"}
    data_key = cloud.kms.generate_data_key(key_id, caller=ROOT, encryption_context=context)
    assert isinstance(data_key, DataKey)
    assert len(data_key.plaintext) == 32
    assert data_key.key_arn == cloud.kms.key_arn(key_id)
    assert "plaintext" not in repr(data_key)
    assert cloud.kms.decrypt(data_key.ciphertext_blob, caller=ROOT, encryption_context=context) == (
        data_key.plaintext,
        data_key.key_arn,
    )
    assert cloud.kms.decrypt(
        data_key.ciphertext_blob, caller=ROOT, key_id=key_id, encryption_context=context
    ) == (data_key.plaintext, data_key.key_arn)
    raises(
        "InvalidCiphertextException",
        lambda: cloud.kms.decrypt(data_key.ciphertext_blob, caller=ROOT),
    )


def test_encrypt_and_decrypt(cloud, key_id):
    blob = cloud.kms.encrypt(key_id, b"record", caller=ROOT, encryption_context={"k": "v"})
    assert cloud.kms.decrypt(blob, caller=ROOT, encryption_context={"k": "v"})[0] == b"record"


@pytest.mark.parametrize(
    "operation",
    ["GenerateDataKey", "Decrypt", "Encrypt", "CreateGrant", "GenerateDataKeyWithoutPlaintext"],
)
def test_check_usable_by_state(cloud, kms, key_id, operation):
    assert cloud.kms.check_usable(key_id, caller=ROOT, operation=operation).key_id == key_id
    kms.disable_key(KeyId=key_id)
    raises(
        "DisabledException",
        lambda: cloud.kms.check_usable(key_id, caller=ROOT, operation=operation),
    )
    kms.enable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    error = raises(
        "KMSInvalidStateException",
        lambda: cloud.kms.check_usable(key_id, caller=ROOT, operation=operation),
    )
    assert error.message.endswith("is pending deletion.")
    cloud.advance(hours=24 * 7)
    raises(
        "NotFoundException",
        lambda: cloud.kms.check_usable(key_id, caller=ROOT, operation=operation),
    )


def test_check_usable_describe_key_works_in_every_state(cloud, kms, key_id):
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    cloud.kms.check_usable(key_id, caller=ROOT, operation="DescribeKey")


def test_check_usable_by_key_usage(cloud, kms):
    for spec, usage in (
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ):
        asym = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
        raises("InvalidKeyUsageException", lambda k=asym: cloud.kms.check_usable(k, caller=ROOT))


def test_check_usable_order_access_before_state(cloud, kms, key_id):
    kms.disable_key(KeyId=key_id)
    raises(
        "AccessDeniedException",
        lambda: cloud.kms.check_usable(key_id, caller=FIREHOSE_PRINCIPAL),
    )


def test_delete_key_now(cloud, kms, key_id):
    kms.create_alias(AliasName="alias/now", TargetKeyId=key_id)
    data_key = cloud.kms.generate_data_key("alias/now", caller=ROOT)
    cloud.kms.delete_key_now("alias/now")
    raises("NotFoundException", lambda: cloud.kms.resolve(key_id))
    raises("NotFoundException", lambda: cloud.kms.resolve("alias/now"))
    raises("NotFoundException", lambda: cloud.kms.decrypt(data_key.ciphertext_blob, caller=ROOT))
    raises("NotFoundException", lambda: cloud.kms.generate_data_key(key_id, caller=ROOT))


def test_delete_key_now_on_a_pending_deletion_key_cancels_its_timer(cloud, kms, key_id):
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    cloud.kms.delete_key_now(key_id)
    cloud.advance(hours=24 * 8)
    raises("NotFoundException", lambda: cloud.kms.resolve(key_id))


def test_aws_managed_key_is_used_through_its_service(cloud):
    key = cloud.kms.resolve("alias/aws/kinesis")
    assert key.is_symmetric_encryption
    data_key = cloud.kms.generate_data_key("alias/aws/kinesis", caller=KINESIS_PRINCIPAL)
    assert cloud.kms.decrypt(data_key.ciphertext_blob, caller=KINESIS_PRINCIPAL)[0]
    raises(
        "AccessDeniedException",
        lambda: cloud.kms.generate_data_key("alias/aws/kinesis", caller=FIREHOSE_PRINCIPAL),
    )
