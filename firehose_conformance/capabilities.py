"""Capabilities a scenario may need that not every target has, named by their feature tags."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    """A scenario tagged ``@needs-x`` runs only on targets that declare ``x``; elsewhere it is N/A.

    Only what a target truly cannot do belongs here. Slowness is not a capability.
    """

    CLOCK = "needs-clock"
    AT_REST = "needs-at-rest"
    KEY_DELETION = "needs-key-deletion"
    IAM = "needs-iam"
    CLOUDTRAIL = "needs-cloudtrail"
    AGED_CREDENTIALS = "needs-aged-credentials"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Capability.CLOCK: "a controllable clock: time, and the asynchronous work that waits on it, "
    "moves only when the suite advances it",
    Capability.AT_REST: "white-box access to the bytes the implementation holds at rest",
    Capability.KEY_DELETION: "making a KMS key vanish at once (KMS itself waits 7 to 30 days)",
    Capability.IAM: "callers with restricted IAM permissions",
    Capability.CLOUDTRAIL: "a CloudTrail trail to look up the API calls it recorded",
    Capability.AGED_CREDENTIALS: "session credentials older than 6 hours",
}

CAPABILITY_TAGS = frozenset(c.value for c in Capability)
