"""Domain actions over any Target: make keys, buckets and streams, read back what happened.

Written once against boto3, so steps stay thin and every target is driven the same way.
Everything created is entered in the target's ledger, so teardown removes it.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from firehose_conformance.errors import NotImplementedByTarget
from firehose_conformance.outcome import Outcome
from firehose_conformance.resources import Kind
from firehose_conformance.targets.base import KeyRef, Ledger, StreamRef, Target

DIRECT_PUT = "DirectPut"
KINESIS_SOURCE = "KinesisStreamAsSource"
AWS_OWNED = {"KeyType": "AWS_OWNED_CMK"}
DEFAULT_BUFFER_SECONDS = 60
READ_PAGES = 1000  # GetRecords calls per read of a data stream, at most
T = TypeVar("T")


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def make_records(count: int) -> list[bytes]:
    """Unique, recognisable payloads: any 16-byte run of one is unlikely anywhere else."""
    return [f"fsc-record {uuid.uuid4().hex} {uuid.uuid4().hex}\n".encode() for _ in range(count)]


# ---- KMS -----------------------------------------------------------------------------------------
def create_key(
    target: Target,
    spec: str = "SYMMETRIC_DEFAULT",
    usage: str | None = None,
    *,
    ledger: Ledger | None = None,
) -> KeyRef:
    """A key, entered in ``ledger`` (the scenario's by default; a pooled key: the run's)."""
    tags = {"firehose-conformance": target.run_id, **target.resource_tags()}
    params: dict[str, Any] = {
        "KeySpec": spec,
        "Description": "firehose-conformance test key",
        "Tags": [{"TagKey": k, "TagValue": v} for k, v in tags.items()],
    }
    if usage:
        params["KeyUsage"] = usage
    meta = target.kms.create_key(**params)["KeyMetadata"]
    key = KeyRef(meta["KeyId"], meta["Arn"])
    target.made(Kind.KMS_KEY, key.arn)
    (ledger or target.ledger).add(
        f"KMS key {key.arn}", lambda: schedule_deletion_quietly(target, key)
    )
    return key


def attempt_key(target: Target, spec: str, usage: str) -> Outcome:
    """CreateKey as a call whose answer is kept (KEY-10 judges KMS's own answer)."""
    tags = {"firehose-conformance": target.run_id, **target.resource_tags()}
    outcome = target.call(
        "kms",
        "create_key",
        KeySpec=spec,
        KeyUsage=usage,
        Description="firehose-conformance test key",
        Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()],
    )
    if outcome.ok:
        meta = outcome.response["KeyMetadata"]
        key = KeyRef(meta["KeyId"], meta["Arn"])
        target.made(Kind.KMS_KEY, key.arn)
        target.ledger.add(f"KMS key {key.arn}", lambda: schedule_deletion_quietly(target, key))
    return outcome


def create_imported_key(target: Target) -> tuple[KeyRef | None, str]:
    """A symmetric key of Origin EXTERNAL with 256 bits of material the suite imported, or
    (None, why not) when the target's KMS refuses or lacks any step of it.

    BC-KMS GetParametersForImport / ImportKeyMaterial: the material is wrapped with the public
    key KMS hands out (RSAES_OAEP_SHA_256, RSA_2048); DeleteImportedKeyMaterial later leaves the
    key PendingImport (KMS-DG key states: cryptographic use then raises KMSInvalidStateException).
    """
    try:
        return _create_imported_key(target)
    except NotImplementedByTarget as error:
        return None, str(error)


