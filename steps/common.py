"""Steps every subject shares: time passing, and what the last call (or calls) answered."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from pytest_bdd import given, then, when

from firehose_conformance import actions
from firehose_conformance.spec_facts import FAILED_END_REQUIREMENTS, SUCCEEDED_END
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .phrases import FailedEnd, OneOf, step_text


@given(step_text("{seconds:Duration} pass"))
@given(step_text("{seconds:Duration} passes"))
@when(step_text("{seconds:Duration} pass"))
@when(step_text("{seconds:Duration} passes"))
def time_passes(t: Target, seconds: int) -> None:
    t.sleep(seconds)


@then("the call succeeds")
def call_succeeds(world: World) -> None:
    assert world.calls.last.ok, world.calls.last.describe()


@then("the call succeeds with an empty response")
def call_succeeds_empty(world: World) -> None:
    last = world.calls.last
    assert last.ok, last.describe()
    assert last.body() == {}, f"{last.operation} answered {last.body()}, not {{}}"
    raw = last.raw_body
    if raw is not None:  # botocore keeps only modelled members: look at what was sent
        assert json.loads(raw or b"{}") == {}, f"{last.operation} answered {raw!r}, not {{}}"


@then(step_text('the call fails with "{expected:OneOf}"'))
@then(step_text('the call fails with one of "{expected:OneOf}"'))
def call_fails_with(world: World, expected: OneOf) -> None:
    last = world.calls.last
    waited = f" ({world.calls.note})" if world.calls.note else ""
    assert not last.ok, f"{last.operation} succeeded; expected {expected.spoken()}{waited}"
    assert last.error_code in expected, f"{last.describe()}; expected {expected.spoken()}"
    assert 400 <= last.http_status < 500, f"{last.describe()}: not a client error status"


@then("the call fails")
def call_fails(world: World) -> None:
    last = world.calls.last
    assert not last.ok, f"{last.operation} succeeded; expected an error"
    assert re.match(r"^[A-Za-z.]+$", last.error_code or ""), last.describe()


@then(step_text('the call succeeds, or fails with one of "{expected:OneOf}"'))
def call_succeeds_or_fails_with(world: World, expected: OneOf) -> None:
    if not world.calls.last.ok:
        call_fails_with(world, expected)


# How each kind of work is waited for, and what a reason calls it once accepted.
_SETTLED: dict[str, tuple[Callable[[Target, str], str | None], str]] = {
    "ENABLING_FAILED": (actions.settled_encryption_status, "Start was accepted and the status"),
    "CREATING_FAILED": (actions.settled_stream_status, "Create was accepted and the stream"),
}


@then(step_text('the call fails with "{expected:OneOf}" or {end:FailedEnd}'))
@then(step_text('the call fails with one of "{expected:OneOf}" or {end:FailedEnd}'))
def refused_or_fails_later(t: Target, world: World, expected: OneOf, end: FailedEnd) -> None:
    """AMB-01 / AMB-02: refused at once with one of ``expected``, or accepted and the work it
    started ends failed.

    Either path satisfies this step, but only the second shows the failed end: on the first the
    requirements about the failed end (spec_facts.FAILED_END_REQUIREMENTS) are not exercised. A
    Start that ended ENABLED fails a scenario about the key (KEY-01, KEY-07, SRC-08: the key is
    in use), and leaves a scenario about the failed end not exercised; a Create that ended
    ACTIVE is left to the step that checks whether SSE is on with the key.
    """
    last = world.calls.last
    about_the_end = FAILED_END_REQUIREMENTS[end.status]
    if not last.ok:
        assert last.error_code in expected, f"{last.describe()}; expected {expected}"
        world.not_exercised(
            about_the_end,
            f"{last.operation} was refused at once with {last.error_code} (a documented "
            f"path: AMB-01, AMB-02), so {end.status} never arose",
        )
        return
    settled, accepted = _SETTLED[end.status]
    final = settled(t, world.stream(end.stream).name)
    succeeded = final == SUCCEEDED_END[end.status]
    if succeeded and (about_the_end & world.observations.tags or end.status == "CREATING_FAILED"):
        # What this scenario checks about the failed end did not arise. Whether the attempt may
        # succeed is another check's: an ACTIVE stream breaks KEY-01 only if SSE is on with the
        # key (the next step), not for being ACTIVE (without SSE it is SSE-14's departure).
        world.not_exercised(about_the_end, f"{accepted} became {final}: the attempt did not fail")
        return
    assert final == end.status, (
        f"{last.describe()}; expected {expected.spoken()} or {end.status}, but {accepted} "
        f"became {final}"
    )


@then("every one of those calls succeeded")
def every_call_succeeded(world: World) -> None:
    failed = [o.describe() for o in world.calls.outcomes if not o.ok]
    assert not failed, f"{len(failed)} calls failed: {failed[0]}"
