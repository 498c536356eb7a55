"""The one exception every model and API layer raises: an AWS error as it travels on the wire."""

from __future__ import annotations


class AwsError(Exception):
    """An error the service answers with: the AWS error code, its message and HTTP status.

    Models raise it; the protocol layer turns it into the wire form (``__type`` for AWS JSON,
    an XML error document for S3), so botocore parses it into the ``ClientError`` AWS would give.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @property
    def sender_fault(self) -> bool:
        return self.status < 500


def validation_error(message: str) -> AwsError:
    """The framework error AWS front-ends answer for shape violations (AMB-21 stance)."""
    return AwsError("ValidationException", message)


def serialization_error(message: str) -> AwsError:
    return AwsError("SerializationException", message)
