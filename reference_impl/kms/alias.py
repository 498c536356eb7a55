"""Aliases: friendly names for keys, and the AWS managed keys behind "alias/aws/<service>"."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reference_impl.arns import iam_root
from reference_impl.errors import AwsError
from reference_impl.kms import faults, identifiers
from reference_impl.kms.identifiers import ALIAS_PREFIX, RESERVED_ALIAS_PREFIX

# CreateAlias AliasName doc: "It can contain only alphanumeric characters, forward slashes (/),
# underscores (_), and dashes (-)". The model's AliasNameType pattern also admits ":", so the
# shape check lets "alias/my:alias" through and this rule refuses it.
_ALIAS_NAME = re.compile(r"alias/[a-zA-Z0-9/_-]+")

# Predefined AWS aliases the reference knows. DescribeKey doc: "If you specify a predefined Amazon
# Web Services alias (an Amazon Web Services alias with no key ID), KMS associates the alias with
# an Amazon Web Services managed key" - the reference creates that key on first reference.
PREDEFINED_SERVICES = (
    "acm",
    "dynamodb",
    "ebs",
    "elasticfilesystem",
    "es",
    "glue",
    "kinesis",
    "kinesisvideo",
    "lambda",
    "rds",
    "redshift",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "xray",
)


@dataclass(eq=False)
class Alias:
    name: str
    arn: str
    target_key_id: str
    creation_date: float
    last_updated: float
    seq: int

    def wire(self) -> dict[str, Any]:
        """``AliasListEntry``."""
        return {
            "AliasName": self.name,
            "AliasArn": self.arn,
            "TargetKeyId": self.target_key_id,
            "CreationDate": datetime.fromtimestamp(self.creation_date, tz=UTC),
            "LastUpdatedDate": datetime.fromtimestamp(self.last_updated, tz=UTC),
        }


def require_alias_prefix(name: str) -> None:
    if not name.startswith(ALIAS_PREFIX) or name == ALIAS_PREFIX:
        # AWS's message, verbatim.
        raise faults.validation(
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        )


def require_alias_characters(name: str) -> None:
    if not _ALIAS_NAME.fullmatch(name):
        # KMS's message (as moto, whose KMS tests found the gap, mirrors it).
        raise faults.validation(f"{name} contains invalid characters for an alias")


def require_key_target(target_key_id: str) -> None:
    """CreateAlias/UpdateAlias TargetKeyId: "Specify the key ID or key ARN of the KMS key".

    An alias name or alias ARN is refused by its form, whether or not such an alias exists, with
    KMS's ValidationException "Aliases must refer to keys. Not aliases" (moto answers the same).
    """
    if identifiers.parse(target_key_id).is_alias:
        raise faults.validation("Aliases must refer to keys. Not aliases")


def require_customer_alias(name: str) -> None:
    """AliasName doc: "The alias name cannot begin with alias/aws/. The alias/aws/ prefix is
    reserved for Amazon Web Services managed keys." KMS answers NotAuthorizedException (as moto
    mirrors it); the code is not in the CreateAlias/DeleteAlias error lists of the model."""
    if name.startswith(RESERVED_ALIAS_PREFIX):
        raise AwsError(
            "NotAuthorizedException",
            f"The alias prefix {RESERVED_ALIAS_PREFIX} is reserved for AWS managed keys.",
        )


def predefined_service(name: str) -> str | None:
    """The service of a predefined AWS alias ("alias/aws/kinesis" -> "kinesis"), else None."""
    service = name.removeprefix(RESERVED_ALIAS_PREFIX)
    if name.startswith(RESERVED_ALIAS_PREFIX) and service in PREDEFINED_SERVICES:
        return service
    return None


def aws_managed_policy(service: str, account_id: str, region: str) -> str:
    """The shape of an AWS managed key's policy: use only through the service, metadata for all.

    The service itself calls as its service principal in the reference, with kms:ViaService
    "<service>.<region>.amazonaws.com" (see access.request_context).
    """
    via = f"{service}.{region}.amazonaws.com"
    root = iam_root(account_id, region)
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": f"auto-{service}-1",
            "Statement": [
                {
                    "Sid": f"Allow access through {service} for all principals in the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:CreateGrant",
                        "kms:DescribeKey",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": via}
                    },
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                    "Resource": "*",
                },
            ],
        },
        indent=2,
    )
