"""The four ways to name a KMS key: key id, key ARN, alias name ("alias/x") and alias ARN."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from reference_impl.arns import arn

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):kms:(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.+)$"
)
ALIAS_PREFIX = "alias/"
RESERVED_ALIAS_PREFIX = "alias/aws/"


class RefKind(StrEnum):
    KEY_ID = "key id"
    KEY_ARN = "key ARN"
    ALIAS_NAME = "alias name"
    ALIAS_ARN = "alias ARN"
    INVALID = "invalid"


@dataclass(frozen=True)
class KeyReference:
    """A parsed identifier; ``name`` is the key id (key forms) or the alias name (alias forms)."""

    raw: str
    kind: RefKind
    name: str = ""
    account_id: str | None = None
    region: str | None = None

    @property
    def is_alias(self) -> bool:
        return self.kind in (RefKind.ALIAS_NAME, RefKind.ALIAS_ARN)


def key_arn(key_id: str, account_id: str, region: str) -> str:
    return arn("kms", region, account_id, f"key/{key_id}")


def alias_arn(alias_name: str, account_id: str, region: str) -> str:
    return arn("kms", region, account_id, alias_name)


def is_key_id(value: str) -> bool:
    return bool(_UUID.match(value))


def parse(value: str) -> KeyReference:
    if value.startswith(ALIAS_PREFIX):
        return KeyReference(value, RefKind.ALIAS_NAME, value)
    match = _ARN.match(value)
    if match is not None:
        rest = match["rest"]
        account, region = match["account"], match["region"]
        if rest.startswith("key/") and is_key_id(rest[4:]):
            return KeyReference(value, RefKind.KEY_ARN, rest[4:].lower(), account, region)
        if rest.startswith(ALIAS_PREFIX) and len(rest) > len(ALIAS_PREFIX):
            return KeyReference(value, RefKind.ALIAS_ARN, rest, account, region)
        return KeyReference(value, RefKind.INVALID)
    if is_key_id(value):
        return KeyReference(value, RefKind.KEY_ID, value.lower())
    return KeyReference(value, RefKind.INVALID)
