"""Patches that variants of several areas make the same way (this module registers none)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_impl.firehose.grant_agent import GrantAgent
from reference_impl.firehose.model import FirehoseModel, PutResult
from reference_impl.firehose.streams import CreateRequest, DeliveryStream
from reference_impl.kms.key import Key
from reference_impl.variants.patching import Patcher

ENCRYPTION_INPUT = "DeliveryStreamEncryptionConfigurationInput"


def without_encryption_input(request: CreateRequest) -> CreateRequest:
    """The same CreateDeliveryStream request, less its encryption input."""
    params = {k: v for k, v in request.params.items() if k != ENCRYPTION_INPUT}
    return CreateRequest(request.name, request.stream_type, params)


def drop_puts_to(p: Patcher, dropped: Callable[[DeliveryStream], bool]) -> None:
    """Puts to a stream ``dropped`` picks are answered with record ids, and their data dropped."""

    @p.around(FirehoseModel, "put_records")
    def put(original: Any, self: FirehoseModel, name: str, records: list[bytes]) -> PutResult:
        if dropped(self.get(name)):
            return PutResult([self._record_id() for _ in records], False)
        return original(self, name, records)


def enable_without_a_grant(p: Patcher, taken: Callable[[Key], bool]) -> None:
    """Firehose enables SSE with a key ``taken`` picks as it is: no grant is made (none could be
    on a key of the wrong kind), and the status becomes ENABLED."""

    @p.around(GrantAgent, "acquire")
    def acquire(original: Any, self: GrantAgent, book: Any, config: Any, stream_name: str) -> Any:
        if taken(self.kms.resolve(config.key_arn)):
            return None
        return original(self, book, config, stream_name)
