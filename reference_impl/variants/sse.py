"""Deviants and conforming variants of the SSE status machine: Start, Stop, the status, the key
shown, failures (SSE)."""

from __future__ import annotations

from typing import Any

import reference_impl.firehose.api
from reference_impl.errors import AwsError
from reference_impl.firehose import describe
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.sse_controller import SseController
from reference_impl.firehose.sse_state import EncryptionState, Timeline
from reference_impl.firehose.states import EncryptionStatus, StreamStatus
from reference_impl.firehose.streams import CreateRequest
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant
from reference_impl.variants.shared import without_encryption_input


@deviant("enabled-at-once", "SSE-01", "SSE-02", evidence="is ENABLED, expected ENABLING")
def enabled_at_once(p: Patcher) -> None:
    """Start finishes the enable before it returns: the status jumps to ENABLED synchronously."""

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        original(self, stream, params)
        self._finish_enable(stream, stream.encryption.attempt)


@deviant("enabling-never-ends", "SSE-02", evidence="encryption status ENABLED")
def enabling_never_ends(p: Patcher) -> None:
    """The asynchronous end of Start never runs: the status stays ENABLING for ever."""
    p.replace(SseController, "_finish_enable", lambda self, stream, attempt: None)


@deviant("enabling-failed-never-happens", "SSE-03", evidence="became DISABLED")
def enabling_failed_never_happens(p: Patcher) -> None:
    """A failed first enable falls back to DISABLED, without ENABLING_FAILED or a description."""

    @p.around(SseController, "_finish_enable")
    def finish(original: Any, self: SseController, stream: Any, attempt: int) -> None:
        original(self, stream, attempt)
        encryption = stream.encryption
        if encryption.status is EncryptionStatus.ENABLING_FAILED and encryption.current is None:
            encryption.status = EncryptionStatus.DISABLED
            encryption.failure = encryption.attempted = None


@deviant("status-updating-while-enabling", "SSE-04", evidence="undocumented status 'UPDATING'")
def status_updating_while_enabling(p: Patcher) -> None:
    """Describe says UPDATING (Kinesis's word) where Firehose says ENABLING."""

    @p.around(describe, "encryption_view")
    def view(original: Any, encryption: Any) -> dict[str, Any]:
        shown = original(encryption)
        if shown.get("Status") == "ENABLING":
            shown["Status"] = "UPDATING"
        return shown


@deviant("encrypted-while-enabling", "SSE-05", evidence="Encrypted flags were [True")
def encrypted_while_enabling(p: Patcher) -> None:
    """The new key takes effect at Start, so records put while ENABLING are already encrypted."""

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        original(self, stream, params)
        pending = stream.encryption.pending
        if pending.is_cmk and self.grants.acquire(stream.grants, pending, stream.name):
            return  # the key cannot be used: leave it to the asynchronous step
        stream.encryption.timeline.switch(self.clock.now(), pending)


def _refuse_puts_while(p: Patcher, status: EncryptionStatus, doing: str) -> None:
    """Puts are refused with ResourceInUseException while the encryption status is ``status``."""

    @p.around(FirehoseModel, "put_records")
    def put(original: Any, self: FirehoseModel, name: str, records: list[bytes]) -> Any:
        stream = self.get(name)
        if stream.encryption and stream.encryption.status is status:
            raise AwsError("ResourceInUseException", f"Firehose {name} is being {doing}.")
        return original(self, name, records)


def _refuse_start_when(p: Patcher, status: EncryptionStatus, why: str) -> None:
    """Start is refused with ResourceInUseException when the encryption status is ``status``."""

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        if stream.encryption and stream.encryption.status is status:
            raise AwsError("ResourceInUseException", f"Firehose {stream.name} {why}.")
        original(self, stream, params)


@deviant("puts-refused-while-enabling", "SSE-05", evidence="ResourceInUseException")
def puts_refused_while_enabling(p: Patcher) -> None:
    """Puts are refused with ResourceInUseException while the encryption status is ENABLING."""
    _refuse_puts_while(p, EncryptionStatus.ENABLING, "encrypted")


