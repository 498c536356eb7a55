"""The small part of the IAM condition language the reference evaluates in key policies.

Supported operators (each also with the ``IfExists`` suffix): StringEquals, StringNotEquals,
StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike,
ArnNotEquals, ArnNotLike, Bool. Supported keys: kms:CallerAccount, kms:ViaService,
aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalServiceName (see access.request_context for
their values). A condition with any other operator or key (ForAnyValue:...,
kms:EncryptionContext:..., kms:GrantIsForAWSResource, ...) cannot be evaluated, and the statement
that holds it is treated as not matching, for Allow and Deny alike: the reference neither grants
nor denies on a condition it does not understand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reference_impl.kms import faults

SUPPORTED_KEYS = frozenset(
    {
        "kms:calleraccount",
        "kms:viaservice",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalservicename",
    }
)
_OPERATORS = {
    # name: (negated, comparison)
    "StringEquals": (False, "equals"),
    "StringNotEquals": (True, "equals"),
    "StringEqualsIgnoreCase": (False, "iequals"),
    "StringNotEqualsIgnoreCase": (True, "iequals"),
    "StringLike": (False, "like"),
    "StringNotLike": (True, "like"),
    "ArnEquals": (False, "like"),
    "ArnLike": (False, "like"),
    "ArnNotEquals": (True, "like"),
    "ArnNotLike": (True, "like"),
    "Bool": (False, "bool"),
}


@lru_cache(maxsize=512)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcards: ``*`` any run of characters, ``?`` one character, nothing else special."""
    return bool(_wildcard(pattern, ignore_case).match(value))


@dataclass(frozen=True)
class Condition:
    operator: str
    key: str
    values: tuple[str, ...]

    @property
    def supported(self) -> bool:
        base = self.operator.removesuffix("IfExists")
        return base in _OPERATORS and self.key.lower() in SUPPORTED_KEYS

    def holds(self, context: dict[str, str]) -> bool:
        if not self.supported:
            return False
        if_exists = self.operator.endswith("IfExists")
        negated, comparison = _OPERATORS[self.operator.removesuffix("IfExists")]
        actual = context.get(self.key.lower())
        if actual is None:
            return if_exists or negated
        matched = any(_compare(comparison, expected, actual) for expected in self.values)
        return not matched if negated else matched


def _compare(comparison: str, expected: str, actual: str) -> bool:
    if comparison == "equals":
        return expected == actual
    if comparison == "iequals":
        return expected.lower() == actual.lower()
    if comparison == "bool":
        return expected.lower() == actual.lower()
    return wildcard_match(expected, actual)


def parse_conditions(block: object) -> tuple[Condition, ...]:
    """Parse a statement's ``Condition`` element; raise MalformedPolicyDocumentException."""
    if not isinstance(block, dict):
        raise faults.malformed_policy("The Condition element must be an object.")
    parsed: list[Condition] = []
    for operator, pairs in block.items():
        if not isinstance(pairs, dict) or not pairs:
            raise faults.malformed_policy(f"Condition operator {operator} must map keys to values.")
        for key, raw in pairs.items():
            values = raw if isinstance(raw, list) else [raw]
            if not values or not all(isinstance(v, str | bool | int | float) for v in values):
                raise faults.malformed_policy(f"Condition {operator} {key} has invalid values.")
            texts = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
            parsed.append(Condition(str(operator), str(key), texts))
    return tuple(parsed)
