"""Per-operation call-rate limits, on the virtual clock.

DG-LIM (API-08): CreateDeliveryStream, DeleteDeliveryStream, DescribeDeliveryStream,
ListDeliveryStreams, UpdateDestination, TagDeliveryStream, UntagDeliveryStream,
ListTagsForDeliveryStream, StartDeliveryStreamEncryption and StopDeliveryStreamEncryption "can
provide up to five invocations per second (this is a hard limit)". AWS answers a breach with
ThrottlingException, HTTP 400 ("Rate exceeded"; seen in hashicorp/terraform-provider-aws#26197 and
prowler-cloud/prowler#9124). The code is not documented (AMB-17).
"""

from __future__ import annotations

from collections import deque

from reference_impl.clock import VirtualClock
from reference_impl.errors import AwsError

FIREHOSE_CONTROL_PLANE = frozenset(
    {
        "CreateDeliveryStream",
        "DeleteDeliveryStream",
        "DescribeDeliveryStream",
        "ListDeliveryStreams",
        "UpdateDestination",
        "TagDeliveryStream",
        "UntagDeliveryStream",
        "ListTagsForDeliveryStream",
        "StartDeliveryStreamEncryption",
        "StopDeliveryStreamEncryption",
    }
)


class RateLimiter:
    """At most ``calls`` accepted calls of each limited operation in any ``per`` seconds."""

    def __init__(
        self, clock: VirtualClock, operations: frozenset[str], calls: int = 5, per: float = 1.0
    ) -> None:
        self.clock = clock
        self.operations = operations
        self.calls = calls
        self.per = per
        self._accepted: dict[str, deque[float]] = {}

    def check(self, operation: str) -> None:
        """Count the call, or raise ThrottlingException (a refused call does not count)."""
        if operation not in self.operations:
            return
        now = self.clock.now()
        window = self._accepted.setdefault(operation, deque())
        while window and window[0] <= now - self.per:
            window.popleft()
        if len(window) >= self.calls:
            raise AwsError("ThrottlingException", "Rate exceeded")
        window.append(now)
