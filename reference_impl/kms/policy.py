"""Key policies: parsing (MalformedPolicyDocumentException), the default policy, evaluation.

Evaluation answers, for one caller and one ``kms:<Action>``, whether a statement explicitly denies
it, allows it, or neither. Principals: ``"*"``, ``{"AWS": "*"}``, ``{"AWS": <ARN | account id |
list>}`` (an account id or ``arn:aws:iam::<acct>:root`` stands for every IAM principal of that
account), ``{"Service": <name | list>}``. ``NotPrincipal`` and ``NotAction`` are evaluated too.
Actions match case-insensitively with IAM wildcards (``kms:*``, ``kms:GenerateDataKey*``).
``Resource`` is not compared (a key policy is about its own key), but, as the CreateKey doc says,
a statement without Resource or Action "has no effect". Conditions: see conditions.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

from reference_impl.arns import iam_root
from reference_impl.errors import AwsError
from reference_impl.kms import faults
from reference_impl.kms.conditions import Condition, parse_conditions, wildcard_match

MAX_POLICY_BYTES = 32 * 1024  # KMS quota "Key policy document size"
_ACCOUNT = re.compile(r"^\d{12}$")
_PRINCIPAL_ARN = re.compile(r"^arn:[\w-]+:(iam|sts)::(\d{12}):(.+)$")
INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."


class Decision(StrEnum):
    DENY = "explicit deny"
    ALLOW = "allow"
    NONE = "no match"


def caller_account(caller: str) -> str | None:
    """The account of an IAM/STS principal ARN; None for service principals."""
    match = _PRINCIPAL_ARN.match(caller)
    return match.group(2) if match else None


def _account_of_principal(value: str) -> str | None:
    """An account id, or an account root ARN, names the whole account."""
    if _ACCOUNT.match(value):
        return value
    match = _PRINCIPAL_ARN.match(value)
    if match and match.group(1) == "iam" and match.group(3) == "root":
        return match.group(2)
    return None


@dataclass(frozen=True)
class Principals:
    everyone: bool = False
    aws: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    def matches(self, caller: str) -> bool:
        if self.everyone or caller in self.services:
            return True
        account = caller_account(caller)
        for value in self.aws:
            if value == "*" or value == caller:
                return True
            if account is not None and _account_of_principal(value) == account:
                return True
        return False


def _strings(value: object, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise faults.malformed_policy(f"{what} must be a non-empty string or list of strings.")
    return tuple(items)


def _parse_principals(value: object) -> Principals:
    if value == "*":
        return Principals(everyone=True)
    if not isinstance(value, dict) or not value:
        raise faults.malformed_policy(INVALID_PRINCIPALS)
    aws: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    for kind, names in value.items():
        try:
            parsed = _strings(names, f"Principal {kind}")
        except AwsError:
            raise faults.malformed_policy(INVALID_PRINCIPALS) from None
        if kind == "AWS":
            for name in parsed:
                if name != "*" and not _ACCOUNT.match(name) and not _PRINCIPAL_ARN.match(name):
                    raise faults.malformed_policy(INVALID_PRINCIPALS)
            aws = parsed
        elif kind == "Service":
            services = parsed
        elif kind not in ("Federated", "CanonicalUser"):
            raise faults.malformed_policy(INVALID_PRINCIPALS)
    return Principals(everyone="*" in aws, aws=aws, services=services)


@dataclass(frozen=True)
class Statement:
    allow: bool
    principals: Principals | None
    not_principals: Principals | None
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    effective: bool
    conditions: tuple[Condition, ...]

    def applies(self, caller: str, action: str, context: dict[str, str]) -> bool:
        if not self.effective:
            return False
        if self.principals is not None and not self.principals.matches(caller):
            return False
        if self.not_principals is not None and self.not_principals.matches(caller):
            return False
        if self.actions is not None and not _action_in(action, self.actions):
            return False
        if self.not_actions is not None and _action_in(action, self.not_actions):
            return False
        return all(condition.holds(context) for condition in self.conditions)


def _action_in(action: str, patterns: tuple[str, ...]) -> bool:
    return any(wildcard_match(p, action, ignore_case=True) for p in patterns)


def _parse_statement(raw: object) -> Statement:
    if not isinstance(raw, dict):
        raise faults.malformed_policy("Each policy statement must be an object.")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise faults.malformed_policy(f"Invalid policy statement Effect: {effect!r}.")
    if "Principal" not in raw and "NotPrincipal" not in raw:
        # CreateKey/PutKeyPolicy doc: "Each statement in the key policy must contain one or more
        # principals."
        raise faults.malformed_policy("Policy contains a statement with no principal.")
    principals = _parse_principals(raw["Principal"]) if "Principal" in raw else None
    not_principals = _parse_principals(raw["NotPrincipal"]) if "NotPrincipal" in raw else None
    actions = _strings(raw["Action"], "Action") if "Action" in raw else None
    not_actions = _strings(raw["NotAction"], "NotAction") if "NotAction" in raw else None
    has_action = actions is not None or not_actions is not None
    has_resource = "Resource" in raw or "NotResource" in raw
    conditions = parse_conditions(raw["Condition"]) if "Condition" in raw else ()
    return Statement(
        allow=effect == "Allow",
        principals=principals,
        not_principals=not_principals,
        actions=actions,
        not_actions=not_actions,
        effective=has_action and has_resource,
        conditions=conditions,
    )


@dataclass(frozen=True)
class KeyPolicy:
    """A key policy as the customer wrote it (``text``, returned verbatim by GetKeyPolicy)."""

    text: str
    statements: tuple[Statement, ...]

    @classmethod
    def parse(cls, text: str) -> KeyPolicy:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
            raise AwsError(
                "LimitExceededException",
                f"The key policy exceeds the maximum size of {MAX_POLICY_BYTES} bytes.",
            )
        try:
            document = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise faults.malformed_policy("The key policy is not valid JSON.") from None
        if not isinstance(document, dict):
            raise faults.malformed_policy("The key policy must be a JSON object.")
        if document.get("Version", "2012-10-17") not in ("2012-10-17", "2008-10-17"):
            raise faults.malformed_policy(f"Invalid policy Version: {document.get('Version')!r}.")
        raw = document.get("Statement")
        if isinstance(raw, dict):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            raise faults.malformed_policy("The key policy must contain at least one Statement.")
        return cls(text, tuple(_parse_statement(item) for item in raw))

    @classmethod
    def default(cls, account_id: str, region: str) -> KeyPolicy:
        """KMS's default key policy: the account (root) may do kms:* (KMS-DG key-policy-default)."""
        root = iam_root(account_id, region)
        return cls.parse(
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Id": "key-default-1",
                    "Statement": [
                        {
                            "Sid": "Enable IAM User Permissions",
                            "Effect": "Allow",
                            "Principal": {"AWS": root},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                },
                indent=2,
            )
        )

    def decide(self, caller: str, action: str, context: dict[str, str]) -> Decision:
        applicable = [s for s in self.statements if s.applies(caller, action, context)]
        if any(not s.allow for s in applicable):
            return Decision.DENY
        return Decision.ALLOW if applicable else Decision.NONE