@deviant("encryption-takes-ten-seconds", "SSE-06", evidence="expected all true")
def encryption_takes_ten_seconds(p: Patcher) -> None:
    """A new key takes 10 s after ENABLED to apply to puts, beyond the documented 5 s."""
    p.settings(encryption_lag_seconds=10.0)


@deviant("disabled-at-once", "SSE-07", evidence="is DISABLED, expected DISABLING")
def disabled_at_once(p: Patcher) -> None:
    """Stop finishes the disable before it returns: the status jumps to DISABLED synchronously."""

    @p.around(SseController, "stop")
    def stop(original: Any, self: SseController, stream: Any) -> None:
        original(self, stream)
        self._finish_disable(stream, stream.encryption.attempt)


@deviant("puts-refused-while-disabling", "SSE-08", evidence="ResourceInUseException")
def puts_refused_while_disabling(p: Patcher) -> None:
    """Puts are refused with ResourceInUseException while the encryption status is DISABLING."""
    _refuse_puts_while(p, EncryptionStatus.DISABLING, "decrypted")


@deviant("encryption-never-stops", "SSE-09", evidence="Encrypted flags were [True")
def encryption_never_stops(p: Patcher) -> None:
    """Stop shows DISABLED, but the old key stays in effect: puts stay encrypted."""

    @p.around(SseController, "_finish_disable")
    def finish(original: Any, self: SseController, stream: Any, attempt: int) -> None:
        old = stream.encryption.current if stream.encryption else None
        original(self, stream, attempt)
        if old is not None and stream.encryption.status is EncryptionStatus.DISABLED:
            later = self.clock.now() + self.settings.encryption_lag_seconds
            stream.encryption.timeline.switch(later, old)


@deviant("key-change-refused", "SSE-10", evidence="ResourceInUseException")
def key_change_refused(p: Patcher) -> None:
    """Start on a stream that is already ENABLED is refused: the key cannot be changed."""
    _refuse_start_when(p, EncryptionStatus.ENABLED, "is encrypted")


@deviant("failed-key-change-turns-encryption-off", "SSE-11", evidence="expected all true")
def failed_key_change_turns_encryption_off(p: Patcher) -> None:
    """A failed key change leaves the stream without encryption instead of on the old key."""

    @p.around(SseController, "_finish_enable")
    def finish(original: Any, self: SseController, stream: Any, attempt: int) -> None:
        original(self, stream, attempt)
        encryption = stream.encryption
        if encryption.status is EncryptionStatus.ENABLING_FAILED and encryption.current:
            encryption.attempted, encryption.current = encryption.current, None
            encryption.timeline.switch(self.clock.now(), None)


@deviant("enabling-failed-is-a-dead-end", "SSE-12", evidence="ResourceInUseException")
def enabling_failed_is_a_dead_end(p: Patcher) -> None:
    """Start on a stream whose encryption is ENABLING_FAILED is refused; it can never recover."""
    _refuse_start_when(p, EncryptionStatus.ENABLING_FAILED, "failed to encrypt")


@deviant("failure-description-sticks", "SSE-13", evidence="stale failure description")
def failure_description_sticks(p: Patcher) -> None:
    """The last failure description stays on the configuration after later attempts succeed."""

    @p.around(SseController, "_finish_enable")
    def finish(original: Any, self: SseController, stream: Any, attempt: int) -> None:
        original(self, stream, attempt)
        if stream.encryption.failure is not None:
            stream.encryption.sticky_failure = stream.encryption.failure

    @p.around(describe, "encryption_view")
    def view(original: Any, encryption: Any) -> dict[str, Any]:
        shown = original(encryption)
        sticky = getattr(encryption, "sticky_failure", None)
        if sticky is not None:
            shown.setdefault("FailureDescription", describe.failure_view(sticky))
        return shown


@deviant(
    "create-ignores-encryption-input",
    "SSE-14",
    "SRC-09",
    evidence="is DISABLED, expected ENABLED",
)
def create_ignores_encryption_input(p: Patcher) -> None:
    """CreateDeliveryStream accepts the encryption input and then ignores it (SSE stays off)."""

    @p.around(FirehoseModel, "create")
    def create(original: Any, self: FirehoseModel, request: CreateRequest) -> str:
        return original(self, without_encryption_input(request))


