"""The static reading of a key policy: which Deny statements cover Firehose (KEY-07, SRC-06)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from firehose_conformance.audit.policy import (
    SOURCE_ACTIONS,
    SSE_ACTIONS,
    PolicyUnreadable,
    firehose_principals,
    read_policy,
)

ROLE = "arn:aws:iam::111122223333:role/service/firehose-delivery"
OTHER_ROLE = "arn:aws:iam::111122223333:role/somebody-else"
PRINCIPALS = firehose_principals([ROLE, ROLE, ""])  # duplicates and blanks are dropped
ALLOW_ROOT = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [ALLOW_ROOT, *statements]})


def deny(principal: Any = None, action: Any = "kms:Decrypt", **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": "D", "Effect": "Deny", "Resource": "*", **extra}
    if principal is not None:
        statement["Principal"] = principal
    if action is not None:
        statement["Action"] = action
    return statement


def covered(text: str, actions: tuple[str, ...] = SSE_ACTIONS) -> list[str]:
    return [m.describe() for m in read_policy(text, PRINCIPALS, actions).matches]


def test_the_principals_are_the_service_and_each_role_once() -> None:
    assert [p.label for p in PRINCIPALS] == [
        "Service firehose.amazonaws.com",
        f"AWS {ROLE}",
    ]


def test_an_allow_only_policy_denies_nothing() -> None:
    reading = read_policy(policy(), PRINCIPALS, SSE_ACTIONS)
    assert reading.deny_statements == 0
    assert reading.matches == ()


@pytest.mark.parametrize(
    ("principal", "kinds"),
    [
        ({"Service": "firehose.amazonaws.com"}, ["Service"]),
        ({"Service": ["logs.amazonaws.com", "FIREHOSE.amazonaws.com"]}, ["Service"]),
        ({"Service": "*.amazonaws.com"}, ["Service"]),
        ("*", ["Service", "AWS"]),
        ({"AWS": "*"}, ["Service", "AWS"]),
        ({"AWS": ROLE}, ["AWS"]),
        ({"AWS": ["arn:aws:iam::111122223333:role/service/firehose-*"]}, ["AWS"]),
        ({"AWS": "111122223333"}, ["AWS"]),  # the account: every principal in it
        ({"AWS": "arn:aws:iam::111122223333:root"}, ["AWS"]),
        ({"AWS": "arn:aws:sts::111122223333:assumed-role/firehose-delivery/s1"}, ["AWS"]),
        ({"AWS": OTHER_ROLE}, []),
        ({"AWS": "444455556666"}, []),
        ({"Service": "logs.amazonaws.com"}, []),
        ({"Federated": "cognito-identity.amazonaws.com"}, []),
    ],
)
def test_principals_named_by_a_deny(principal: Any, kinds: list[str]) -> None:
    """Which of Firehose's principals (the service, its role) a Deny naming ``principal`` hits."""
    reading = read_policy(policy(deny(principal)), PRINCIPALS, SSE_ACTIONS)
    assert [m.principal.kind for m in reading.matches] == kinds


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("kms:Decrypt", ["kms:Decrypt"]),
        ("kms:*", list(SSE_ACTIONS)),
        ("*", list(SSE_ACTIONS)),
        ("KMS:decrypt", ["kms:Decrypt"]),  # action names are case-insensitive
        ("kms:Gen*", ["kms:GenerateDataKey"]),
        (["kms:Encrypt", "kms:CreateGrant"], ["kms:Encrypt", "kms:CreateGrant"]),
        ("kms:ReEncrypt*", []),
        ("kms:ScheduleKeyDeletion", []),
    ],
)
def test_actions_covered_by_a_deny(action: Any, expected: list[str]) -> None:
    reading = read_policy(
        policy(deny({"Service": "firehose.amazonaws.com"}, action)), PRINCIPALS, SSE_ACTIONS
    )
    assert [list(m.actions) for m in reading.matches] == ([expected] if expected else [])


def test_not_action_denies_everything_it_does_not_list() -> None:
    statement = deny({"Service": "firehose.amazonaws.com"}, None, NotAction=["kms:Decrypt"])
    (match,) = read_policy(policy(statement), PRINCIPALS, SSE_ACTIONS).matches
    assert match.actions == ("kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant")


def test_not_principal_denies_everyone_it_does_not_list() -> None:
    statement = deny(None, "kms:*", NotPrincipal={"Service": "firehose.amazonaws.com"})
    assert covered(policy(statement)) == [f"D: denies AWS {ROLE} {', '.join(SSE_ACTIONS)}"]
    both = deny(None, "kms:*", NotPrincipal={"Service": "firehose.amazonaws.com", "AWS": ROLE})
    assert covered(policy(both)) == []


def test_a_conditional_deny_is_reported_apart() -> None:
    statement = deny(
        "*", "kms:Decrypt", Condition={"StringNotEquals": {"kms:ViaService": "s3.amazonaws.com"}}
    )
    reading = read_policy(policy(statement), PRINCIPALS, SSE_ACTIONS)
    assert reading.unconditional == ()
    assert [m.describe() for m in reading.conditional] == [
        "D: denies Service firehose.amazonaws.com kms:Decrypt (with a Condition)",
        f"D: denies AWS {ROLE} kms:Decrypt (with a Condition)",
    ]


def test_the_source_key_is_read_for_decrypt_only() -> None:
    statement = deny({"AWS": ROLE}, ["kms:Encrypt", "kms:GenerateDataKey"])
    assert covered(policy(statement), SOURCE_ACTIONS) == []
    assert covered(policy(deny({"AWS": ROLE}, "kms:Decrypt")), SOURCE_ACTIONS) == [
        f"D: denies AWS {ROLE} kms:Decrypt"
    ]


def test_a_single_statement_object_and_a_missing_sid() -> None:
    statement = {"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}
    text = json.dumps({"Statement": statement})
    assert covered(text)[0].startswith("Deny statement #1 (no Sid): denies")


def test_allow_statements_are_not_denials() -> None:
    allow = {**deny("*", "kms:*"), "Effect": "Allow"}
    assert covered(policy(allow)) == []


@pytest.mark.parametrize(
    "text", ["not json", "[]", json.dumps({"Statement": "nope"}), json.dumps(None)]
)
def test_an_unreadable_policy_says_so(text: str) -> None:
    with pytest.raises(PolicyUnreadable):
        read_policy(text, PRINCIPALS, SSE_ACTIONS)


def test_a_role_arn_without_the_usual_parts_is_matched_literally() -> None:
    odd = firehose_principals(["not-an-arn"])
    reading = read_policy(policy(deny({"AWS": "not-an-arn"})), odd, SSE_ACTIONS)
    assert [m.principal.name for m in reading.matches] == ["not-an-arn"]
