"""KMS keys: making them, breaking and fixing them, their grants, and calling KMS directly."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import astuple
from typing import Any

import pytest
from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.errors import PreconditionUnreachable, SuiteDefect
from firehose_conformance.plugin import left_out_considered, left_out_items
from firehose_conformance.resources import (
    SYMMETRIC,
    KeyUse,
    Kind,
    PoolKey,
    ScenarioDemand,
    declares,
    plan_for,
    scenario_demand,
)
from firehose_conformance.targets.base import KeyRef, Target
from firehose_conformance.world import World

from .phrases import KeyDescription, step_text

MAKE, MAKE_OWN, USE, LEND, OWN = (
    KeyUse.MAKE,
    KeyUse.MAKE_OWN,
    KeyUse.USE,
    KeyUse.LEND,
    KeyUse.OWN,
)


# ---- the run's pool: which keys a scenario shares or borrows (firehose_conformance/resources.py)
@pytest.fixture(scope="session", autouse=True)
def fsc_resource_plan(request: pytest.FixtureRequest, target: Target) -> None:
    """Before the first scenario starts, tell a target that plans (aws) what the selected
    scenarios it runs will create: its plan prints the counts and the cost, and what its cost
    policy left out (and what running that too would add)."""
    if not target.plans:
        return
    config = request.config
    plan = plan_for(
        target, request.session.items, left_out_items(config), left_out_considered(config)
    )
    target.expect(plan)


@pytest.fixture
def fsc_demand(request: pytest.FixtureRequest, t: Target) -> ScenarioDemand | None:
    """This scenario's demand, where the target pools keys (None elsewhere)."""
    return scenario_demand(request.node) if t.pool is not None else None


def alias_of_form(args: Mapping[str, Any]) -> dict[Kind, int]:
    """A step naming a key in a form: the alias forms make an alias (actions.key_identifier)."""
    aliased = args.get("form") in (actions.KeyIdForm.ALIAS_NAME, actions.KeyIdForm.ALIAS_ARN)
    return {Kind.KMS_ALIAS: 1 if aliased else 0}


def key_for(
    t: Target,
    demand: ScenarioDemand | None,
    alias: str | None,
    spec: str = SYMMETRIC[0],
    usage: str | None = None,
) -> KeyRef:
    """The key of ``alias``: where the target pools keys, a shared one if the scenario only uses
    it, a lent one if it changes it in a way teardown undoes or reads its grants; else a key of
    the scenario's own. ``alias`` None: a key a step makes for itself only to use (slot 0 of
    its kind)."""
    if t.pool is not None and demand is not None:
        wanted = demand.pooled(alias) if alias is not None else PoolKey(spec, usage or "")
        if wanted is not None:
            return t.pool.key(t, wanted)
    return actions.create_key(t, spec, usage)


def _kms_change(t: Target, world: World, key: str, *, refused: bool, operation: str) -> None:
    """Wait until KMS shows the change just made (eventually consistent), and say how long."""
    waited = actions.await_kms_change(t, world.key(key), refused=refused, operation=operation)
    if waited > 0:
        done = "refused" if refused else "served"
        world.note(f"KMS {done} {operation} with key {key} after {waited:g} s")


def _broken(t: Target, world: World, key: str, operation: str = "GenerateDataKey") -> None:
    _kms_change(t, world, key, refused=True, operation=operation)


def _fixed(t: Target, world: World, key: str, operation: str = "GenerateDataKey") -> None:
    _kms_change(t, world, key, refused=False, operation=operation)


# ---- Given / When: keys and their state ----------------------------------------------------------
@given(step_text('a symmetric customer managed key "{key}"'))
@declares(keys={"key": MAKE})
def symmetric_key(t: Target, world: World, key: str, fsc_demand: ScenarioDemand | None) -> None:
    world.resources.keys[key] = key_for(t, fsc_demand, key)


@given(step_text('an asymmetric customer managed key "{key}" with key spec "{spec}" for "{usage}"'))
@declares(keys={"key": MAKE}, spec=("spec", "usage"))
def asymmetric_key(
    t: Target, world: World, key: str, spec: str, usage: str, fsc_demand: ScenarioDemand | None
) -> None:
    world.resources.keys[key] = key_for(t, fsc_demand, key, spec, usage)


