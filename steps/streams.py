"""Delivery streams: making them (with SSE or without), deleting them, and their status."""

from __future__ import annotations

from functools import partial
from typing import Any

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.errors import PreconditionUnreachable
from firehose_conformance.resources import KeyUse, Kind, ScenarioDemand, declares
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .checks import assert_kms_failure_described
from .keys import key_for
from .phrases import KeyPhrase, step_text


# ---- Given ---------------------------------------------------------------------------------------
@given(step_text('a DirectPut delivery stream "{stream}"'))
@declares(creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def delivery_stream(t: Target, world: World, stream: str) -> None:
    world.resources.streams[stream] = actions.new_delivery_stream(t)


@given(
    step_text('a DirectPut delivery stream "{stream}" that buffers records for {seconds:d} seconds')
)
@declares(creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def delivery_stream_buffering(t: Target, world: World, stream: str, seconds: int) -> None:
    world.resources.streams[stream] = actions.new_delivery_stream(t, buffer_seconds=seconds)
    world.resources.buffer_seconds[stream] = seconds


@given(step_text('a delivery stream "{stream}" whose creation failed'))
@declares(
    anonymous_keys=(("RSA_2048", "ENCRYPT_DECRYPT"),),
    creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1},
)
def delivery_stream_creation_failed(
    t: Target, world: World, stream: str, fsc_demand: ScenarioDemand | None
) -> None:
    key = key_for(t, fsc_demand, None, "RSA_2048", "ENCRYPT_DECRYPT")
    made, outcome = actions.attempt_delivery_stream(t, encryption=actions.encryption_input(key))
    if not outcome.ok:
        raise PreconditionUnreachable(
            f"the target refuses an asymmetric key at creation ({outcome.error_code}), "
            "so CREATING_FAILED never arises on it (AMB-01 (a)/(b))"
        )
    world.resources.streams[stream] = made
    final = actions.settled_stream_status(t, made.name)
    assert final == "CREATING_FAILED", f"a stream created with an asymmetric key became {final}"


# ---- When ----------------------------------------------------------------------------------------
def _create(
    t: Target, world: World, stream: str, encryption: dict[str, Any] | None, validate: bool = True
) -> None:
    made, outcome = actions.attempt_delivery_stream(t, encryption=encryption, validate=validate)
    world.resources.streams[stream] = made
    world.calls.record(outcome)


@when(step_text('I create a DirectPut delivery stream "{stream}" with encryption using {key:Key}'))
@declares(keys={"key": KeyUse.USE}, creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def create_stream_with_sse(t: Target, world: World, stream: str, key: KeyPhrase) -> None:
    _create(t, world, stream, actions.encryption_input(key.of(world)))


@when(step_text('I create a DirectPut delivery stream "{stream}" without an encryption input'))
@declares(creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def create_stream_without_sse(t: Target, world: World, stream: str) -> None:
    _create(t, world, stream, None)


@when(
    step_text(
        'I create a DirectPut stream "{stream}" with the raw encryption input {encryption:Json}'
    )
)
@declares(creates={Kind.DELIVERY_STREAM: 1, Kind.S3_BUCKET: 1})
def create_stream_with_raw_input(
    t: Target, world: World, stream: str, encryption: dict[str, Any]
) -> None:
    _create(t, world, stream, encryption, validate=False)


@when(step_text('I create a DirectPut delivery stream with the same name as "{stream}"'))
@declares(creates={Kind.DELIVERY_STREAM: 1})
def create_stream_same_name(t: Target, world: World, stream: str) -> None:
    taken = world.stream(stream)
    world.calls.record(actions.create_delivery_stream(t, taken.name, bucket=taken.bucket))


@when(step_text('I delete the delivery stream "{stream}"'))
def delete_stream(t: Target, world: World, stream: str) -> None:
    world.calls.record(actions.delete_stream(t, world.stream(stream).name))


@when(step_text('I delete the delivery stream "{stream}" with AllowForceDelete'))
def force_delete_stream(t: Target, world: World, stream: str) -> None:
    world.calls.record(actions.delete_stream(t, world.stream(stream).name, force=True))


# ---- Then ----------------------------------------------------------------------------------------
@then(step_text('the delivery stream "{stream}" becomes "{status}"'))
def stream_becomes(t: Target, world: World, stream: str, status: str) -> None:
    actions.wait_stream_status(t, world.stream(stream).name, status)


@then(step_text('the delivery stream "{stream}" is "{status}"'))
def stream_is(t: Target, world: World, stream: str, status: str) -> None:
    """A settled read (a read right after Create may still miss the stream)."""
    t.settle(
        partial(actions.stream_status, t, world.stream(stream).name),
        lambda seen: seen == status,
        timeout=t.profile.transition_timeout,
        what=f"delivery stream {stream}",
        fail=lambda seen: f"delivery stream {stream} is {seen}, expected {status}",
    )


@then(step_text('the delivery stream "{stream}" is eventually gone'))
def stream_gone(t: Target, world: World, stream: str) -> None:
    status = partial(actions.stream_status, t, world.stream(stream).name)
    actions.await_transition(
        t, status, lambda seen: seen is None, f"delivery stream {stream} gone (status)"
    )


@then(
    step_text(
        'the delivery stream "{stream}" is eventually gone, or "DELETING_FAILED" and then gone '
        "after I delete it with AllowForceDelete"
    )
)
def stream_gone_or_force_deleted(t: Target, world: World, stream: str) -> None:
    assert world.calls.last.ok, world.calls.last.describe()
    name = world.stream(stream).name
    final = actions.await_transition(
        t,
        partial(actions.stream_status, t, name),
        lambda seen: seen in (None, "DELETING_FAILED"),
        f"delivery stream {stream} gone or DELETING_FAILED",
    )
    if final == "DELETING_FAILED":
        assert_kms_failure_described(actions.describe(t, name), "DELETING_FAILED")
        force_delete_stream(t, world, stream)
        assert world.calls.last.ok, world.calls.last.describe()
        stream_gone(t, world, stream)
    else:  # GRT-05: "Firehose keeps retrying" where KMS itself fails; no failure to describe
        world.not_exercised(
            ["GRT-05", "SSE-18"],
            "the stream was deleted without DELETING_FAILED, so neither AllowForceDelete nor a "
            "failure description was needed",
        )


@then(
    step_text(
        'if the delivery stream "{stream}" is CREATING_FAILED, a KMS-related failure description '
        "explains it"
    )
)
def creating_failed_is_explained(t: Target, world: World, stream: str) -> None:
    description = actions.describe_or_none(t, world.stream(stream).name)
    if description and description["DeliveryStreamStatus"] == "CREATING_FAILED":
        assert_kms_failure_described(description, "CREATING_FAILED")


@then(step_text('the delivery stream "{stream}" is never ACTIVE with encryption using key "{key}"'))
@declares(keys={"key": KeyUse.USE})
def stream_never_active_with_key(t: Target, world: World, stream: str, key: str) -> None:
    """Once creation has ended (and, for an ACTIVE stream, its enable attempt), the stream is
    not ACTIVE with SSE on the key. No fixed wait: a refused Create made nothing."""
    last = world.calls.last
    if last.ok is False and last.operation == "create_delivery_stream":
        return  # refused at once: no stream exists (AMB-01 (a)/(b))
    name = world.stream(stream).name
    if actions.settled_stream_status(t, name) == "ACTIVE":
        actions.settled_encryption_status(t, name)
    found = actions.describe_or_none(t, name) or {}
    config = found.get("DeliveryStreamEncryptionConfiguration") or {}
    state = (found.get("DeliveryStreamStatus"), config.get("Status"), config.get("KeyARN"))
    assert state != ("ACTIVE", "ENABLED", world.key(key).arn), (
        f"delivery stream {stream} became ACTIVE with SSE on key {key}"
    )
