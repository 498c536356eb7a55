"""What Describe shows of a delivery stream's SSE: its status, key and failure description."""

from __future__ import annotations

from typing import Any

from pytest_bdd import then

from firehose_conformance import actions
from firehose_conformance.spec_facts import ENCRYPTION_STATUSES
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World
from steps.checks import assert_kms_failure_described
from steps.phrases import KeyPhrase, KeyWhileGranted, OneOf, Settlement, step_text


def _status(t: Target, world: World, stream: str) -> str:
    status = actions.encryption_status(t, world.stream(stream).name)
    # SSE-04: whatever the moment, a status shown is one of the six documented values.
    assert status.startswith("(") or status in ENCRYPTION_STATUSES, (
        f"undocumented status {status!r}"
    )
    return status


def _config(t: Target, world: World, stream: str) -> dict[str, Any]:
    return actions.encryption_config(t, world.stream(stream).name) or {}


# ---- The status ----------------------------------------------------------------------------------
@then(step_text('the encryption status of "{stream}" is "{status}"'))
def encryption_status_is(t: Target, world: World, stream: str, status: str) -> None:
    seen = _status(t, world, stream)
    assert seen == status, f"the encryption status of {stream} is {seen}, expected {status}"


@then(step_text('the encryption status of "{stream}" is one of "{statuses:OneOf}"'))
def encryption_status_is_one_of(t: Target, world: World, stream: str, statuses: OneOf) -> None:
    seen = _status(t, world, stream)
    assert seen in statuses, f"the encryption status of {stream} is {seen}, not {statuses}"


@then(step_text('the encryption status of "{stream}" stays "{status}"'))
def encryption_status_stays(t: Target, world: World, stream: str, status: str) -> None:
    t.holds_for(
        lambda: _status(t, world, stream),
        lambda seen: seen == status,
        duration=t.profile.poll_max,
        what=f"the encryption status of {stream} did not stay {status}",
    )


@then(step_text('the encryption status of "{stream}" becomes "{status}"'))
def encryption_status_becomes(t: Target, world: World, stream: str, status: str) -> None:
    actions.await_transition(
        t,
        lambda: _status(t, world, stream),
        lambda seen: seen == status,
        f"encryption status {status} of {stream}",
    )


@then(step_text('the encryption of "{stream}" is never "ENABLED" within the transition time'))
def encryption_never_enabled(t: Target, world: World, stream: str) -> None:
    t.holds_for(
        lambda: _status(t, world, stream),
        lambda seen: seen != "ENABLED",
        duration=t.profile.transition_timeout,
        what=f"encryption of {stream} became ENABLED",
    )


# ---- The key -------------------------------------------------------------------------------------
@then(step_text('the encryption of "{stream}" uses {key:Key}'))
def encryption_uses(t: Target, world: World, stream: str, key: KeyPhrase) -> None:
    config = _config(t, world, stream)
    expected = key.of(world)
    if expected is None:  # SSE-16: "doesn't contain a value for KeyARN"
        assert config.get("KeyType") == "AWS_OWNED_CMK", f"encryption configuration: {config}"
        assert "KeyARN" not in config, f"an AWS owned key shows a KeyARN: {config}"
    else:
        assert config.get("KeyType") == "CUSTOMER_MANAGED_CMK", (
            f"encryption configuration: {config}"
        )
        assert config.get("KeyARN") == expected.arn, (
            f"KeyARN is {config.get('KeyARN')}, expected {expected.arn}"
        )


@then(step_text('the encryption of "{stream}" is never "ENABLED" with key "{key}"'))
def encryption_never_enabled_with(t: Target, world: World, stream: str, key: str) -> None:
    arn = world.key(key).arn
    t.holds_for(
        lambda: _config(t, world, stream),
        lambda config: not (config.get("Status") == "ENABLED" and config.get("KeyARN") == arn),
        duration=t.profile.transition_timeout,
        what=f"encryption of {stream} became ENABLED with key {key}",
    )


@then(step_text('the encryption of "{stream}" shows key "{key}", or {other:KeyWhileGranted}'))
def encryption_shows_key_or_other(
    t: Target, world: World, stream: str, key: str, other: KeyWhileGranted
) -> None:
    """AMB-08: which key shows after a failed change is open; the new one only while the old
    one stays usable by Firehose."""
    shown = _config(t, world, stream).get("KeyARN")
    assert shown in (world.key(key).arn, world.key(other.key).arn), f"KeyARN is {shown}"
    if shown == world.key(other.key).arn:
        assert actions.grants(t, world.key(other.granted)), f"key {other.granted} lost its grant"


# ---- Failures ------------------------------------------------------------------------------------
@then(step_text('the encryption of "{stream}" has no failure description'))
def no_failure_description(t: Target, world: World, stream: str) -> None:
    description = actions.describe(t, world.stream(stream).name)
    config = description.get("DeliveryStreamEncryptionConfiguration") or {}
    assert "FailureDescription" not in config, f"stale failure description: {config}"
    assert "FailureDescription" not in description, f"stale failure description: {description}"


@then(
    step_text(
        'if the encryption status of "{stream}" is ENABLING_FAILED, a KMS-related failure '
        "description explains it"
    )
)
def enabling_failed_is_explained(t: Target, world: World, stream: str) -> None:
    description = actions.describe(t, world.stream(stream).name)
    config = description.get("DeliveryStreamEncryptionConfiguration") or {}
    if config.get("Status") == "ENABLING_FAILED":
        assert_kms_failure_described(description, "ENABLING_FAILED")


@then(
    step_text(
        'the encryption status of "{stream}" becomes "ENABLED" or becomes "ENABLING_FAILED" '
        'with failure type "{failure_type}"'
    )
)
def enabled_or_failed_with_type(t: Target, world: World, stream: str, failure_type: str) -> None:
    final = actions.await_transition(
        t,
        lambda: _status(t, world, stream),
        lambda seen: seen in ("ENABLED", "ENABLING_FAILED"),
        f"the end of enabling {stream}",
    )
    if final == "ENABLING_FAILED":
        seen = (_config(t, world, stream).get("FailureDescription") or {}).get("Type")
        assert seen == failure_type, f"ENABLING_FAILED with failure type {seen}"


@then(
    step_text(
        'the call fails with "{expected:OneOf}" and {if_refused:Settles}, or the call succeeds and '
        "{if_accepted:Settles}"
    )
)
def refused_or_last_key_wins(
    t: Target, world: World, expected: OneOf, if_refused: Settlement, if_accepted: Settlement
) -> None:
    """AMB-05: refused as in use (the earlier call stands), or accepted (the last call wins)."""
    last = world.calls.last
    if not last.ok:
        assert last.error_code in expected, f"{last.describe()}; expected {expected} or success"
    settlement = if_accepted if last.ok else if_refused
    config = actions.await_transition(
        t,
        lambda: _config(t, world, settlement.stream),
        lambda config: config.get("Status") not in ("ENABLING", None),
        f"the encryption of {settlement.stream} settling",
    )
    expected_arn = world.key(settlement.key).arn
    assert (config.get("Status"), config.get("KeyARN")) == ("ENABLED", expected_arn), (
        f"after {last.describe()}, the encryption of {settlement.stream} settled as {config}"
    )
