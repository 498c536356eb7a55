"""Starting and stopping SSE on a delivery stream: every way the steps call Start and Stop."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, when

from firehose_conformance import actions
from firehose_conformance.actions import KeyIdForm
from firehose_conformance.errors import PreconditionUnreachable
from firehose_conformance.resources import KeyUse, ScenarioDemand, declares
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .keys import alias_of_form, key_for
from .phrases import KeyPhrase, step_text


# ---- Given ---------------------------------------------------------------------------------------
@given(step_text('encryption is enabled on "{stream}" with {key:Key}'))
@declares(keys={"key": KeyUse.USE})
def encryption_enabled(t: Target, world: World, stream: str, key: KeyPhrase) -> None:
    actions.enable_encryption(t, world.stream(stream).name, actions.encryption_input(key.of(world)))


@given(step_text('encryption on "{stream}" has failed to enable'))
@declares(anonymous_keys=(("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")))
def encryption_failed_to_enable(
    t: Target, world: World, stream: str, fsc_demand: ScenarioDemand | None
) -> None:
    """Reach ENABLING_FAILED through a key Firehose cannot use (AMB-01 (c) / AMB-22)."""
    name = world.stream(stream).name
    refusals = []
    for spec, usage in (("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
        key = key_for(t, fsc_demand, None, spec, usage)
        outcome = actions.start_encryption(t, name, actions.encryption_input(key))
        if not outcome.ok:
            refusals.append(f"{spec}: {outcome.error_code}")
            continue
        final = actions.settled_encryption_status(t, name)
        assert final == "ENABLING_FAILED", f"enabling with a {spec} key ended in {final}"
        return
    raise PreconditionUnreachable(
        "the target refuses unusable keys synchronously (AMB-01 (a)/(b): "
        + ", ".join(refusals)
        + "), so ENABLING_FAILED never arises on it"
    )


@given("session credentials older than 6 hours")
def aged_credentials(t: Target, world: World) -> None:
    world.resources.other_caller = t.aged_credentials_client()


# ---- When: Start ---------------------------------------------------------------------------------
def _start(
    t: Target, world: World, stream: str, encryption: dict[str, Any] | None, **how: Any
) -> None:
    world.calls.record(actions.start_encryption(t, world.stream(stream).name, encryption, **how))


@when(step_text('I start encryption on "{stream}" with {key:Key}'))
@declares(keys={"key": KeyUse.USE})
def start_encryption(t: Target, world: World, stream: str, key: KeyPhrase) -> None:
    _start(t, world, stream, actions.encryption_input(key.of(world)))


@when(step_text('I start encryption on "{stream}" without an encryption input'))
def start_encryption_without_input(t: Target, world: World, stream: str) -> None:
    _start(t, world, stream, None)


@when(step_text('I start encryption on "{stream}" with the raw encryption input {encryption:Json}'))
def start_encryption_with_raw_input(
    t: Target, world: World, stream: str, encryption: dict[str, Any]
) -> None:
    _start(t, world, stream, encryption, validate=False)


@when(step_text('I start encryption on "{stream}" with key "{key}" using those credentials'))
@declares(keys={"key": KeyUse.USE})
def start_encryption_as_other_caller(t: Target, world: World, stream: str, key: str) -> None:
    encryption = actions.encryption_input(world.key(key))
    _start(t, world, stream, encryption, client=world.resources.other_caller)


# KEY-06: KeyARN given as something other than a key ARN of at most 512 characters.
_GIVEN_AS = 'I start encryption on "{stream}" with a customer managed key ARN given as '


@when(step_text(_GIVEN_AS + 'the {form:KeyForm} of "{key}"'))
@declares(keys={"key": KeyUse.USE}, creates=alias_of_form)
def start_encryption_key_arn_in_form(
    t: Target, world: World, stream: str, form: KeyIdForm, key: str
) -> None:
    key_arn = actions.key_identifier(t, world.key(key), form)
    _start(t, world, stream, actions.customer_key_input(key_arn))


@when(step_text(_GIVEN_AS + "a {length:d}-character key ARN"))
def start_encryption_key_arn_of_length(t: Target, world: World, stream: str, length: int) -> None:
    prefix = f"arn:aws:kms:{t.region}:{t.account_id}:key/"
    _start(t, world, stream, actions.customer_key_input(prefix + "a" * (length - len(prefix))))


@when(step_text(_GIVEN_AS + 'the text "{text}"'))
def start_encryption_key_arn_text(t: Target, world: World, stream: str, text: str) -> None:
    _start(t, world, stream, actions.customer_key_input(text))


@when(step_text(_GIVEN_AS + "an S3 bucket ARN"))
def start_encryption_key_arn_of_bucket(t: Target, world: World, stream: str) -> None:
    _start(t, world, stream, actions.customer_key_input("arn:aws:s3:::fsc-not-a-key"))


# ---- When: Stop, and both in turn ----------------------------------------------------------------
@when(step_text('I stop encryption on "{stream}"'))
def stop_encryption(t: Target, world: World, stream: str) -> None:
    world.calls.record(actions.stop_encryption(t, world.stream(stream).name))


@when(
    step_text(
        'I start and stop encryption on "{stream}" alternately {count:d} times, waiting for each '
        "to settle"
    )
)
def start_and_stop_alternately(t: Target, world: World, stream: str, count: int) -> None:
    """API-01: Start (with the scenario's first key) and Stop in turn, each one settled."""
    name = world.stream(stream).name
    key = next(iter(world.resources.keys.values()))
    for i in range(count):
        if i % 2 == 0:
            outcome = actions.start_encryption(t, name, actions.encryption_input(key))
            settled = "ENABLED"
        else:
            outcome = actions.stop_encryption(t, name)
            settled = "DISABLED"
        world.calls.record(outcome)
        assert outcome.ok, f"call {i + 1} of {count}: {outcome.describe()}"
        actions.wait_encryption_status(t, name, settled)
