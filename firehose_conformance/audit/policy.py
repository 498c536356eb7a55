"""Does a KMS key policy explicitly deny Firehose what it needs? (KEY-07, SRC-06)

A static reading of the key policy, not an evaluation: it finds ``Deny`` statements that name
(or, through ``NotPrincipal``, leave in) one of the principals Firehose acts as, and whose
``Action`` (or ``NotAction``) covers one of the KMS operations it needs. IAM wildcards are
honoured (``*``, ``kms:*``, ``kms:Gen*``), action names case-insensitively. A Deny with a
``Condition`` may or may not apply; the audit does not evaluate conditions, so it reports such a
statement separately (a warning) rather than as a denial.

Principals matched for a role ``arn:aws:iam::111122223333:role/path/name``: ``*``,
``{"AWS": "*"}``, the account (``111122223333`` or ``arn:aws:iam::111122223333:root``: a Deny
naming an account applies to every principal in it), the role ARN (with IAM wildcards), and the
role's sessions (``arn:aws:sts::111122223333:assumed-role/name/…``). For the service principal:
``*``, ``{"AWS": "*"}`` and ``{"Service": "firehose.amazonaws.com"}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

FIREHOSE_SERVICE_PRINCIPAL = "firehose.amazonaws.com"
# What Firehose's own SSE needs of its CMK: the data-key operations (KEY-07: "encrypt and
# decrypt operations") and the grant it creates to use the key (GRT-01).
SSE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant")
# What Firehose's source role needs of the key of an encrypted source data stream (SRC-06: the
# consumers of an SSE-enabled data stream need kms:Decrypt).
SOURCE_ACTIONS = ("kms:Decrypt",)


@dataclass(frozen=True)
class Principal:
    """One principal Firehose acts as: the service itself, or a role it assumes."""

    kind: str  # "Service" or "AWS"
    name: str  # the service principal or the role ARN

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class DenyMatch:
    """A Deny statement that covers one of our principals and actions."""

    sid: str
    principal: Principal
    actions: tuple[str, ...]
    conditional: bool

    def describe(self) -> str:
        condition = " (with a Condition)" if self.conditional else ""
        return f"{self.sid}: denies {self.principal.label} {', '.join(self.actions)}{condition}"


@dataclass(frozen=True)
class PolicyReading:
    deny_statements: int
    matches: tuple[DenyMatch, ...]

    @property
    def unconditional(self) -> tuple[DenyMatch, ...]:
        return tuple(m for m in self.matches if not m.conditional)

    @property
    def conditional(self) -> tuple[DenyMatch, ...]:
        return tuple(m for m in self.matches if m.conditional)


class PolicyUnreadable(ValueError):
    """The policy text is not a JSON policy document."""


def firehose_principals(role_arns: list[str] | tuple[str, ...]) -> tuple[Principal, ...]:
    roles = tuple(dict.fromkeys(arn for arn in role_arns if arn))
    return (
        Principal("Service", FIREHOSE_SERVICE_PRINCIPAL),
        *(Principal("AWS", arn) for arn in roles),
    )


def read_policy(
    text: str, principals: tuple[Principal, ...], actions: tuple[str, ...]
) -> PolicyReading:
    """The Deny statements of ``text`` that cover any of ``principals`` for any of ``actions``."""
    try:
        document = json.loads(text)
    except (TypeError, ValueError) as error:
        raise PolicyUnreadable(f"the key policy is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise PolicyUnreadable("the key policy is not a JSON object")
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyUnreadable("the key policy's Statement is neither a list nor an object")
    denies = [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Deny"]
    matches: list[DenyMatch] = []
    for index, statement in enumerate(denies, start=1):
        covered = tuple(a for a in actions if _covers_action(statement, a))
        if not covered:
            continue
        sid = str(statement.get("Sid") or f"Deny statement #{index} (no Sid)")
        conditional = bool(statement.get("Condition"))
        for principal in principals:
            if _covers_principal(statement, principal):
                matches.append(DenyMatch(sid, principal, covered, conditional))
    return PolicyReading(len(denies), tuple(matches))


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _covers_action(statement: dict[str, Any], action: str) -> bool:
    def named(patterns: Any) -> bool:
        return any(fnmatchcase(action.lower(), p.lower()) for p in _items(patterns))

    if "Action" in statement:
        return named(statement["Action"])
    if "NotAction" in statement:
        return not named(statement["NotAction"])
    return False


def _covers_principal(statement: dict[str, Any], principal: Principal) -> bool:
    if "Principal" in statement:
        return _names(statement["Principal"], principal)
    if "NotPrincipal" in statement:
        return not _names(statement["NotPrincipal"], principal)
    return False


def _names(block: Any, principal: Principal) -> bool:
    """Whether a Principal/NotPrincipal value names ``principal`` (or everyone)."""
    if block == "*":
        return True
    if not isinstance(block, dict):
        return False
    if "*" in _items(block.get("AWS")):
        return True
    if principal.kind == "Service":
        return any(
            fnmatchcase(principal.name.lower(), p.lower()) for p in _items(block.get("Service"))
        )
    return any(_names_role(entry, principal.name) for entry in _items(block.get("AWS")))


def _names_role(entry: str, role_arn: str) -> bool:
    parts = role_arn.split(":", 5)
    if len(parts) < 6:
        return fnmatchcase(role_arn, entry)
    partition, account, resource = parts[1], parts[4], parts[5]
    if entry in (account, f"arn:{partition}:iam::{account}:root"):
        return True
    if fnmatchcase(role_arn, entry):
        return True
    role_name = resource.rsplit("/", 1)[-1]
    session_prefix = f"arn:{partition}:sts::{account}:assumed-role/{role_name}/"
    return entry.startswith(session_prefix)
