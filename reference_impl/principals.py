"""Who calls KMS: the account's own callers, and the services acting for them."""

from __future__ import annotations

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

FIREHOSE_PRINCIPAL = "firehose.amazonaws.com"
KINESIS_PRINCIPAL = "kinesis.amazonaws.com"


def account_root(account_id: str) -> str:
    """The principal of every API caller: the reference has one identity per account."""
    return f"arn:aws:iam::{account_id}:root"
