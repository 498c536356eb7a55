"""What the aws target creates at run level (IAM roles), and the marks that make it findable.

Every resource a run creates is named ``fsc-<run id>-…`` and tagged ``firehose-conformance=<run
id>`` and ``firehose-conformance-region=<region>``; IAM roles also live under the path
``/firehose-conformance/``. ``sweep`` removes only what carries these marks.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

PREFIX = "fsc-"
TAG_KEY = "firehose-conformance"  # the key actions.create_key has always put on its keys
REGION_TAG_KEY = "firehose-conformance-region"
ROLE_PATH = "/firehose-conformance/"
KEY_DESCRIPTION = "firehose-conformance test key"  # actions.create_key
FIREHOSE_PRINCIPAL = "firehose.amazonaws.com"
KEY_PENDING_WINDOW_DAYS = 7  # the shortest KMS allows


def delivery_role_name(run_id: str) -> str:
    return f"{PREFIX}{run_id}-delivery"


def caller_role_name(run_id: str) -> str:
    return f"{PREFIX}{run_id}-caller"


def delivery_trust_policy(account_id: str) -> dict[str, Any]:
    """Firehose may assume the role, for this account's streams only (the confused-deputy
    guard the Firehose developer guide recommends)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FIREHOSE_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": account_id}},
            }
        ],
    }


def delivery_policy(partition: str, region: str, account_id: str, run_id: str) -> dict[str, Any]:
    """What Firehose needs to read a Kinesis source and write an S3 destination, on this run's
    resources only: buckets and streams by name prefix, KMS keys by this run's tag."""
    prefix = f"{PREFIX}{run_id}-"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Destination",
                "Effect": "Allow",
                "Action": [
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                "Resource": [
                    f"arn:{partition}:s3:::{prefix}*",
                    f"arn:{partition}:s3:::{prefix}*/*",
                ],
            },
            {
                "Sid": "Source",
                "Effect": "Allow",
                "Action": [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:SubscribeToShard",
                ],
                "Resource": f"arn:{partition}:kinesis:{region}:{account_id}:stream/{prefix}*",
            },
            {
                "Sid": "Keys",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                "Resource": f"arn:{partition}:kms:{region}:{account_id}:key/*",
                "Condition": {"StringEquals": {f"aws:ResourceTag/{TAG_KEY}": run_id}},
            },
        ],
    }


def caller_trust_policy(partition: str, account_id: str) -> dict[str, Any]:
    """Principals of this account with sts:AssumeRole on it may assume the caller role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def caller_policy(partition: str, region: str, account_id: str, run_id: str) -> dict[str, Any]:
    """A caller that may put to and describe this run's delivery streams, and nothing in KMS
    (PUT-03: "a caller without KMS permissions on key K")."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "firehose:DescribeDeliveryStream",
                    "firehose:PutRecord",
                    "firehose:PutRecordBatch",
                ],
                "Resource": (
                    f"arn:{partition}:firehose:{region}:{account_id}:deliverystream/"
                    f"{PREFIX}{run_id}-*"
                ),
            }
        ],
    }


def create_role(
    iam: Any,
    name: str,
    *,
    trust: dict[str, Any],
    policy: dict[str, Any],
    tags: dict[str, str],
    description: str,
) -> str:
    """Create a tagged role under ROLE_PATH with one inline policy; return its ARN."""
    role = iam.create_role(
        RoleName=name,
        Path=ROLE_PATH,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description=description,
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["Role"]
    iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps(policy))
    return role["Arn"]


def delete_role(iam: Any, name: str) -> None:
    """Remove a role with everything attached to it; a role already gone is fine."""
    try:
        for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        attached = iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", [])
        for policy in attached:
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        profiles = iam.list_instance_profiles_for_role(RoleName=name).get("InstanceProfiles", [])
        for profile in profiles:
            iam.remove_role_from_instance_profile(
                InstanceProfileName=profile["InstanceProfileName"], RoleName=name
            )
        iam.delete_role(RoleName=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise


def tags_of(pairs: list[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict:
    """[{"Key": k, "Value": v}, ...] -> {k: v}."""
    return {p[key]: p.get(value, "") for p in pairs or []}