@deviant("sse-only-at-creation", "SSE-15", evidence="is DISABLED, not ENABLING, ENABLED")
def sse_only_at_creation(p: Patcher) -> None:
    """SSE can be set only when a stream is created: Start on a stream that never had it fails."""

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        encryption = stream.encryption
        if encryption is not None and encryption.current is None and encryption.attempt == 0:
            raise AwsError(
                "InvalidArgumentException", f"Firehose {stream.name} was created without SSE."
            )
        original(self, stream, params)


@deviant(
    "key-arn-for-aws-owned-key", "SSE-16", "KEY-05", evidence="an AWS owned key shows a KeyARN"
)
def key_arn_for_aws_owned_key(p: Patcher) -> None:
    """EncCfg shows a KeyARN (Firehose's own key) for KeyType AWS_OWNED_CMK."""

    @p.around(describe, "encryption_view")
    def view(original: Any, encryption: Any) -> dict[str, Any]:
        shown = original(encryption)
        if shown.get("KeyType") == "AWS_OWNED_CMK":
            shown["KeyARN"] = "arn:aws:kms:us-east-1:111111111111:key/firehose-owned"
        return shown


@deviant("start-without-input-is-a-no-op", "SSE-17", evidence="encryption status ENABLED")
def start_without_input_is_a_no_op(p: Patcher) -> None:
    """Start without an encryption input answers 200 and does nothing (no default key type)."""

    @p.around(FirehoseModel, "start_encryption")
    def start(original: Any, self: FirehoseModel, name: str, params: Any) -> None:
        if params is None:
            self.get(name)
            return
        original(self, name, params)


@deviant("no-failure-description", "SSE-18", evidence="without any FailureDescription")
def no_failure_description(p: Patcher) -> None:
    """ENABLING_FAILED and CREATING_FAILED come without a FailureDescription."""

    @p.around(reference_impl.firehose.api, "describe")
    def described(original: Any, stream: Any, *args: Any) -> dict[str, Any]:
        shown = original(stream, *args)
        shown.pop("FailureDescription", None)
        shown.get("DeliveryStreamEncryptionConfiguration", {}).pop("FailureDescription", None)
        return shown


@deviant("failure-type-unknown-error", "SSE-19", evidence="failure type 'UNKNOWN_ERROR'")
def failure_type_unknown_error(p: Patcher) -> None:
    """Every failure description has Type UNKNOWN_ERROR instead of its KMS-related type."""

    @p.around(describe, "failure_view")
    def view(original: Any, failure: Any) -> dict[str, str]:
        return {**original(failure), "Type": "UNKNOWN_ERROR"}


@deviant(
    "create-with-sse-encrypts-nothing",
    "SRC-09",
    evidence="expected all true",
)
def create_with_sse_encrypts_nothing(p: Patcher) -> None:
    """A stream created with SSE shows ENABLED, but its records are never encrypted."""

    @p.around(SseController, "finish_create")
    def finish(original: Any, self: SseController, stream: Any) -> Any:
        failure = original(self, stream)
        if failure is None and stream.encryption is not None:
            stream.encryption.timeline = Timeline()
        return failure


@deviant(
    "stop-without-sse-drops-the-configuration",
    "SSE-04",
    evidence="encryption status DISABLED",
)
def stop_without_sse_drops_the_configuration(p: Patcher) -> None:
    """Stop on a stream that never had SSE wipes its encryption configuration (no Status left)."""

    @p.around(SseController, "stop")
    def stop(original: Any, self: SseController, stream: Any) -> None:
        encryption = stream.encryption
        never = encryption is not None and encryption.current is None
        original(self, stream)
        if never:
            encryption.dropped = True

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        original(self, stream, params)
        stream.encryption.dropped = False

    @p.around(describe, "encryption_view")
    def view(original: Any, encryption: Any) -> dict[str, Any]:
        return {} if getattr(encryption, "dropped", False) else original(encryption)