@when(step_text('I create a customer managed key "{key}" with key spec "{spec}" for "{usage}"'))
@declares(keys={"key": MAKE_OWN})
def create_key_of_spec(t: Target, world: World, key: str, spec: str, usage: str) -> None:
    """KEY-10: KMS's own answer to CreateKey is what is checked, so it is kept as the call."""
    outcome = world.calls.record(actions.attempt_key(t, spec, usage))
    if outcome.ok:
        meta = outcome.response["KeyMetadata"]
        world.resources.keys[key] = KeyRef(meta["KeyId"], meta["Arn"])


@given(step_text('a customer managed key "{key}" with imported key material'))
@declares(keys={"key": MAKE_OWN})
def key_with_imported_material(t: Target, world: World, key: str) -> None:
    """A symmetric key of Origin EXTERNAL whose material the suite imported (MET-05 needs one:
    deleting the material leaves it PendingImport, which KMS answers KMSInvalidStateException)."""
    made, refusal = actions.create_imported_key(t)
    if made is None:
        raise PreconditionUnreachable(
            f"the target's KMS does not make keys with imported material ({refusal}), so a "
            "key pending import, the one KMS state documented to raise KMSInvalidStateException, "
            "cannot be made on it"
        )
    world.resources.keys[key] = made


@when(step_text('the imported key material of "{key}" is deleted'))
@declares(keys={"key": OWN})
def imported_material_deleted(t: Target, world: World, key: str) -> None:
    t.kms.delete_imported_key_material(KeyId=world.key(key).key_id)
    _broken(t, world, key)


@given(step_text('key "{key}" is disabled'))
@when(step_text('key "{key}" is disabled'))
@declares(keys={"key": LEND})
def key_disabled(t: Target, world: World, key: str) -> None:
    t.kms.disable_key(KeyId=world.key(key).key_id)
    _broken(t, world, key)


@when(step_text('key "{key}" is enabled'))
@declares(keys={"key": LEND})
def key_enabled(t: Target, world: World, key: str) -> None:
    t.kms.enable_key(KeyId=world.key(key).key_id)
    _fixed(t, world, key)


@given(step_text('key "{key}" is scheduled for deletion'))
@when(step_text('key "{key}" is scheduled for deletion'))
@declares(keys={"key": LEND})
def key_scheduled_for_deletion(t: Target, world: World, key: str) -> None:
    t.kms.schedule_key_deletion(KeyId=world.key(key).key_id, PendingWindowInDays=7)
    _broken(t, world, key)


@when(step_text('key "{key}" deletion is cancelled and the key enabled'))
@declares(keys={"key": LEND})
def key_deletion_cancelled(t: Target, world: World, key: str) -> None:
    t.kms.cancel_key_deletion(KeyId=world.key(key).key_id)
    t.kms.enable_key(KeyId=world.key(key).key_id)
    _fixed(t, world, key)


@given(step_text('key "{key}" is deleted'))
@when(step_text('key "{key}" is deleted'))
@declares(keys={"key": OWN})
def key_deleted(t: Target, world: World, key: str) -> None:
    t.delete_key_now(world.key(key))
    _broken(t, world, key)


@given(step_text('the key policy of "{key}" denies every principal the use of the key'))
@when(step_text('the key policy of "{key}" denies every principal the use of the key'))
@declares(keys={"key": LEND})
def key_policy_denies_use(t: Target, world: World, key: str) -> None:
    actions.deny_key_use(t, world.key(key))
    _broken(t, world, key)


@given(step_text('the key policy of "{key}" denies every principal "kms:Decrypt"'))
@when(step_text('the key policy of "{key}" denies every principal "kms:Decrypt"'))
@declares(keys={"key": LEND})
def key_policy_denies_decrypt(t: Target, world: World, key: str) -> None:
    actions.deny_key_use(t, world.key(key), ("kms:Decrypt",))
    _broken(t, world, key, "Decrypt")


@given(step_text('the key policy of "{key}" denies the delivery role "kms:Decrypt"'))
@declares(keys={"key": LEND})
def key_policy_denies_the_delivery_role(t: Target, world: World, key: str) -> None:
    """SRC-06: the role a Kinesis-sourced stream reads its source with loses kms:Decrypt (the
    suite cannot call as that role, so there is no probe of when KMS applies it)."""
    actions.deny_key_use(t, world.key(key), ("kms:Decrypt",), {"AWS": t.delivery_role_arn()})


@when(step_text('the key policy of "{key}" is restored'))
@declares(keys={"key": LEND})
def key_policy_restored(t: Target, world: World, key: str) -> None:
    actions.restore_key_policy(t, world.key(key))
    _fixed(t, world, key, "Decrypt")