def _create_imported_key(target: Target) -> tuple[KeyRef | None, str]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    tags = {"firehose-conformance": target.run_id, **target.resource_tags()}
    made = target.call(
        "kms",
        "create_key",
        Origin="EXTERNAL",
        Description="firehose-conformance test key (imported material)",
        Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()],
    )
    if not made.ok:
        return None, f"CreateKey with Origin EXTERNAL: {made.error_code}: {made.error_message}"
    meta = made.response["KeyMetadata"]
    key = KeyRef(meta["KeyId"], meta["Arn"])
    target.made(Kind.KMS_KEY, key.arn)
    target.ledger.add(f"KMS key {key.arn}", lambda: schedule_deletion_quietly(target, key))
    params = target.call(
        "kms",
        "get_parameters_for_import",
        KeyId=key.key_id,
        WrappingAlgorithm="RSAES_OAEP_SHA_256",
        WrappingKeySpec="RSA_2048",
    )
    if not params.ok:
        return None, f"GetParametersForImport: {params.error_code}: {params.error_message}"
    public = serialization.load_der_public_key(params.response["PublicKey"])
    wrapped = public.encrypt(  # type: ignore[union-attr]
        uuid.uuid4().bytes + uuid.uuid4().bytes,
        padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    )
    imported = target.call(
        "kms",
        "import_key_material",
        KeyId=key.key_id,
        ImportToken=params.response["ImportToken"],
        EncryptedKeyMaterial=wrapped,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    if not imported.ok:
        return None, f"ImportKeyMaterial: {imported.error_code}: {imported.error_message}"
    return key, ""


def schedule_deletion_quietly(target: Target, key: KeyRef) -> None:
    try:
        target.kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    except ClientError as error:  # already pending deletion, or already gone: nothing to undo
        if error.response["Error"]["Code"] not in ("KMSInvalidStateException", "NotFoundException"):
            raise


def create_alias(target: Target, key: KeyRef) -> str:
    name = f"alias/{target.unique_name('alias')}"
    target.kms.create_alias(AliasName=name, TargetKeyId=key.key_id)
    target.made(Kind.KMS_ALIAS, name)
    target.ledger.add(f"KMS alias {name}", lambda: target.kms.delete_alias(AliasName=name))
    return name


def alias_arn(target: Target, alias_name: str) -> str:
    return f"arn:aws:kms:{target.region}:{target.account_id}:{alias_name}"


def default_key_policy(target: Target) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{target.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


# The operations that use a key (rather than manage it): denying them to every principal stops
# Firehose, whichever principal it calls KMS as (AMB-29: the grantee is not documented), while
# the account can still put the policy back.
KEY_USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
)


def deny_key_use(
    target: Target,
    key: KeyRef,
    operations: tuple[str, ...] = KEY_USE,
    principal: str | dict[str, str] = "*",
) -> None:
    """Add to the key policy an explicit Deny of ``operations`` for ``principal``.

    KEY-07: "the key policy mustn't explicitly deny the permission for Firehose to invoke KMS
    encrypt and decrypt operations". Which principal Firehose uses is not documented (AMB-29), so
    by default the Deny names none in particular ("*"): it stops Firehose without assuming one.
    A Kinesis source is read with the delivery role (SRC-06), which can be named.
    """
    policy = default_key_policy(target)
    policy["Statement"].append(
        {
            "Sid": "DenyKeyUse",
            "Effect": "Deny",
            "Principal": principal,
            "Action": list(operations),
            "Resource": "*",
        }
    )
    target.kms.put_key_policy(KeyId=key.key_id, PolicyName="default", Policy=json.dumps(policy))


def restore_key_policy(target: Target, key: KeyRef) -> None:
    target.kms.put_key_policy(
        KeyId=key.key_id, PolicyName="default", Policy=json.dumps(default_key_policy(target))
    )


class KeyIdForm(StrEnum):
    """The ways a request can name a KMS key (KMS and Kinesis accept all four, SRC-04)."""

    KEY_ID = "key id"
    KEY_ARN = "key ARN"
    ALIAS_NAME = "alias name"
    ALIAS_ARN = "alias ARN"


def key_identifier(target: Target, key: KeyRef, form: KeyIdForm) -> str:
    """``key`` named in ``form``; an alias form makes a new alias for it."""
    if form == KeyIdForm.KEY_ID:
        return key.key_id
    if form == KeyIdForm.KEY_ARN:
        return key.arn
    alias = create_alias(target, key)
    return alias if form == KeyIdForm.ALIAS_NAME else alias_arn(target, alias)


def grants(target: Target, key: KeyRef) -> list[dict[str, Any]]:
    return target.kms.list_grants(KeyId=key.key_id).get("Grants", [])


def revoke_all_grants(target: Target, key: KeyRef) -> None:
    for grant in grants(target, key):
        target.kms.revoke_grant(KeyId=key.key_id, GrantId=grant["GrantId"])


def revoke_at_teardown(target: Target, key: KeyRef, outcome: Outcome) -> None:
    """A grant the suite itself made (a CreateGrant call that succeeded) is revoked when the
    scenario ends, so a key it was made on leaves the scenario as it came (a pooled key)."""
    if outcome.operation != "create_grant" or not outcome.ok:
        return
    grant_id = (outcome.response or {}).get("GrantId")
    if grant_id:
        target.ledger.add(
            f"grant {grant_id} on KMS key {key.arn}",
            lambda: _revoke_quietly(target, key, grant_id),
        )


def _revoke_quietly(target: Target, key: KeyRef, grant_id: str) -> None:
    try:
        target.kms.revoke_grant(KeyId=key.key_id, GrantId=grant_id)
    except ClientError as error:  # the key or the grant is gone already: nothing to undo
        if error.response["Error"]["Code"] not in (
            "NotFoundException",
            "KMSInvalidStateException",
            "InvalidGrantIdException",
        ):
            raise


def restore_key(target: Target, key: KeyRef) -> None:
    """Undo what a scenario may have done to a key lent to it: deletion cancelled, enabled,
    the default policy, no grant left; then wait (within the KMS bound) until KMS serves the
    key and lists no grant, so the next scenario finds it as new. AssertionError when it
    cannot be brought back (the key is then not lent again)."""
    state = key_metadata(target, key)["KeyState"]
    if state == "PendingDeletion":
        target.kms.cancel_key_deletion(KeyId=key.key_id)
    if state in ("PendingDeletion", "Disabled"):
        target.kms.enable_key(KeyId=key.key_id)
    elif state != "Enabled":
        raise AssertionError(f"KMS key {key.arn} is {state}: it cannot be restored")
    restore_key_policy(target, key)

    def served_and_grants() -> tuple[str | None, int]:
        listed = grants(target, key)
        for grant in listed:  # eventually consistent: revoke whatever still shows
            _revoke_quietly(target, key, grant["GrantId"])
        return _kms_refuses(target, key, "GenerateDataKey"), len(listed)

    target.poll(
        served_and_grants,
        lambda seen: seen == (None, 0),
        timeout=target.profile.grant_timeout,
        what=f"KMS key {key.arn} restored (GenerateDataKey served, no grant listed)",
    )


def key_metadata(target: Target, key: KeyRef) -> dict[str, Any]:
    return target.kms.describe_key(KeyId=key.key_id)["KeyMetadata"]


def _kms_refuses(target: Target, key: KeyRef, operation: str) -> str | None:
    """Whether KMS refuses ``operation`` (GenerateDataKey or Decrypt) with the key to the suite
    itself: the error code, or None when it serves it."""
    if operation == "Decrypt":
        try:
            blob = target.kms.generate_data_key(KeyId=key.key_id, KeySpec="AES_256")
        except ClientError as error:
            return error.response["Error"]["Code"]
        outcome = target.call("kms", "decrypt", CiphertextBlob=blob["CiphertextBlob"])
    else:
        outcome = target.call("kms", "generate_data_key", KeyId=key.key_id, KeySpec="AES_256")
    return outcome.error_code


def await_kms_change(
    target: Target, key: KeyRef, *, refused: bool, operation: str = "GenerateDataKey"
) -> float:
    """Wait until KMS itself shows a change to the key: ``operation`` refused (a key disabled,
    scheduled for deletion, denied by its policy) or served again (the change undone).

    KMS is eventually consistent ("The KMS API follows an eventual consistency model", BC-KMS
    DisableKey, PutKeyPolicy, ScheduleKeyDeletion; grants: "usually less than five minutes"),
    so what the suite does next waits for the change to show, within the target's KMS bound
    (``grant_timeout``). An implementation whose KMS never refuses (moto) is left to the checks
    that follow; the wait then just ends at the bound. Returns the seconds waited.
    """
    started = target.now()
    want = "refused" if refused else "served"
    with contextlib.suppress(AssertionError):  # the checks that follow judge what happens
        target.poll(
            lambda: _kms_refuses(target, key, operation),
            lambda code: (code is not None) is refused,
            timeout=target.profile.grant_timeout,
            what=f"KMS {operation} with the key {want}",
        )
    return target.now() - started


# ---- S3 ------------------------------------------------------------------------------------------
def create_bucket(target: Target, name: str | None = None) -> str:
    bucket = name or target.unique_name("bucket")
    params: dict[str, Any] = {"Bucket": bucket}
    if target.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    target.s3.create_bucket(**params)
    target.made(Kind.S3_BUCKET, bucket)
    if name is None:
        target.ledger.add(f"S3 bucket {bucket}", lambda: delete_bucket(target, bucket))
    tags = target.resource_tags()
    if tags:  # CreateBucket takes no tags on every implementation: tag it right after
        target.s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tag_list(tags)})
    return bucket