# ---- conforming variants: the status machine's other documented paths ----------------------------
@conforming(
    "stale-read-after-start-stop",
    "SSE-01",
    "SSE-02",
    "SSE-04",
    "SSE-05",
    "SSE-07",
    "SSE-08",
    "SSE-10",
    "SSE-15",
    "SSE-17",
    "API-01",
    allowed_by="BC-FH Start and Stop: 'This operation is asynchronous. It returns immediately.' "
    "Nothing promises that a Describe right after the call already shows ENABLING (DISABLING); "
    "SSE-01's observable: 'A Describe right after may still show a non-final status'",
)
def stale_read_after_start_stop(p: Patcher) -> None:
    """The first Describe after an accepted Start or Stop still shows the encryption
    configuration as it was before the call; later reads show the change."""
    plain_view = describe.encryption_view

    def remember(stream: Any) -> dict[str, Any] | None:
        return plain_view(stream.encryption) if stream.encryption is not None else None

    def stale(stream: Any, before: dict[str, Any] | None) -> None:
        if before is not None and stream.encryption is not None:
            stream.encryption.__dict__["stale_view"] = before

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        before = remember(stream)
        original(self, stream, params)
        stale(stream, before)

    @p.around(SseController, "stop")
    def stop(original: Any, self: SseController, stream: Any) -> None:
        before = remember(stream)
        original(self, stream)
        stale(stream, before)

    @p.around(describe, "encryption_view")
    def view(original: Any, encryption: Any) -> dict[str, Any]:
        before = encryption.__dict__.pop("stale_view", None)
        return dict(before) if before is not None else original(encryption)


@conforming(
    "stop-without-sse-refused",
    "SSE-04",
    "SSE-07",
    "SSE-13",
    "API-01",
    "GRT-03",
    allowed_by="AMB-06: Stop on a stream that is DISABLED, never encrypted, or ENABLING_FAILED "
    "from its first attempt may answer 'InvalidArgumentException; ResourceInUseException' "
    "instead of a 200 no-op",
)
def stop_without_sse_refused(p: Patcher) -> None:
    """Stop on a stream with no encryption in effect (DISABLED, never encrypted, or a first
    attempt that failed) is refused with InvalidArgumentException; the call does not count."""

    @p.around(SseController, "stop")
    def stop(original: Any, self: SseController, stream: Any) -> None:
        encryption = self._common_checks(stream)
        if encryption.current is None:
            raise AwsError(
                "InvalidArgumentException",
                f"Firehose {stream.name} has no server-side encryption to stop.",
            )
        original(self, stream)


@conforming(
    "start-accepted-while-in-transition",
    "SSE-02",
    "SSE-10",
    "SSE-05",
    "API-01",
    allowed_by="AMB-05: Start while ENABLING (or DISABLING) may be 'accepted last-writer-wins, "
    "possibly cancelling the pending transition'; the stance accepts 'a 200 after which the "
    "stream settles in the state implied by the last accepted call' and counts it toward API-01",
)
def start_accepted_while_in_transition(p: Patcher) -> None:
    """Start while ENABLING or DISABLING is accepted (and counted): it supersedes the pending
    transition, and the stream settles on the key of the last Start. Stop while in transition
    is still ResourceInUseException."""

    @p.around(SseController, "start")
    def start(original: Any, self: SseController, stream: Any, params: Any) -> None:
        encryption = stream.encryption
        if encryption is None or not encryption.in_transition:
            return original(self, stream, params)
        status = encryption.status
        # Past the reference's "no transition under way" check; every other check still runs.
        encryption.status = EncryptionStatus.ENABLED
        try:
            original(self, stream, params)  # a new attempt: the pending finish becomes moot
        except BaseException:
            encryption.status = status
            raise
        return None


