"""KMS steps: making keys, breaking and fixing them, and calling KMS directly."""

from __future__ import annotations

import uuid

from pytest_bdd import given, parsers, then, when

from firehose_conformance import actions
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World
from steps.common import quoted


@given(quoted('a symmetric customer managed key "{alias}"'))
def symmetric_key(t: Target, world: World, alias: str) -> None:
    world.keys[alias] = actions.create_key(t)


@given(quoted('an asymmetric customer managed key "{alias}" with key spec "{spec}" for "{usage}"'))
def asymmetric_key(t: Target, world: World, alias: str, spec: str, usage: str) -> None:
    world.keys[alias] = actions.create_key(t, spec, usage)


@given(quoted('key "{alias}" is disabled'))
@when(quoted('key "{alias}" is disabled'))
def key_disabled(t: Target, world: World, alias: str) -> None:
    t.kms.disable_key(KeyId=world.key(alias).key_id)


@when(quoted('key "{alias}" is enabled'))
def key_enabled(t: Target, world: World, alias: str) -> None:
    t.kms.enable_key(KeyId=world.key(alias).key_id)


@given(quoted('key "{alias}" is scheduled for deletion'))
@when(quoted('key "{alias}" is scheduled for deletion'))
def key_scheduled_for_deletion(t: Target, world: World, alias: str) -> None:
    t.kms.schedule_key_deletion(KeyId=world.key(alias).key_id, PendingWindowInDays=7)


@when(quoted('key "{alias}" deletion is cancelled and the key enabled'))
def deletion_cancelled(t: Target, world: World, alias: str) -> None:
    t.kms.cancel_key_deletion(KeyId=world.key(alias).key_id)
    t.kms.enable_key(KeyId=world.key(alias).key_id)


@given(quoted('key "{alias}" is deleted'))
@when(quoted('key "{alias}" is deleted'))
def key_deleted(t: Target, world: World, alias: str) -> None:
    t.delete_key_now(world.key(alias))


@given(quoted('the key policy of "{alias}" denies Firehose "{action}"'))
@when(quoted('the key policy of "{alias}" denies Firehose "{action}"'))
def policy_denies_firehose(t: Target, world: World, alias: str, action: str) -> None:
    actions.deny_firehose(t, world.key(alias), action)


@when(quoted('the key policy of "{alias}" is restored'))
def policy_restored(t: Target, world: World, alias: str) -> None:
    actions.restore_key_policy(t, world.key(alias))


@when(quoted('every grant on key "{alias}" is revoked'))
def every_grant_revoked(t: Target, world: World, alias: str) -> None:
    actions.revoke_all_grants(t, world.key(alias))


@then(quoted('key "{alias}" has no grants'))
def key_has_no_grants(t: Target, world: World, alias: str) -> None:
    found = actions.grants(t, world.key(alias))
    assert not found, f"key {alias} has {len(found)} grant(s): {found}"


@then(quoted('key "{alias}" has a grant'))
def key_has_a_grant(t: Target, world: World, alias: str) -> None:
    assert actions.grants(t, world.key(alias)), f"key {alias} has no grant"


@then(quoted('key "{alias}" eventually has no grants'))
def key_eventually_has_no_grants(t: Target, world: World, alias: str) -> None:
    t.poll(
        lambda: len(actions.grants(t, world.key(alias))),
        lambda count: count == 0,
        timeout=t.profile.grant_timeout,
        what=f"no grants left on key {alias} (grant count)",
    )


@then(
    quoted('key "{alias}" is described with key spec "{spec}", usage "{usage}" and state "{state}"')
)
def key_described(t: Target, world: World, alias: str, spec: str, usage: str, state: str) -> None:
    meta = actions.key_metadata(t, world.key(alias))
    seen = (meta.get("KeySpec"), meta.get("KeyUsage"), meta.get("KeyState"))
    assert seen == (spec, usage, state), f"DescribeKey shows KeySpec/KeyUsage/KeyState {seen}"


@then(quoted('key "{alias}" is described with state "{state}"'))
def key_described_state(t: Target, world: World, alias: str, state: str) -> None:
    meta = actions.key_metadata(t, world.key(alias))
    assert meta.get("KeyState") == state, f"DescribeKey shows KeyState {meta.get('KeyState')}"


_KMS_CALLS = {
    "GenerateDataKey": lambda key: ("generate_data_key", {"KeyId": key, "KeySpec": "AES_256"}),
    "Encrypt": lambda key: ("encrypt", {"KeyId": key, "Plaintext": b"fsc"}),
    "CreateGrant": lambda key: (
        "create_grant",
        {"KeyId": key, "GranteePrincipal": "firehose.amazonaws.com", "Operations": ["Encrypt"]},
    ),
    "DescribeKey": lambda key: ("describe_key", {"KeyId": key}),
    "ListGrants": lambda key: ("list_grants", {"KeyId": key}),
}


@when(parsers.re(r'I call KMS (?P<operation>\w+) with key "(?P<alias>[^"]+)"'))
def call_kms(t: Target, world: World, operation: str, alias: str) -> None:
    method, params = _KMS_CALLS[operation](world.key(alias).key_id)
    world.record(t.call("kms", method, **params))


@when(quoted("I call KMS {operation} with a key ARN that does not exist"))
def call_kms_missing_key(t: Target, world: World, operation: str) -> None:
    arn = f"arn:aws:kms:{t.region}:{t.account_id}:key/{uuid.uuid4()}"
    method, params = _KMS_CALLS[operation](arn)
    world.record(t.call("kms", method, **params))


@when(quoted('I call KMS CreateGrant with key "{alias}" allowing "{operation}"'))
def call_kms_create_grant(t: Target, world: World, alias: str, operation: str) -> None:
    world.record(
        t.call(
            "kms",
            "create_grant",
            KeyId=world.key(alias).key_id,
            GranteePrincipal=f"arn:aws:iam::{t.account_id}:root",
            Operations=[operation],
        )
    )