@when(step_text('every grant on key "{key}" is revoked'))
@declares(keys={"key": LEND})
def every_grant_revoked(t: Target, world: World, key: str) -> None:
    actions.revoke_all_grants(t, world.key(key))
    # RevokeGrant: "there might be a brief delay, usually less than five minutes, until the
    # grant is available throughout KMS" (BC-KMS): wait until ListGrants no longer shows it.
    _grant_count_becomes(t, world, key, lambda count: count == 0, "no grants left")


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
@declares(keys={"key": USE})
def call_kms(t: Target, world: World, operation: str, key: str) -> None:
    method, params = _KMS_CALLS[operation](world.key(key).key_id)
    outcome = world.calls.record(t.call("kms", method, **params))
    actions.revoke_at_teardown(t, world.key(key), outcome)


@when(step_text("I call KMS {operation:w} with a key ARN that does not exist"))
def call_kms_on_missing_key(t: Target, world: World, operation: str) -> None:
    arn = f"arn:aws:kms:{t.region}:{t.account_id}:key/{uuid.uuid4()}"
    method, params = _KMS_CALLS[operation](arn)
    world.calls.record(t.call("kms", method, **params))


@when(step_text('I call KMS CreateGrant with key "{key}" allowing "{operation}"'))
@declares(keys={"key": USE})
def call_kms_create_grant(t: Target, world: World, key: str, operation: str) -> None:
    outcome = world.calls.record(
        t.call(
            "kms",
            "create_grant",
            KeyId=world.key(key).key_id,
            GranteePrincipal=f"arn:aws:iam::{t.account_id}:root",
            Operations=[operation],
        )
    )
    actions.revoke_at_teardown(t, world.key(key), outcome)


# ---- Then ----------------------------------------------------------------------------------------
def _grant_count_becomes(
    t: Target, world: World, key: str, until: Callable[[int], bool], what: str
) -> int:
    """Poll ListGrants within the KMS bound: grants are eventually consistent ("usually less
    than five minutes", BC-KMS CreateGrant/RevokeGrant)."""
    return t.poll(
        lambda: len(actions.grants(t, world.key(key))),
        until,
        timeout=t.profile.grant_timeout,
        what=f"{what} on key {key} (grant count)",
    )


@given(step_text('key "{key}" has no grants'))
@then(step_text('key "{key}" has no grants'))
@declares(keys={"key": LEND})
def key_has_no_grants(t: Target, world: World, key: str) -> None:
    found = actions.grants(t, world.key(key))
    assert not found, f"key {key} has {len(found)} grant(s): {found}"


@given(step_text('key "{key}" has a grant'))
@then(step_text('key "{key}" has a grant'))
@declares(keys={"key": LEND})
def key_has_a_grant(t: Target, world: World, key: str) -> None:
    """A grant shows on the key within the KMS bound (it may take a while to show)."""
    try:
        _grant_count_becomes(t, world, key, lambda count: count > 0, "a grant")
    except AssertionError as error:
        raise AssertionError(f"key {key} has no grant: {error}") from None
    world.resources.granted.add(key)


@then(step_text('key "{key}" still has a grant'))
@declares(keys={"key": LEND})
def key_still_has_a_grant(t: Target, world: World, key: str) -> None:
    """The grant is there now (read at once: waiting would let what it guards happen)."""
    assert actions.grants(t, world.key(key)), f"key {key} has no grant"
    world.resources.granted.add(key)


@then(step_text('key "{key}" eventually has no grants'))
@declares(keys={"key": LEND})
def key_eventually_has_no_grants(t: Target, world: World, key: str) -> None:
    """A grant's retirement: only meaningful once the scenario saw the grant it retires."""
    if key not in world.resources.granted:
        raise SuiteDefect(
            f"the scenario checks that key {key}'s grant is retired without having seen one"
        )
    _grant_count_becomes(t, world, key, lambda count: count == 0, "no grants left")


@then(step_text('key "{key}" is described with {expected:KeyDescription}'))
@declares(keys={"key": USE})
def key_described(t: Target, world: World, key: str, expected: KeyDescription) -> None:
    meta = actions.key_metadata(t, world.key(key))
    seen = (meta.get("KeySpec"), meta.get("KeyUsage"), meta.get("KeyState"))
    assert seen == astuple(expected), f"DescribeKey shows KeySpec/KeyUsage/KeyState {seen}"


@then(step_text('key "{key}" is described with state "{state}"'))
@declares(keys={"key": USE})
def key_described_with_state(t: Target, world: World, key: str, state: str) -> None:
    meta = actions.key_metadata(t, world.key(key))
    assert meta.get("KeyState") == state, f"DescribeKey shows KeyState {meta.get('KeyState')}"
