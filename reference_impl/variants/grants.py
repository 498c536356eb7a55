"""Deviants and conforming variants of Firehose's KMS grants: created, retired on a key change,
retired after Stop (GRT)."""

from __future__ import annotations

import itertools
from typing import Any

from reference_impl.firehose import grant_agent
from reference_impl.firehose.grant_agent import GrantAgent
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.sse_controller import SseController
from reference_impl.firehose.states import EncryptionStatus, StreamStatus
from reference_impl.variants.patching import Patcher
from reference_impl.variants.registry import conforming, deviant
from reference_impl.variants.shared import enable_without_a_grant

NOT_RETIRED = "no grants left on key"


@deviant("grant-never-created", "GRT-01", evidence="has no grant")
def grant_never_created(p: Patcher) -> None:
    """Enabling SSE with a customer managed key never calls CreateGrant (and works anyway)."""
    enable_without_a_grant(p, lambda key: key.is_symmetric_encryption)


def _no_retirement_when(p: Patcher, status: EncryptionStatus) -> None:
    @p.around(SseController, "_schedule_retirement")
    def schedule(original: Any, self: SseController, stream: Any, old: Any) -> None:
        if stream.encryption.status is not status:
            original(self, stream, old)


@deviant("old-grant-kept-on-key-change", "GRT-02", evidence=NOT_RETIRED)
def old_grant_kept_on_key_change(p: Patcher) -> None:
    """A key change never retires the grant on the old key."""
    _no_retirement_when(p, EncryptionStatus.ENABLED)


@deviant("grant-kept-after-stop", "GRT-03", evidence=NOT_RETIRED)
def grant_kept_after_stop(p: Patcher) -> None:
    """Stop never retires the grant on the key it stopped using."""
    _no_retirement_when(p, EncryptionStatus.DISABLED)


@deviant("grant-retired-before-delivery", "GRT-03", evidence="has no grant")
def grant_retired_before_delivery(p: Patcher) -> None:
    """Stop retires the grant at once, before the records encrypted under it are delivered."""

    def settle(self: SseController, stream: Any) -> None:
        if stream.encryption is None:
            return
        bound = stream.encryption.bound_cmks()
        for arn, held in list(stream.grants.held.items()):
            if held.retiring and arn not in bound:
                self.grants.retire(stream.grants, arn)

    p.replace(SseController, "settle", settle)


@deviant("allow-force-delete-ignored", "GRT-05", evidence="gone")
def allow_force_delete_ignored(p: Patcher) -> None:
    """DeleteDeliveryStream ignores AllowForceDelete: a grant that cannot be retired blocks it."""

    @p.around(FirehoseModel, "delete")
    def delete(original: Any, self: FirehoseModel, name: str, allow_force_delete: bool = False):
        original(self, name, False)


@deviant(
    "force-delete-only-after-deleting-failed",
    "GRT-05",
    evidence="gone",
)
def force_delete_only_after_deleting_failed(p: Patcher) -> None:
    """AllowForceDelete is honoured only on a stream already DELETING_FAILED, not at first."""

    @p.around(FirehoseModel, "delete")
    def delete(original: Any, self: FirehoseModel, name: str, allow_force_delete: bool = False):
        if self.get(name).status is not StreamStatus.DELETING_FAILED:
            allow_force_delete = False
        original(self, name, allow_force_delete)


@deviant(
    "deleting-failed-without-description",
    "SSE-18",
    evidence="DELETING_FAILED without any FailureDescription",
)
def deleting_failed_without_description(p: Patcher) -> None:
    """A stream whose grant cannot be retired turns DELETING_FAILED without a description."""

    @p.around(FirehoseModel, "_finish_delete")
    def finish(original: Any, self: FirehoseModel, stream: Any) -> None:
        original(self, stream)
        if stream.status is StreamStatus.DELETING_FAILED:
            stream.failure = None


@deviant(
    "same-key-again-leaks-a-grant",
    "GRT-03",
    evidence=NOT_RETIRED,
)
def same_key_again_leaks_a_grant(p: Patcher) -> None:
    """Enabling the key a stream already holds a grant on makes a new grant and forgets the old.

    Grants are named uniquely (KMS would otherwise hand back the same named grant).
    """
    names = itertools.count(1)
    p.replace(grant_agent, "_grant_name", lambda stream_name: f"firehose-{next(names)}")

    @p.around(GrantAgent, "acquire")
    def acquire(original: Any, self: GrantAgent, book: Any, config: Any, stream_name: str) -> Any:
        book.held.pop(config.key_arn or "", None)
        return original(self, book, config, stream_name)


@deviant(
    "delete-leaves-the-grant",
    "GRT-05",
    evidence=NOT_RETIRED,
)
def delete_leaves_the_grant(p: Patcher) -> None:
    """Deleting a stream forgets its grant instead of retiring it."""

    @p.around(FirehoseModel, "_finish_delete")
    def finish(original: Any, self: FirehoseModel, stream: Any) -> None:
        stream.grants.held.clear()
        original(self, stream)


# ---- conforming variants -------------------------------------------------------------------------
RETIREMENT_DELAY = 240.0


@conforming(
    "grants-retired-minutes-later",
    "GRT-01",
    "GRT-02",
    "GRT-03",
    "GRT-05",
    "SSE-10",
    allowed_by="BC-FH Start: Firehose 'schedules the grant it had on the old CMK for retirement'; "
    "Stop: it 'schedules the related KMS grant for retirement and then retires it after it "
    "ensures that it is finished delivering records' (GRT-02/GRT-03 are BB-eventual, no bound); "
    "BC-KMS: grant changes take 'usually less than five minutes'",
)
def grants_retired_minutes_later(p: Patcher) -> None:
    """A grant scheduled for retirement is retired 4 minutes after the reference would retire
    it (on a key change or after Stop); Delete still retires at once."""

    @p.around(SseController, "settle")
    def settle(original: Any, self: SseController, stream: Any) -> None:
        stream.later(
            self.clock,
            RETIREMENT_DELAY,
            lambda: original(self, stream),
            "firehose retires grants, later",
        )
