"""STUB: replaced by the KMS model."""

from typing import Any


class KmsModel:
    def __init__(self, clock: Any, account_id: str, region: str) -> None:
        self.clock = clock