@conforming(
    "failed-change-shows-the-attempted-key",
    "SSE-11",
    "SSE-12",
    "SSE-13",
    "SSE-16",
    "GRT-02",
    allowed_by="AMB-08: after a failed key change (SSE-11) it is open 'whether KeyType/KeyARN "
    "show the old key (effective) or the attempted key'; the stance accepts either, 'but if the "
    "attempted key is shown, the old grant must not be retired'",
)
def failed_change_shows_the_attempted_key(p: Patcher) -> None:
    """After a failed key change, EncCfg (ENABLING_FAILED) shows the key that was attempted;
    the old key stays in effect and keeps its grant."""

    @p.around(SseController, "_finish_enable")
    def finish(original: Any, self: SseController, stream: Any, attempt: int) -> None:
        encryption = stream.encryption
        attempted = encryption.pending if encryption is not None else None
        original(self, stream, attempt)
        if encryption is None or encryption.attempt != attempt:
            return
        failed_change = encryption.status is EncryptionStatus.ENABLING_FAILED and encryption.current
        encryption.__dict__["shown_attempt"] = attempted if failed_change else None

    @p.around(EncryptionState, "shown")
    def shown(original: Any, self: EncryptionState) -> Any:
        attempted = self.__dict__.get("shown_attempt")
        if self.status is EncryptionStatus.ENABLING_FAILED and attempted is not None:
            return attempted
        return original(self)


@conforming(
    "failure-description-on-the-stream",
    "SSE-03",
    "SSE-12",
    "SSE-13",
    "SSE-18",
    "SSE-19",
    "KEY-01",
    "API-09",
    allowed_by="AMB-11: DeliveryStreamDescription.FailureDescription and "
    "DeliveryStreamEncryptionConfiguration.FailureDescription have identical docs; the stance "
    "is 'accept either location; require at least one when the status is *_FAILED because of "
    "KMS'",
)
def failure_description_on_the_stream(p: Patcher) -> None:
    """The FailureDescription of ENABLING_FAILED is shown on DeliveryStreamDescription, not
    inside the encryption configuration."""

    @p.around(reference_impl.firehose.api, "describe")
    def described(original: Any, stream: Any, *args: Any) -> dict[str, Any]:
        shown = original(stream, *args)
        failure = shown.get("DeliveryStreamEncryptionConfiguration", {}).pop(
            "FailureDescription", None
        )
        if failure is not None:
            shown.setdefault("FailureDescription", failure)
        return shown


@conforming(
    "encryption-configuration-absent-while-creating",
    "SSE-14",
    "SRC-09",
    "GRT-01",
    "PUT-04",
    "API-10",
    allowed_by="AMB-10: the encryption status while DeliveryStreamStatus is CREATING, for a "
    "Create that includes SSE input, may be 'ENABLING, ENABLED, or absent'",
)
def encryption_configuration_absent_while_creating(p: Patcher) -> None:
    """A stream created with an encryption input shows no encryption configuration until it is
    ACTIVE (or CREATING_FAILED)."""

    @p.around(reference_impl.firehose.api, "describe")
    def described(original: Any, stream: Any, *args: Any) -> dict[str, Any]:
        shown = original(stream, *args)
        encryption = stream.encryption
        if (
            stream.status is StreamStatus.CREATING
            and encryption is not None
            and encryption.pending is not None
        ):
            shown.pop("DeliveryStreamEncryptionConfiguration", None)
        return shown


@conforming(
    "encryption-takes-the-full-five-seconds",
    "SSE-05",
    "SSE-06",
    "SSE-09",
    "SSE-10",
    "SSE-11",
    "SRC-09",
    "PUT-01",
    "GRT-02",
    "GRT-03",
    "KEY-05",
    allowed_by="SSE-06 / SSE-09, BC-FH Start and Stop: 'It can take up to 5 seconds after the "
    "encryption status changes to ENABLED [DISABLED] before all records written to the Firehose "
    "stream are encrypted [no longer subject to encryption]'; AMB-23: 'Within 5 s after a "
    "transition, either value'",
)
def encryption_takes_the_full_five_seconds(p: Patcher) -> None:
    """A new setting applies to puts exactly 5 s after ENABLED or DISABLED (the documented
    bound), where the reference takes 3 s."""
    p.settings(encryption_lag_seconds=5.0)
