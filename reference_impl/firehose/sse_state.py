"""A DirectPut stream's SSE state: the status machine's data and the effective-key timeline.

Two things are kept apart on purpose:
- the *status* (ENABLING, ENABLED, ...) and the key it reports, which is what Describe shows;
- the *effective* key, which is what protects a put at a given instant. A new setting takes
  effect ``encryption_lag_seconds`` after the status changes to ENABLED or DISABLED (SSE-06,
  SSE-09: "It can take up to 5 seconds"), and until then the previous key stays in effect. So a
  first enable does not encrypt during ENABLING (SSE-05), DISABLING keeps the old key in effect
  (AMB-23, inference), and a failed key change leaves the old key in effect (SSE-11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reference_impl.firehose.states import EncryptionStatus, FailureDescription, KeyConfig


class Timeline:
    """ "Encryption in effect from time t: key config or none", in order of t."""

    def __init__(self) -> None:
        self._entries: list[tuple[float, KeyConfig | None]] = [(-math.inf, None)]

    def switch(self, at: float, config: KeyConfig | None) -> None:
        while self._entries and self._entries[-1][0] >= at and len(self._entries) > 1:
            self._entries.pop()  # a later decision replaces one not yet in effect
        self._entries.append((at, config))

    def at(self, when: float) -> KeyConfig | None:
        for start, config in reversed(self._entries):
            if start <= when:
                return config
        return None

    def compact(self, now: float) -> None:
        """Forget entries that can never be in effect again."""
        while len(self._entries) > 1 and self._entries[1][0] <= now:
            self._entries.pop(0)

    def references(self, key_arn: str, now: float) -> bool:
        """Whether the CMK is in effect now or is scheduled to be."""
        self.compact(now)
        return any(config is not None and config.key_arn == key_arn for _, config in self._entries)


@dataclass
class EncryptionState:
    """EncCfg of a DirectPut stream (KinesisStreamAsSource streams have none: EV-LS-KDS)."""

    status: EncryptionStatus = EncryptionStatus.DISABLED
    # The setting that ENABLED refers to: the last key successfully enabled and not stopped.
    current: KeyConfig | None = None
    # The key an accepted Start (or Create) is enabling.
    pending: KeyConfig | None = None
    # The key of a failed first attempt, shown with ENABLING_FAILED when no key is in effect.
    attempted: KeyConfig | None = None
    failure: FailureDescription | None = None
    timeline: Timeline = field(default_factory=Timeline)
    # Incremented by every accepted Start/Stop, so a stale completion timer does nothing.
    attempt: int = 0

    @property
    def in_transition(self) -> bool:
        return self.status in (EncryptionStatus.ENABLING, EncryptionStatus.DISABLING)

    def shown(self) -> KeyConfig | None:
        """The KeyType/KeyARN EncCfg reports in the current status."""
        if self.status is EncryptionStatus.ENABLING:
            return self.pending
        if self.status is EncryptionStatus.DISABLED:
            return None  # AMB-09 / EV-SP769: {"Status": "DISABLED"} without KeyType
        if self.status is EncryptionStatus.ENABLING_FAILED:
            # AMB-08 (chosen): after a failed change, the effective (old) key.
            return self.current or self.attempted
        return self.current

    def bound_cmks(self) -> set[str]:
        """The CMKs this stream counts against for API-02 (500 streams per CMK)."""
        return {
            config.key_arn
            for config in (self.current, self.pending)
            if config is not None and config.is_cmk and config.key_arn is not None
        }
