"""The SSE state machine (requirements section 3.1): Start, Stop, and their asynchronous ends. Start
and Stop return at once (SSE-01, SSE-07); the status settles ``settings.enabling`` (or
``disabling``) seconds later on a clock timer. The checks run in this order, and a refused call
changes nothing and does not count toward the 25-call quota (AMB-17):
1. the stream is ACTIVE, else ResourceInUseException (AMB-26, inference);
2. its source is DirectPut, else InvalidArgumentException (SRC-08, AMB-03 (a), worded as real
   AWS refuses PutRecord on such a stream, EV-CLI7010);
3. no transition is under way (ENABLING, DISABLING), else ResourceInUseException (AMB-05, chosen);
4. Start only: the key input (KEY-04, AMB-18, AMB-19);
5. the 25 Start/Stop calls per rolling 24 h (API-01), LimitExceededException;
6. Start with a CMK only: the key is usable (KEY-07, InvalidKMSResourceException), then the
   500-streams-per-CMK quota (API-02, LimitExceededException).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from reference_impl.clock import VirtualClock
from reference_impl.errors import AwsError
from reference_impl.firehose import key_checks
from reference_impl.firehose.grant_agent import GrantAgent
from reference_impl.firehose.limits import check_cmk_quota
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.firehose.sse_state import EncryptionState
from reference_impl.firehose.states import (
    EncryptionStatus,
    FailureDescription,
    KeyConfig,
    StreamStatus,
    StreamType,
)
from reference_impl.firehose.streams import DeliveryStream

NOT_DIRECT_PUT = "This operation is not permitted on KinesisStreamAsSource delivery stream type."
ENABLE = "firehose enable"  # the labels of the timers that end ENABLING and DISABLING
DISABLE = "firehose disable"


class SseController:
    def __init__(
        self,
        *,
        clock: VirtualClock,
        kms: Any,
        account_id: str,
        settings: FirehoseSettings,
        streams: Callable[[], Iterable[DeliveryStream]],
    ) -> None:
        self.clock = clock
        self.kms = kms
        self.account_id = account_id
        self.settings = settings
        self.streams = streams
        self.grants = GrantAgent(kms, account_id)

    # -- shared key checks ---------------------------------------------------------------------
    def resolve_request(
        self, params: dict[str, Any] | None, stream: DeliveryStream | None
    ) -> KeyConfig:
        """Steps 4 and 6 for one request; ``stream`` is None on Create."""
        requested = key_checks.parse_key_request(params)
        if stream is not None:
            stream.window.check(self.clock.now(), stream.name)  # step 5 sits between 4 and 6
        if not requested.is_cmk:
            return requested
        resolved = key_checks.verify_cmk(self.kms, self.account_id, requested)
        arn = resolved.key_arn or ""
        check_cmk_quota(arn, self._users_of(arn, excluding=stream), self.settings.streams_per_cmk)
        return resolved

    def _users_of(self, key_arn: str, excluding: DeliveryStream | None) -> Iterable[DeliveryStream]:
        for other in self.streams():
            if other is excluding or other.encryption is None:
                continue
            if other.status is StreamStatus.CREATING_FAILED:
                continue
            if key_arn in other.encryption.bound_cmks():
                yield other

    def _common_checks(self, stream: DeliveryStream) -> EncryptionState:
        if stream.status is not StreamStatus.ACTIVE:
            raise AwsError(
                "ResourceInUseException",
                f"Firehose {stream.name} under account {self.account_id} is in status "
                f"{stream.status.value}; its encryption can change only while it is ACTIVE.",
            )
        if stream.stream_type is not StreamType.DIRECT_PUT or stream.encryption is None:
            raise AwsError("InvalidArgumentException", NOT_DIRECT_PUT)
        encryption = stream.encryption
        if encryption.in_transition:
            raise AwsError(
                "ResourceInUseException",
                f"Firehose {stream.name} under account {self.account_id} has encryption status "
                f"{encryption.status.value}; wait until it settles.",
            )
        return encryption

    # -- Start ---------------------------------------------------------------------------------
    def start(self, stream: DeliveryStream, params: dict[str, Any] | None) -> None:
        encryption = self._common_checks(stream)
        requested = self.resolve_request(params, stream)
        now = self.clock.now()
        stream.window.record(now)
        stream.updated_at = now
        # T4/T6/T7/T9, and AMB-07 (chosen): the same key again is a full re-run ENABLING ->
        # ENABLED that keeps the grant it already holds.
        encryption.status = EncryptionStatus.ENABLING  # SSE-02
        encryption.pending = requested
        encryption.failure = None  # SSE-13: a failure describes only the most recent attempt
        self._schedule_finish(stream, encryption, self._finish_enable, ENABLE)

    def _finish_enable(self, stream: DeliveryStream, attempt: int) -> None:
        encryption = self._still_settling(stream, attempt)
        if encryption is None:
            return
        new, old = encryption.pending, encryption.current
        encryption.pending = None
        if new is None:
            return
        failure = self.grants.acquire(stream.grants, new, stream.name) if new.is_cmk else None
        if failure is not None:
            # SSE-03; SSE-11: after a failed change the old key stays current and in effect.
            encryption.status = EncryptionStatus.ENABLING_FAILED
            encryption.failure = failure
            encryption.attempted = new if old is None else None
            return
        now = self.clock.now()
        encryption.status = EncryptionStatus.ENABLED
        encryption.current = new
        encryption.attempted = None
        encryption.failure = None
        encryption.timeline.switch(now + self.settings.encryption_lag_seconds, new)  # SSE-06
        if old is not None and old.is_cmk and not old.same_key(new):
            self._schedule_retirement(stream, old)  # GRT-02

    # -- Stop ----------------------------------------------------------------------------------
    def stop(self, stream: DeliveryStream) -> None:
        encryption = self._common_checks(stream)
        now = self.clock.now()
        stream.window.check(now, stream.name)
        stream.window.record(now)
        stream.updated_at = now
        if encryption.current is None:
            # AMB-06 (chosen): nothing in effect (DISABLED, or a first attempt that failed):
            # an accepted no-op that leaves the status DISABLED, and counts toward API-01.
            encryption.status = EncryptionStatus.DISABLED
            encryption.failure = None
            encryption.attempted = None
            return
        encryption.status = EncryptionStatus.DISABLING  # SSE-07
        encryption.failure = None
        self._schedule_finish(stream, encryption, self._finish_disable, DISABLE)

    def _finish_disable(self, stream: DeliveryStream, attempt: int) -> None:
        encryption = self._still_settling(stream, attempt)
        if encryption is None:
            return
        old = encryption.current
        encryption.current = None
        encryption.status = EncryptionStatus.DISABLED
        # SSE-09; AMB-23 (inference): the old key stays in effect during DISABLING and the lag.
        encryption.timeline.switch(self.clock.now() + self.settings.encryption_lag_seconds, None)
        if old is not None and old.is_cmk:
            self._schedule_retirement(stream, old)  # GRT-03

    # -- the end of ENABLING and DISABLING -----------------------------------------------------
    def _schedule_finish(
        self,
        stream: DeliveryStream,
        encryption: EncryptionState,
        finish: Callable[[DeliveryStream, int], None],
        label: str,
    ) -> None:
        """Count a new attempt, and call ``finish`` with it once ENABLING (or DISABLING) has
        lasted its time (``settings.enabling``, ``settings.disabling``)."""
        encryption.attempt += 1
        attempt = encryption.attempt
        seconds = self.settings.disabling if label == DISABLE else self.settings.enabling
        stream.later(self.clock, seconds, lambda: finish(stream, attempt), label)

    def _still_settling(self, stream: DeliveryStream, attempt: int) -> EncryptionState | None:
        """The stream's encryption, or None when the attempt is moot: a later Start/Stop has
        superseded it, or the stream is no longer ACTIVE."""
        encryption = stream.encryption
        if (
            encryption is None
            or encryption.attempt != attempt
            or stream.status is not StreamStatus.ACTIVE
        ):
            return None
        return encryption

    # -- Create with SSE (SSE-14) --------------------------------------------------------------
    def begin_on_create(self, requested: KeyConfig) -> EncryptionState:
        # AMB-10 (chosen): while CREATING, EncCfg shows the requested key with Status ENABLING.
        return EncryptionState(status=EncryptionStatus.ENABLING, pending=requested)

    def finish_create(self, stream: DeliveryStream) -> FailureDescription | None:
        encryption = stream.encryption
        if encryption is None or encryption.pending is None:
            return None
        requested = encryption.pending
        encryption.pending = None
        failure = (
            self.grants.acquire(stream.grants, requested, stream.name) if requested.is_cmk else None
        )
        if failure is not None:
            # T3, AMB-01 (c): CREATING_FAILED, and EncCfg ENABLING_FAILED with the same failure.
            encryption.status = EncryptionStatus.ENABLING_FAILED
            encryption.failure = failure
            encryption.attempted = requested
            return failure
        encryption.status = EncryptionStatus.ENABLED
        encryption.current = requested
        # SSE-14 (chosen): a stream created with SSE encrypts from its very first record; no
        # put can precede ACTIVE, so the 5 s allowance of SSE-06 is not needed here.
        encryption.timeline.switch(self.clock.now(), requested)
        return None

    # -- grant retirement (GRT-02, GRT-03) -------------------------------------------------------
    def _schedule_retirement(self, stream: DeliveryStream, old: KeyConfig) -> None:
        held = stream.grants.held.get(old.key_arn or "")
        if held is not None:
            held.retiring = True
        # Records put during the lag still use the old key: look again once it has passed.
        stream.later(
            self.clock,
            self.settings.encryption_lag_seconds,
            lambda: self.settle(stream),
            "firehose settle grants",
        )
        self.settle(stream)

    def settle(self, stream: DeliveryStream) -> None:
        """Retire every grant scheduled for retirement that no held record still needs."""
        if not stream.grants.held:
            return  # nothing to retire (every delivery of a stream without a CMK comes here)
        encryption, store = stream.encryption, stream.store
        if encryption is None or store is None or stream.status is not StreamStatus.ACTIVE:
            return
        now = self.clock.now()
        bound = encryption.bound_cmks()
        for arn, held in list(stream.grants.held.items()):
            if not held.retiring or arn in bound:
                continue
            if encryption.timeline.references(arn, now) or store.held_under(arn):
                continue
            delay = self.settings.grant_retirement_seconds
            if delay > 0:  # the latency profile: the retirement takes effect later
                if held.retire_after is None:
                    held.retire_after = now + delay
                    stream.later(
                        self.clock, delay, lambda: self.settle(stream), "firehose retire grant"
                    )
                if now < held.retire_after:
                    continue
            # A failure leaves the grant held and scheduled; deletion tries again (D7).
            self.grants.retire(stream.grants, arn)
