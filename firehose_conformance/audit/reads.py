"""One read through a read-only client, its failures sorted into what the audit does with them.

- A refusal of one resource (AccessDenied on one key, a missing stream, an operation the
  endpoint does not implement) is ``Unreadable``: the check that needed it becomes a ``warn``
  finding saying what could not be read, and the audit goes on.
- What makes the whole audit meaningless (no or rejected credentials, an endpoint that does not
  answer) raises ``AuditAborted``: one line, exit code 2.
"""

from __future__ import annotations

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


class AuditAborted(Exception):
    """The audit cannot run at all; the message is one line for the user."""


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

    def describe(self) -> str:
        """Short, for a finding's message: ``DescribeKey failed: AccessDeniedException``."""
        return f"{self.operation} failed: {self.code}"

    def evidence(self) -> dict[str, str]:
        """The whole answer, for a finding's evidence."""
        message = " ".join(self.message.split())[:500]
        return {self.operation: f"{self.code}: {message}" if message else self.code}


def read(client: ReadOnlyClient, method: str, **params: Any) -> dict[str, Any] | Unreadable:
    """Call ``method``; the answer without ``ResponseMetadata``, or ``Unreadable``."""
    operation = client.operation_name(method)
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
        return Unreadable(operation, code, message)
    except (NoCredentialsError, PartialCredentialsError):
        raise AuditAborted(
            "no AWS credentials found (environment, shared config or --profile)"
        ) from None
    except (BotoConnectionError, HTTPClientError) as error:  # refused, dropped, timed out
        raise AuditAborted(f"cannot reach {client.service} in {client.region}: {error}") from None
    except BotoCoreError as error:
        return Unreadable(operation, type(error).__name__, str(error))
    answer = dict(answer)
    answer.pop("ResponseMetadata", None)
    return answer
