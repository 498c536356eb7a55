"""What one API call answered: its response, or the error the target returned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    operation: str
    response: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str = ""
    http_status: int = 200
    raw_body: bytes | None = None  # the HTTP body as received, where the client keeps it

    @property
    def ok(self) -> bool:
        return self.error_code is None

    def describe(self) -> str:
        if self.ok:
            return f"{self.operation} succeeded"
        return f"{self.operation} failed with {self.error_code} (HTTP {self.http_status}): " + (
            self.error_message or "no message"
        )

    def body(self) -> dict[str, Any]:
        """The response without botocore's ResponseMetadata."""
        return {k: v for k, v in (self.response or {}).items() if k != "ResponseMetadata"}
