"""KMS keys: making them, breaking and fixing them, their grants, and calling KMS directly."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import astuple
from typing import Any

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World
from steps.phrases import KeyDescription, step_text


# ---- Given / When: keys and their state ----------------------------------------------------------
@given(step_text('a symmetric customer managed key "{key}"'))
def symmetric_key(t: Target, world: World, key: str) -> None:
    world.resources.keys[key] = actions.create_key(t)


@given(step_text('an asymmetric customer managed key "{key}" with key spec "{spec}" for "{usage}"'))
def asymmetric_key(t: Target, world: World, key: str, spec: str, usage: str) -> None:
    world.resources.keys[key] = actions.create_key(t, spec, usage)


@given(step_text('key "{key}" is disabled'))
@when(step_text('key "{key}" is disabled'))
def key_disabled(t: Target, world: World, key: str) -> None:
    t.kms.disable_key(KeyId=world.key(key).key_id)


@when(step_text('key "{key}" is enabled'))
def key_enabled(t: Target, world: World, key: str) -> None:
    t.kms.enable_key(KeyId=world.key(key).key_id)


@given(step_text('key "{key}" is scheduled for deletion'))
@when(step_text('key "{key}" is scheduled for deletion'))
def key_scheduled_for_deletion(t: Target, world: World, key: str) -> None:
    t.kms.schedule_key_deletion(KeyId=world.key(key).key_id, PendingWindowInDays=7)


@when(step_text('key "{key}" deletion is cancelled and the key enabled'))
def key_deletion_cancelled(t: Target, world: World, key: str) -> None:
    t.kms.cancel_key_deletion(KeyId=world.key(key).key_id)
    t.kms.enable_key(KeyId=world.key(key).key_id)


@given(step_text('key "{key}" is deleted'))
@when(step_text('key "{key}" is deleted'))
def key_deleted(t: Target, world: World, key: str) -> None:
    t.delete_key_now(world.key(key))


@given(step_text('the key policy of "{key}" denies Firehose "{action}"'))
@when(step_text('the key policy of "{key}" denies Firehose "{action}"'))
def key_policy_denies_firehose(t: Target, world: World, key: str, action: str) -> None:
    actions.deny_firehose(t, world.key(key), action)


@when(step_text('the key policy of "{key}" is restored'))
def key_policy_restored(t: Target, world: World, key: str) -> None:
    actions.restore_key_policy(t, world.key(key))


@when(step_text('every grant on key "{key}" is revoked'))
def every_grant_revoked(t: Target, world: World, key: str) -> None:
    actions.revoke_all_grants(t, world.key(key))


# ---- When: calling KMS directly ------------------------------------------------------------------
_KMS_CALLS: dict[str, Callable[[str], tuple[str, dict[str, Any]]]] = {
    "GenerateDataKey": lambda key: ("generate_data_key", {"KeyId": key, "KeySpec": "AES_256"}),
    "Encrypt": lambda key: ("encrypt", {"KeyId": key, "Plaintext": b"fsc"}),
    "CreateGrant": lambda key: (
        "create_grant",
        {"KeyId": key, "GranteePrincipal": "firehose.amazonaws.com", "Operations": ["Encrypt"]},
    ),
    "DescribeKey": lambda key: ("describe_key", {"KeyId": key}),
    "ListGrants": lambda key: ("list_grants", {"KeyId": key}),
}


@when(step_text('I call KMS {operation:w} with key "{key}"'))
def call_kms(t: Target, world: World, operation: str, key: str) -> None:
    method, params = _KMS_CALLS[operation](world.key(key).key_id)
    world.calls.record(t.call("kms", method, **params))


@when(step_text("I call KMS {operation:w} with a key ARN that does not exist"))
def call_kms_on_missing_key(t: Target, world: World, operation: str) -> None:
    arn = f"arn:aws:kms:{t.region}:{t.account_id}:key/{uuid.uuid4()}"
    method, params = _KMS_CALLS[operation](arn)
    world.calls.record(t.call("kms", method, **params))


@when(step_text('I call KMS CreateGrant with key "{key}" allowing "{operation}"'))
def call_kms_create_grant(t: Target, world: World, key: str, operation: str) -> None:
    world.calls.record(
        t.call(
            "kms",
            "create_grant",
            KeyId=world.key(key).key_id,
            GranteePrincipal=f"arn:aws:iam::{t.account_id}:root",
            Operations=[operation],
        )
    )


# ---- Then ----------------------------------------------------------------------------------------
@then(step_text('key "{key}" has no grants'))
def key_has_no_grants(t: Target, world: World, key: str) -> None:
    found = actions.grants(t, world.key(key))
    assert not found, f"key {key} has {len(found)} grant(s): {found}"


@then(step_text('key "{key}" has a grant'))
def key_has_a_grant(t: Target, world: World, key: str) -> None:
    assert actions.grants(t, world.key(key)), f"key {key} has no grant"


@then(step_text('key "{key}" eventually has no grants'))
def key_eventually_has_no_grants(t: Target, world: World, key: str) -> None:
    t.poll(
        lambda: len(actions.grants(t, world.key(key))),
        lambda count: count == 0,
        timeout=t.profile.grant_timeout,
        what=f"no grants left on key {key} (grant count)",
    )


@then(step_text('key "{key}" is described with {expected:KeyDescription}'))
def key_described(t: Target, world: World, key: str, expected: KeyDescription) -> None:
    meta = actions.key_metadata(t, world.key(key))
    seen = (meta.get("KeySpec"), meta.get("KeyUsage"), meta.get("KeyState"))
    assert seen == astuple(expected), f"DescribeKey shows KeySpec/KeyUsage/KeyState {seen}"


@then(step_text('key "{key}" is described with state "{state}"'))
def key_described_with_state(t: Target, world: World, key: str, state: str) -> None:
    meta = actions.key_metadata(t, world.key(key))
    assert meta.get("KeyState") == state, f"DescribeKey shows KeyState {meta.get('KeyState')}"