def delete_bucket(target: Target, bucket: str) -> None:
    try:
        for key in list_object_keys(target, bucket):
            target.s3.delete_object(Bucket=bucket, Key=key)
        target.s3.delete_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("NoSuchBucket", "404"):
            raise


def list_object_keys(target: Target, bucket: str) -> list[str]:
    keys: list[str] = []
    params: dict[str, Any] = {"Bucket": bucket}
    while True:
        page = target.s3.list_objects_v2(**params)
        keys.extend(item["Key"] for item in page.get("Contents", []))
        if not page.get("IsTruncated"):
            return keys
        params["ContinuationToken"] = page["NextContinuationToken"]


def destination_bytes(target: Target, bucket: str) -> bytes:
    """Everything delivered to the bucket, concatenated (a missing bucket holds nothing)."""
    try:
        keys = list_object_keys(target, bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return b""
        raise
    return b"".join(target.s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys)


# ---- Firehose ------------------------------------------------------------------------------------
def encryption_input(key: KeyRef | None) -> dict[str, str]:
    """The encryption input for a customer managed key, or for an AWS owned key (None)."""
    if key is None:
        return dict(AWS_OWNED)
    return customer_key_input(key.arn)


def customer_key_input(key_arn: str) -> dict[str, str]:
    """The encryption input for a customer managed key given by whatever text ``key_arn`` is."""
    return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key_arn}


