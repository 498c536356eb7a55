"""ARNs: the partition a Region belongs to, and the ARNs the services build from it."""

from __future__ import annotations


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def arn(service: str, region: str, account_id: str, resource: str) -> str:
    return f"arn:{partition(region)}:{service}:{region}:{account_id}:{resource}"


def iam_root(account_id: str, region: str) -> str:
    """The account's root principal, in the partition of ``region`` (as key policies name it)."""
    return f"arn:{partition(region)}:iam::{account_id}:root"
