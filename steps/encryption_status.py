"""What Describe shows of a delivery stream's SSE: its status, key and failure description."""

from __future__ import annotations

from typing import Any

from pytest_bdd import then

from firehose_conformance import actions
from firehose_conformance.errors import Violation
from firehose_conformance.resources import KeyUse, declares
from firehose_conformance.spec_facts import ENCRYPTION_STATUSES
from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

from .checks import assert_kms_failure_described
from .phrases import KeyPhrase, KeyWhileGranted, OneOf, Settlement, step_text


def _status(t: Target, world: World, stream: str) -> str:
    status = actions.encryption_status(t, world.stream(stream).name)
    # SSE-04: whatever the moment, a status shown is one of the six documented values.
    if not (status.startswith("(") or status in ENCRYPTION_STATUSES):
        raise Violation(["SSE-04"], f"undocumented status {status!r}")
    if not status.startswith("("):
        world.observe("SSE-04")
    return status


def _config(t: Target, world: World, stream: str) -> dict[str, Any]:
    return actions.encryption_config(t, world.stream(stream).name) or {}


def _last_call_refused(world: World) -> bool:
    """Whether the last call (a Start or a Create) was refused at once: then it started nothing
    that could still change the status, and one read tells."""
    return bool(world.calls.outcomes) and not world.calls.last.ok


# ---- The status ----------------------------------------------------------------------------------
@then(step_text('the encryption status of "{stream}" is "{status}"'))
def encryption_status_is(t: Target, world: World, stream: str, status: str) -> None:
    """The status read settles first: right after Start or Stop a read may still show the
    status before it (eventual consistency), so a differing read is read again until two
    reads agree."""
    t.settle(
        lambda: _status(t, world, stream),
        lambda seen: seen == status,
        timeout=t.profile.transition_timeout,
        what=f"the encryption status of {stream}",
        fail=lambda seen: f"the encryption status of {stream} is {seen}, expected {status}",
    )


@then(step_text('the encryption status of "{stream}" is one of "{statuses:OneOf}"'))
def encryption_status_is_one_of(t: Target, world: World, stream: str, statuses: OneOf) -> None:
    t.settle(
        lambda: _status(t, world, stream),
        lambda seen: seen in statuses,
        timeout=t.profile.transition_timeout,
        what=f"the encryption status of {stream}",
        fail=lambda seen: f"the encryption status of {stream} is {seen}, not {statuses}",
    )


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
    """Polls within the transition bound; stops at once at a state the awaited one cannot
    follow (e.g. ENABLING_FAILED when ENABLED is awaited), seen on two reads in a row."""
    actions.await_transition(
        t,
        lambda: _status(t, world, stream),
        lambda seen: seen == status,
        f"encryption status {status} of {stream}",
        terminal=actions.encryption_end(status),
    )


def _final_config(t: Target, world: World, stream: str) -> dict[str, Any]:
    """The encryption configuration once the last attempt has ended: at once after a refusal
    (nothing was started), else once the status is no longer ENABLING (no fixed wait)."""
    if not _last_call_refused(world):
        actions.settled_encryption_status(t, world.stream(stream).name)
    return _config(t, world, stream)


@then(step_text('the encryption of "{stream}" is never "ENABLED"'))
def encryption_never_enabled(t: Target, world: World, stream: str) -> None:
    config = _final_config(t, world, stream)
    assert config.get("Status") != "ENABLED", f"encryption of {stream} became ENABLED: {config}"


@then(step_text('encryption is not turned on for "{stream}"'))
def encryption_not_turned_on(t: Target, world: World, stream: str) -> None:
    """A refused call changed nothing: the status is not ENABLING or ENABLED (or, where an
    implementation shows none for a stream without SSE, there is no configuration: AMB-09)."""
    config = _final_config(t, world, stream)
    assert config.get("Status") not in ("ENABLING", "ENABLED"), (
        f"encryption of {stream} is turned on: {config}"
    )


# ---- The key -------------------------------------------------------------------------------------
@then(step_text('the encryption of "{stream}" uses {key:Key}'))
@declares(keys={"key": KeyUse.USE})
def encryption_uses(t: Target, world: World, stream: str, key: KeyPhrase) -> None:
    """Encryption is ENABLED with that key (SSE-16: an AWS owned key "doesn't contain a value
    for KeyARN"). Polled: right after a key change the configuration may still show the old one."""
    expected = key.of(world)

    def uses(config: dict[str, Any]) -> bool:
        if config.get("Status") != "ENABLED":
            return False
        if expected is None:
            return config.get("KeyType") == "AWS_OWNED_CMK" and "KeyARN" not in config
        return (config.get("KeyType"), config.get("KeyARN")) == (
            "CUSTOMER_MANAGED_CMK",
            expected.arn,
        )

    try:
        actions.await_transition(
            t,
            lambda: _config(t, world, stream),
            uses,
            f"encryption of {stream} ENABLED with {_spoken(key)}",
            terminal=lambda config: config.get("Status") in ("ENABLING_FAILED", "DISABLED"),
        )
    except AssertionError as error:
        config = _config(t, world, stream)
        if expected is None and "KeyARN" in config:
            raise AssertionError(f"an AWS owned key shows a KeyARN: {config}") from None
        if expected is not None and config.get("KeyARN") not in (None, expected.arn):
            raise AssertionError(
                f"KeyARN is {config.get('KeyARN')}, expected {expected.arn}"
            ) from None
        raise AssertionError(f"encryption configuration: {config}; {error}") from None


def _spoken(key: KeyPhrase) -> str:
    return "an AWS owned key" if key.alias is None else f"key {key.alias}"


@then(step_text('the encryption of "{stream}" is never "ENABLED" with key "{key}"'))
@declares(keys={"key": KeyUse.USE})
def encryption_never_enabled_with(t: Target, world: World, stream: str, key: str) -> None:
    arn = world.key(key).arn
    config = _final_config(t, world, stream)
    assert not (config.get("Status") == "ENABLED" and config.get("KeyARN") == arn), (
        f"encryption of {stream} became ENABLED with key {key}: {config}"
    )


@then(step_text('the encryption of "{stream}" shows key "{key}", or {other:KeyWhileGranted}'))
@declares(keys={"key": KeyUse.USE, "other.key": KeyUse.USE, "other.granted": KeyUse.LEND})
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
    """Stance (SSE-13): once a later attempt succeeded, no failure description is left over."""
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
    actions.settled_encryption_status(t, world.stream(settlement.stream).name)
    config = _config(t, world, settlement.stream)
    expected_arn = world.key(settlement.key).arn
    assert (config.get("Status"), config.get("KeyARN")) == ("ENABLED", expected_arn), (
        f"after {last.describe()}, the encryption of {settlement.stream} settled as {config}"
    )