def stream_arn(target: Target, name: str) -> str:
    return f"arn:aws:firehose:{target.region}:{target.account_id}:deliverystream/{name}"


def create_delivery_stream(
    target: Target,
    name: str,
    *,
    bucket: str,
    kinesis_stream_arn: str | None = None,
    encryption: dict[str, Any] | None = None,
    buffer_seconds: int = DEFAULT_BUFFER_SECONDS,
    validate: bool = True,
) -> Outcome:
    params: dict[str, Any] = {
        "DeliveryStreamName": name,
        "DeliveryStreamType": KINESIS_SOURCE if kinesis_stream_arn else DIRECT_PUT,
        "ExtendedS3DestinationConfiguration": {
            "RoleARN": target.delivery_role_arn(),
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": buffer_seconds},
        },
    }
    if kinesis_stream_arn:
        params["KinesisStreamSourceConfiguration"] = {
            "KinesisStreamARN": kinesis_stream_arn,
            "RoleARN": target.delivery_role_arn(),
        }
    if encryption is not None:
        params["DeliveryStreamEncryptionConfigurationInput"] = encryption
    tags = target.resource_tags()
    if tags:
        params["Tags"] = _tag_list(tags)
    outcome = target.call("firehose", "create_delivery_stream", validate=validate, **params)
    if outcome.ok:
        target.made(Kind.DELIVERY_STREAM, name)
        target.ledger.add(f"delivery stream {name}", lambda: delete_stream_quietly(target, name))
    return outcome


def delete_stream(target: Target, name: str, *, force: bool = False) -> Outcome:
    """Delete the delivery stream; ``force`` sets AllowForceDelete."""
    params: dict[str, Any] = {"DeliveryStreamName": name}
    if force:
        params["AllowForceDelete"] = True
    return target.call("firehose", "delete_delivery_stream", **params)


def delete_stream_quietly(target: Target, name: str) -> None:
    """Teardown: delete the stream and wait until it is gone (it may flush into its bucket while
    DELETING, so its bucket is removed only after this), within the transition bound. A stream
    that ends DELETING_FAILED is deleted again with AllowForceDelete (GRT-05)."""

    def delete() -> None:
        try:
            target.firehose.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
        except ClientError as error:
            if error.response["Error"]["Code"] not in (
                "ResourceNotFoundException",
                "ResourceInUseException",  # still CREATING: asked again below
            ):
                raise

    delete()

    def gone_or_again() -> str | None:
        status = stream_status(target, name)
        if status in ("DELETING_FAILED", "ACTIVE", "CREATING_FAILED"):
            delete()
        return status

    target.poll(
        gone_or_again,
        lambda status: status is None,
        timeout=target.profile.transition_timeout,
        what=f"delivery stream {name} gone (status)",
    )


