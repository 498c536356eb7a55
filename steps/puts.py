"""Putting records to a delivery stream, and the Encrypted flag each put answers."""

from __future__ import annotations

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.actions import PutOperation
from firehose_conformance.errors import SuiteDefect
from firehose_conformance.resources import KeyUse, Kind, declares
from firehose_conformance.targets.base import Target
from firehose_conformance.world import Put, World

from .phrases import step_text


def _put(t: Target, world: World, stream: str, count: int, operation: PutOperation) -> list[bytes]:
    """Put ``count`` new records, one call each with PutRecord, all in one with PutRecordBatch."""
    name = world.stream(stream).name
    records = actions.make_records(count)
    calls = [[r] for r in records] if operation == PutOperation.PUT_RECORD else [records]
    for carried in calls:
        outcome = world.calls.record(actions.put(t, name, carried, operation))
        world.sent.puts.append(Put(stream, carried, outcome))
    return records


# ---- When ----------------------------------------------------------------------------------------
@when(step_text('I put {count:Records} to "{stream}" with {operation:PutOperation}'))
def put_records(t: Target, world: World, count: int, stream: str, operation: PutOperation) -> None:
    _put(t, world, stream, count, operation)


@when(
    step_text(
        'I put {count:Records} to "{stream}" with {operation:PutOperation} as batch "{batch}"'
    )
)
def put_records_as_batch(
    t: Target, world: World, count: int, stream: str, operation: PutOperation, batch: str
) -> None:
    world.sent.batches[batch] = _put(t, world, stream, count, operation)


@when(
    step_text(
        'I keep putting {count:Records} to "{stream}" with {operation:PutOperation} until a put '
        "is refused"
    )
)
def put_until_refused(
    t: Target, world: World, count: int, stream: str, operation: PutOperation
) -> None:
    """Put, again and again, until a put is refused or the KMS bound has passed.

    A key change reaches Firehose only eventually ("The KMS API follows an eventual consistency
    model", BC-KMS; grants "usually less than five minutes"), so the first puts after it may
    still be accepted. Those are records like any other the stream accepted (the scenario's
    "records put to" the stream): later checks account for them. The last put is "the call".
    """
    started = t.now()
    before = len(world.sent.puts)
    while True:
        _put(t, world, stream, count, operation)
        waited = t.now() - started
        if not world.calls.last.ok or waited >= t.profile.grant_timeout:
            break
        t.sleep(min(t.profile.poll_max, max(t.profile.poll_initial, waited)))
    made = world.sent.puts[before:]
    accepted = sum(p.outcome.ok for p in made)
    world.calls.note = (
        f"no put refused within the KMS bound of {t.profile.grant_timeout:g} s; "
        f"{accepted} put(s) accepted"
        if world.calls.last.ok
        else f"after {waited:g} s and {len(made)} put(s), {accepted} of them accepted"
    )
    if accepted and not world.calls.last.ok:
        world.note(f"a put was refused {world.calls.note}")


@given(step_text('a caller without KMS permissions on key "{key}"'))
@declares(keys={"key": KeyUse.USE}, per_run={Kind.IAM_ROLE})
def caller_without_kms_permissions(t: Target, world: World, key: str) -> None:
    world.resources.other_caller = t.restricted_caller(world.key(key))


@when(step_text('that caller puts 1 record to "{stream}" with PutRecord'))
def other_caller_puts(t: Target, world: World, stream: str) -> None:
    name = world.stream(stream).name
    caller = world.resources.other_caller
    world.calls.record(actions.put(t, name, [b"fsc"], PutOperation.PUT_RECORD, client=caller))


# ---- Then ----------------------------------------------------------------------------------------
@then(step_text('every put to "{stream}" succeeded'))
def every_put_succeeded(world: World, stream: str) -> None:
    puts = world.sent.puts_to(stream)
    if not puts:
        raise SuiteDefect("no puts were made")
    failed = [p.outcome.describe() for p in puts if not p.outcome.ok]
    assert not failed, f"{len(failed)} of {len(puts)} puts failed: {failed[0]}"


@then(step_text('every put to "{stream}" reports Encrypted true'))
def every_put_encrypted(world: World, stream: str) -> None:
    every_put_succeeded(world, stream)
    flags = [p.encrypted for p in world.sent.puts_to(stream)]
    assert all(f is True for f in flags), f"Encrypted flags were {flags}, expected all true"


@then(step_text('every put to "{stream}" reports Encrypted false'))
def every_put_unencrypted(world: World, stream: str) -> None:
    """AMB-23: when SSE is not in effect, the optional flag may be left out."""
    every_put_succeeded(world, stream)
    flags = [p.encrypted for p in world.sent.puts_to(stream)]
    assert all(f in (False, None) for f in flags), f"Encrypted flags were {flags}"
