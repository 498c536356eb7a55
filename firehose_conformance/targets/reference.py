"""The bundled reference implementation, in process: the default target."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from botocore import UNSIGNED
from botocore.config import Config

from firehose_conformance.capabilities import Capability
from firehose_conformance.targets.base import KeyRef, Target, WaitProfile
from reference_impl import ReferenceCloud
from reference_impl.aws_models import SNAPSHOT
from reference_impl.cloud import CLIENT_CONFIG


def _activate_deviant(name: str) -> ExitStack:
    from firehose_conformance.deviants import activate  # only the self-test needs the catalog

    return activate(name)


class ReferenceTarget(Target):
    """Every capability: virtual time, a view of the bytes at rest, instant key deletion.

    One cloud serves the whole run; it is reset before each scenario, so scenarios never see
    each other's state and the clients (costly to build) are made once.
    """

    name = "reference"
    capabilities = frozenset({Capability.CLOCK, Capability.AT_REST, Capability.KEY_DELETION})
    # Virtual seconds: generous bounds cost nothing, because time only moves when polled.
    profile = WaitProfile(poll_initial=1.0, poll_max=30.0)

    def __init__(self, **options: Any) -> None:
        deviant = options.pop("deviant", None)
        if options:
            raise ValueError(f"the reference target takes no options (got {', '.join(options)})")
        super().__init__()
        # deviant=NAME (the self-test): the reference with one catalogued bug, from
        # firehose_conformance.deviants, patched in until close().
        self._deviant = _activate_deviant(deviant) if deviant else None
        try:
            self.cloud = ReferenceCloud()
        except BaseException:
            self.close()
            raise
        self.account_id = self.cloud.account_id
        self.region = self.cloud.region

    def identity(self) -> dict[str, str]:
        return {
            **super().identity(),
            "implementation": "reference_impl, in process",
            "models": SNAPSHOT.name,
        }

    def make_client(self, service: str, *, validate: bool) -> Any:
        # Unsigned: the reference does not verify signatures, and SigV4 is a quarter of the
        # cost of an in-process call (API-11 makes 5,000 of them).
        config = CLIENT_CONFIG.merge(
            Config(signature_version=UNSIGNED, parameter_validation=validate)
        )
        return self.cloud.client(service, config=config)

    def start_scenario(self) -> None:
        self.cloud.reset()

    def finish_scenario(self) -> list[str]:
        self.ledger.entries.clear()  # the next reset removes everything at once
        return []

    def advance(self, seconds: float) -> None:
        self.cloud.advance(seconds)

    def now(self) -> float:
        return self.cloud.clock.now()

    def at_rest(self) -> dict[str, list[bytes]]:
        return self.cloud.at_rest()

    def close(self) -> None:
        if self._deviant is not None:
            self._deviant.close()
            self._deviant = None

    def delete_key_now(self, key: KeyRef) -> None:
        with self.cloud.lock:
            self.cloud.kms.delete_key_now(key.key_id)