def describe(target: Target, name: str) -> dict[str, Any]:
    return target.firehose.describe_delivery_stream(DeliveryStreamName=name)[
        "DeliveryStreamDescription"
    ]


def describe_or_none(target: Target, name: str) -> dict[str, Any] | None:
    """The description, or None once the stream is gone."""
    try:
        return describe(target, name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def stream_status(target: Target, name: str) -> str | None:
    found = describe_or_none(target, name)
    return None if found is None else found["DeliveryStreamStatus"]


def encryption_config(target: Target, name: str) -> dict[str, Any] | None:
    return describe(target, name).get("DeliveryStreamEncryptionConfiguration")


NO_CONFIG = "(no DeliveryStreamEncryptionConfiguration)"


def encryption_status(target: Target, name: str) -> str:
    """EncCfg.Status, or a parenthesised description of what Describe showed instead (moto
    leaves the configuration out, or gives one without a Status: EV-MOTO), so that a reason
    says what the target answered rather than "None"."""
    config = encryption_config(target, name)
    if config is None:
        return NO_CONFIG
    status = config.get("Status")
    return status if isinstance(status, str) else f"(no Status in {config})"


def await_transition(
    target: Target,
    read: Callable[[], T],
    until: Callable[[T], bool],
    what: str,
    terminal: Callable[[T], bool] | None = None,
) -> T:
    """Read until ``until`` holds, for at most the target's transition time, or until a
    ``terminal`` state shows (one the awaited state cannot follow)."""
    return target.poll(
        read, until, timeout=target.profile.transition_timeout, what=what, terminal=terminal
    )


# States a delivery stream cannot leave for the one awaited (BC-FH DeliveryStreamStatus: "If the
# status of a Firehose stream is CREATING_FAILED, this status doesn't change"; a stream gone is
# gone). DELETING_FAILED leaves only through another Delete.
STREAM_ENDS: dict[str, frozenset[str | None]] = {
    "ACTIVE": frozenset({"CREATING_FAILED", "DELETING", "DELETING_FAILED", None}),
    "CREATING_FAILED": frozenset({"ACTIVE", "DELETING", "DELETING_FAILED", None}),
}
# Encryption states that end an enable or disable attempt other than as awaited; a missing
# configuration is one too, where an implementation shows none (EV-MOTO, EV-LS-KDS). The state
# before the call (DISABLED before Start, ENABLED before Stop) is not among them: a read right
# after the call may still show it.
ENCRYPTION_ENDS: dict[str, frozenset[str]] = {
    "ENABLED": frozenset({"ENABLING_FAILED", "DISABLING_FAILED", NO_CONFIG}),
    "DISABLED": frozenset({"ENABLING_FAILED", "DISABLING_FAILED", NO_CONFIG}),
    "ENABLING_FAILED": frozenset({"ENABLED", NO_CONFIG}),
}


def encryption_end(wanted: str) -> Callable[[str], bool]:
    """Whether an encryption status read ends the wait for ``wanted`` (ENCRYPTION_ENDS, or a
    configuration without a Status, which moto shows for a stream created with SSE)."""
    ends = ENCRYPTION_ENDS.get(wanted, frozenset())
    return lambda status: status in ends or status.startswith("(no Status")


def wait_stream_status(target: Target, name: str, wanted: str) -> None:
    read = partial(stream_status, target, name)
    what = f"delivery stream {name} status {wanted}"
    ends = STREAM_ENDS.get(wanted, frozenset())
    await_transition(target, read, lambda status: status == wanted, what, ends.__contains__)


def wait_encryption_status(target: Target, name: str, wanted: str) -> None:
    read = partial(encryption_status, target, name)
    what = f"encryption status {wanted} of {name}"
    await_transition(target, read, lambda status: status == wanted, what, encryption_end(wanted))


def settled_stream_status(target: Target, name: str) -> str | None:
    """The delivery stream status once creation has ended (no longer CREATING)."""
    read = partial(stream_status, target, name)
    what = f"the end of creating {name}"
    return await_transition(target, read, lambda status: status != "CREATING", what)


def settled_encryption_status(target: Target, name: str) -> str | None:
    """The encryption status once an enable attempt has ended: no longer ENABLING, and either
    ENABLING_FAILED or the same status on two reads in a row (the first read right after Start
    may still show the status before it: eventual consistency)."""
    read = partial(encryption_status, target, name)
    what = f"the end of the enable attempt on {name}"
    last: list[str] = []

    def ended(status: str) -> bool:
        repeated = bool(last) and last[-1] == status
        last.append(status)
        return status != "ENABLING" and (status == "ENABLING_FAILED" or repeated)

    return await_transition(target, read, ended, what)


def attempt_delivery_stream(
    target: Target,
    *,
    kinesis_stream_arn: str | None = None,
    encryption: dict[str, Any] | None = None,
    buffer_seconds: int = DEFAULT_BUFFER_SECONDS,
    validate: bool = True,
) -> tuple[StreamRef, Outcome]:
    """Ask for a delivery stream with its own bucket, without waiting: where it would be, and
    what the call answered."""
    name = target.unique_name("fh")
    bucket = create_bucket(target)
    outcome = create_delivery_stream(
        target,
        name,
        bucket=bucket,
        kinesis_stream_arn=kinesis_stream_arn,
        encryption=encryption,
        buffer_seconds=buffer_seconds,
        validate=validate,
    )
    return StreamRef(name, stream_arn(target, name), bucket), outcome


def new_delivery_stream(
    target: Target,
    *,
    kinesis_stream_arn: str | None = None,
    encryption: dict[str, Any] | None = None,
    buffer_seconds: int = DEFAULT_BUFFER_SECONDS,
) -> StreamRef:
    """Create a delivery stream with its own bucket and wait until it is ACTIVE."""
    stream, outcome = attempt_delivery_stream(
        target,
        kinesis_stream_arn=kinesis_stream_arn,
        encryption=encryption,
        buffer_seconds=buffer_seconds,
    )
    if not outcome.ok:
        raise AssertionError(
            f"could not create delivery stream {stream.name}: {outcome.describe()}"
        )
    wait_stream_status(target, stream.name, "ACTIVE")
    return stream


def start_encryption(
    target: Target,
    name: str,
    encryption: dict[str, Any] | None,
    *,
    validate: bool = True,
    client: Any = None,
) -> Outcome:
    """Start SSE; ``client`` calls with other credentials than the target's own."""
    params: dict[str, Any] = {"DeliveryStreamName": name}
    if encryption is not None:
        params["DeliveryStreamEncryptionConfigurationInput"] = encryption
    return target.call(
        "firehose", "start_delivery_stream_encryption", validate=validate, client=client, **params
    )


def enable_encryption(target: Target, name: str, encryption: dict[str, Any] | None) -> None:
    """Start SSE and wait until it is ENABLED (a precondition: a refusal fails the step)."""
    outcome = start_encryption(target, name, encryption)
    assert outcome.ok, outcome.describe()
    wait_encryption_status(target, name, "ENABLED")


def stop_encryption(target: Target, name: str) -> Outcome:
    return target.call("firehose", "stop_delivery_stream_encryption", DeliveryStreamName=name)


class PutOperation(StrEnum):
    """The two Firehose operations that put records."""

    PUT_RECORD = "PutRecord"
    PUT_RECORD_BATCH = "PutRecordBatch"


def put(
    target: Target, name: str, records: list[bytes], operation: PutOperation, client: Any = None
) -> Outcome:
    """Put ``records`` with ``operation``; ``client`` calls with other credentials."""
    if operation == PutOperation.PUT_RECORD:
        if len(records) != 1:
            raise ValueError("PutRecord carries one record")
        return target.call(
            "firehose",
            "put_record",
            client=client,
            DeliveryStreamName=name,
            Record={"Data": records[0]},
        )
    if operation == PutOperation.PUT_RECORD_BATCH:
        outcome = target.call(
            "firehose",
            "put_record_batch",
            client=client,
            DeliveryStreamName=name,
            Records=[{"Data": r} for r in records],
        )
        failed = (outcome.response or {}).get("FailedPutCount", 0)
        if outcome.ok and failed:
            raise AssertionError(f"PutRecordBatch reported {failed} failed records: {outcome}")
        return outcome
    raise ValueError(f"unknown put operation {operation!r}")


# ---- Kinesis Data Streams ------------------------------------------------------------------------
def create_data_stream(target: Target, retention_hours: int = 24) -> str:
    name = target.unique_name("kds")
    tags = target.resource_tags()
    target.kinesis.create_stream(StreamName=name, ShardCount=1, **({"Tags": tags} if tags else {}))
    target.made(Kind.KINESIS_STREAM, name)
    target.ledger.add(
        f"Kinesis stream {name}",
        lambda: target.kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True),
    )
    wait_data_stream_active(target, name)
    if tags:  # again once ACTIVE: not every implementation honours Tags on CreateStream
        target.kinesis.add_tags_to_stream(StreamName=name, Tags=tags)
    if retention_hours > 24:
        target.kinesis.increase_stream_retention_period(
            StreamName=name, RetentionPeriodHours=retention_hours
        )
        wait_data_stream_active(target, name)
    return name


