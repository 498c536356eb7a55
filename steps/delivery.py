"""What reaches a delivery stream's destination, and what is held at rest on the way."""

from __future__ import annotations

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.errors import SuiteDefect
from firehose_conformance.resources import Kind, declares
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .phrases import SentRecords, step_text


def _missing(t: Target, world: World, stream: str, records: list[bytes]) -> list[bytes]:
    delivered = actions.destination_bytes(t, world.stream(stream).bucket)
    return [r for r in records if r not in delivered]


# ---- The destination -----------------------------------------------------------------------------
@then(step_text('the destination of "{stream}" eventually holds every record {records:Sent}'))
def destination_holds_every_record(
    t: Target, world: World, stream: str, records: SentRecords
) -> None:
    sent = records.of(world)
    if not sent:
        raise SuiteDefect("no records to look for")
    refused = set(world.refused(sent))
    wanted = [r for r in sent if r not in refused]  # a refused record was never the stream's
    assert wanted, f"every one of the {records} was refused when put"
    t.poll(
        lambda: len(_missing(t, world, stream, wanted)),
        lambda missing: missing == 0,
        timeout=t.profile.delivery_timeout,
        what=f"all {len(wanted)} {records} at the destination of {stream} (records missing)",
    )


@then(step_text('the destination of "{stream}" holds none of the records {records:Sent}'))
def destination_holds_none(t: Target, world: World, stream: str, records: SentRecords) -> None:
    """None arrived, of records the stream accepted: records it refused could not arrive, so
    their absence would prove nothing (a target refusing every put must not pass this)."""
    unwanted = records.of(world)
    refused = world.refused(unwanted)
    assert not refused, (
        f"{len(refused)} of the {len(unwanted)} {records} were refused when put, so that they "
        "were not delivered proves nothing"
    )
    if not unwanted:
        raise SuiteDefect(f"no {records} to look for")
    arrived = len(unwanted) - len(_missing(t, world, stream, unwanted))
    assert arrived == 0, f"{arrived} of {len(unwanted)} {records} were delivered"


@then(step_text('the destination of "{stream}" stays empty for {minutes:d} minutes'))
def destination_stays_empty(t: Target, world: World, stream: str, minutes: int) -> None:
    t.holds_for(
        lambda: len(actions.destination_bytes(t, world.stream(stream).bucket)),
        lambda size: size == 0,
        duration=minutes * 60,
        what=f"the destination of {stream} received data (bytes)",
    )


@given(step_text('the destination bucket of "{stream}" is deleted'))
@when(step_text('the destination bucket of "{stream}" is deleted'))
def destination_bucket_deleted(t: Target, world: World, stream: str) -> None:
    actions.delete_bucket(t, world.stream(stream).bucket)


@when(step_text('the destination bucket of "{stream}" is created again'))
@declares(creates={Kind.S3_BUCKET: 1})
def destination_bucket_created_again(t: Target, world: World, stream: str) -> None:
    actions.create_bucket(t, world.stream(stream).bucket)


@when(step_text('the buffering interval of "{stream}" passes'))
def buffering_interval_passes(t: Target, world: World, stream: str) -> None:
    interval = world.resources.buffer_seconds.get(stream, actions.DEFAULT_BUFFER_SECONDS)
    t.sleep(interval + 1)


# ---- At rest -------------------------------------------------------------------------------------
def _plaintext_windows(records: list[bytes], width: int = 16) -> set[bytes]:
    return {r[i : i + width] for r in records for i in range(0, max(1, len(r) - width + 1))}


@then(step_text("no plaintext of the records {records:Sent} is held at rest"))
def no_plaintext_at_rest(t: Target, world: World, records: SentRecords) -> None:
    sent = records.of(world)
    if not sent:
        raise SuiteDefect("no records were put")
    held = [blob for blobs in t.at_rest().values() for blob in blobs]
    assert held, "nothing is held at rest at all, so the check would prove nothing"
    windows = _plaintext_windows(sent)
    leaks = sum(1 for blob in held for w in windows if w in blob)
    assert leaks == 0, f"{leaks} 16-byte runs of record plaintext found at rest"


@then(step_text('Firehose holds nothing at rest for delivery stream "{stream}"'))
def nothing_at_rest(t: Target, world: World, stream: str) -> None:
    held = t.at_rest().get(world.stream(stream).arn, [])
    assert not held, f"Firehose holds {len(held)} blob(s) at rest for {stream}"
