"""One read through a read-only client, its failures sorted into what the audit does with them.

- A refusal of one resource (AccessDenied on one key, a missing stream, an operation the
  endpoint does not implement, throttling that outlasts the audit's patience) is
  ``Unreadable``: the check that needed it becomes an ``error`` finding, "could not read: ...",
  and the audit goes on (it then exits 2, could not complete, unless ``--allow-partial``).
- What makes the whole audit meaningless (no or rejected credentials, an endpoint that does not
  answer) raises ``AuditAborted``: one line, exit code 2.

Throttling and transient failures (HTTP 5xx, a dropped connection) are waited out here, not in
botocore (the audit's clients make one attempt each): with a back-off that doubles from
``Patience.first`` up to ``Patience.cap``, at most ``Patience.retries`` times per read and
``Patience.budget`` seconds for the whole audit, and each wait is said (``Patience.say``), so a
throttling endpoint never costs minutes in silence.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from firehose_conformance.audit.guard import ReadOnlyClient

ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden"}
)
NOT_FOUND = frozenset({"ResourceNotFoundException", "NotFoundException", "NotFound"})
# The credentials themselves are refused: nothing else can be read either.
BAD_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "AuthFailure",
    }
)
# botocore's throttling codes, and LimitExceededException: what Kinesis (and Firehose, API-08)
# answer a Describe or List made too often.
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
CONNECTION_RETRIES = 2  # a dropped connection is retried twice, then ends the audit


class AuditAborted(Exception):
    """The audit cannot run at all; the message is one line for the user."""


@dataclass
class Patience:
    """How long the audit waits out throttling and transient failures: bounded, and said.

    One per audit (shared by every client), so the budget is the whole audit's. ``say`` gets a
    line for each wait, and one when the budget is spent; ``sleep`` is ``time.sleep`` unless a
    test gives another.
    """

    budget: float = 60.0
    first: float = 0.5
    cap: float = 8.0
    retries: int = 6
    say: Callable[[str], None] = lambda _line: None
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0
    spent_said: bool = False

    @classmethod
    def none(cls) -> Patience:
        """No waiting at all (a probe, or a test that wants the first answer)."""
        return cls(budget=0.0, retries=0)

    @property
    def left(self) -> float:
        return max(self.budget - self.waited, 0.0)

    def wait(self, retry: int, what: str) -> bool:
        """Wait before retry number ``retry`` (1, 2, ...) of ``what``; False when the read
        should give up (its retries or the audit's budget are spent)."""
        if retry > self.retries:
            return False
        if self.left <= 0:
            if not self.spent_said and self.budget > 0:
                self.spent_said = True
                self.say(
                    f"gave up waiting: {self.waited:.0f} s spent on throttled or failing reads, "
                    "the most this audit waits; such reads are now errors (could not read)"
                )
            return False
        delay = min(self.first * 2 ** (retry - 1), self.cap, self.left)
        self.say(
            f"{what}; waiting {delay:.1f} s (retry {retry} of {self.retries}; "
            f"{self.left:.0f} s of the audit's {self.budget:.0f} s left)"
        )
        self.sleep(delay)
        self.waited += delay
        return True


@dataclass(frozen=True)
class Unreadable:
    """A read that was refused or failed; ``code`` is the AWS error code (or botocore's)."""

    operation: str
    code: str
    message: str

    @property
    def denied(self) -> bool:
        return self.code in ACCESS_DENIED

    @property
    def not_found(self) -> bool:
        return self.code in NOT_FOUND

    @property
    def throttled(self) -> bool:
        return self.code in THROTTLED

    def describe(self) -> str:
        """Short, for a finding's message: ``DescribeKey failed: AccessDeniedException``."""
        return f"{self.operation} failed: {self.code}"

    def evidence(self) -> dict[str, str]:
        """The whole answer, for a finding's evidence."""
        message = " ".join(self.message.split())[:500]
        return {self.operation: f"{self.code}: {message}" if message else self.code}


def read(client: ReadOnlyClient, method: str, **params: Any) -> dict[str, Any] | Unreadable:
    """Call ``method``; the answer without ``ResponseMetadata``, or ``Unreadable``.

    Throttling and 5xx answers are retried as ``client.patience`` allows (then Unreadable), a
    dropped connection ``CONNECTION_RETRIES`` times within it (then ``AuditAborted``).
    """
    operation = client.operation_name(method)
    # A client without one (made outside RegionClients.wrap) gets the default for this read.
    patience: Patience = getattr(client, "patience", None) or Patience()
    what = f"{client.service} {operation} in {client.region}"
    retry = 0
    while True:
        retry += 1
        try:
            answer = getattr(client, method)(**params)
        except ClientError as error:
            err = error.response.get("Error", {})
            code, message = str(err.get("Code", "?")), str(err.get("Message", ""))
            if code in BAD_CREDENTIALS:
                raise AuditAborted(
                    f"{client.service} {operation} in {client.region} refused the credentials: "
                    f"{code}: {message}".strip()
                ) from None
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            transient = code in THROTTLED or status == 429 or status >= 500
            kind = "throttled" if code in THROTTLED or status == 429 else f"HTTP {status}"
            if transient and patience.wait(retry, f"{kind}: {what} ({code})"):
                continue
            if transient:
                message = f"{message} ({_gave_up(retry - 1, patience)})".lstrip()
            return Unreadable(operation, code, message)
        except (NoCredentialsError, PartialCredentialsError):
            raise AuditAborted(
                "no AWS credentials found (environment, shared config or --profile)"
            ) from None
        except (BotoConnectionError, HTTPClientError) as error:  # refused, dropped, timed out
            if retry <= CONNECTION_RETRIES and patience.wait(retry, f"{what}: {error}"):
                continue
            raise AuditAborted(
                f"cannot reach {client.service} in {client.region}: {error}"
            ) from None
        except BotoCoreError as error:
            return Unreadable(operation, type(error).__name__, str(error))
        answer = dict(answer)
        answer.pop("ResponseMetadata", None)
        return answer


def _gave_up(retries: int, patience: Patience) -> str:
    if retries == 0:
        return "not retried: the audit's wait budget is spent" if patience.budget else "no retry"
    return f"gave up after {retries} retr{'y' if retries == 1 else 'ies'}"