def put_to_data_stream(target: Target, name: str, record: bytes) -> Outcome:
    return target.call("kinesis", "put_record", StreamName=name, Data=record, PartitionKey="fsc")


def start_data_stream_encryption(
    target: Target, name: str, key_id: str, encryption_type: str = "KMS", *, validate: bool = True
) -> Outcome:
    return target.call(
        "kinesis",
        "start_stream_encryption",
        validate=validate,
        StreamName=name,
        EncryptionType=encryption_type,
        KeyId=key_id,
    )


def encrypt_data_stream(target: Target, name: str, key_id: str) -> None:
    """Turn on the data stream's SSE and wait until it is ACTIVE with it (a refusal raises)."""
    target.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_id)
    wait_data_stream_active(target, name, encryption_type="KMS")


def data_stream_summary(target: Target, name: str) -> dict[str, Any]:
    return target.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def wait_data_stream_active(
    target: Target, name: str, *, encryption_type: str | None = None
) -> dict[str, Any]:
    """Wait until the data stream is ACTIVE (with ``encryption_type``, when given: a read right
    after StartStreamEncryption may still show the stream as it was, ACTIVE without it)."""
    read = partial(data_stream_summary, target, name)
    shown = f" with encryption type {encryption_type}" if encryption_type else ""

    def done(summary: dict[str, Any]) -> bool:
        return summary["StreamStatus"] == "ACTIVE" and (
            encryption_type is None or summary.get("EncryptionType", "NONE") == encryption_type
        )

    return await_transition(target, read, done, f"Kinesis stream {name} ACTIVE{shown}")


def read_data_stream(target: Target, name: str, expected: int = 0) -> list[dict[str, Any]]:
    """Every record in the data stream, oldest first, as GetRecords returns them.

    Pages until caught up: BC-KDS GetRecords "might take multiple calls to get to a portion of
    the shard that contains records", so an empty page is no end; a shard is read when a page
    says ``MillisBehindLatest`` 0 and at least ``expected`` records are in hand, or when the
    target's transition bound has passed.
    """
    records: list[dict[str, Any]] = []
    iterators = {
        shard["ShardId"]: target.kinesis.get_shard_iterator(
            StreamName=name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for shard in target.kinesis.list_shards(StreamName=name)["Shards"]
    }
    started = target.now()
    caught_up: set[str] = set()
    for _ in range(READ_PAGES):
        got = 0
        for shard, iterator in list(iterators.items()):
            if iterator is None:
                continue
            page = target.kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            got += len(page["Records"])
            iterators[shard] = page.get("NextShardIterator")
            if page.get("MillisBehindLatest", 0) == 0:
                caught_up.add(shard)
        done = caught_up >= set(iterators) and len(records) >= expected
        if done or all(i is None for i in iterators.values()):
            break
        if target.now() - started >= target.profile.transition_timeout:
            break
        if not got:  # nothing new: let the target's time pass before asking again
            target.sleep(target.profile.poll_initial)
    return sorted(records, key=lambda r: int(r["SequenceNumber"]))
