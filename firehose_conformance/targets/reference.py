"""The bundled reference implementation, in process: the default target."""

from __future__ import annotations

from typing import Any

from botocore import UNSIGNED
from botocore.config import Config

from firehose_conformance.capabilities import Capability
from firehose_conformance.targets.base import KeyRef, Target, WaitProfile
from reference_impl import CLIENT_CONFIG, ReferenceCloud, VariantKind, variant_catalog
from reference_impl.aws_models import SNAPSHOT

LISTING = "list them with: firehose-conformance selftest --list"


def _variant(options: dict[str, Any]) -> str | None:
    """``variant=NAME`` (any variant of the reference) or ``deviant=NAME`` (one of its deviants)."""
    name = options.pop("variant", None)
    deviant = options.pop("deviant", None)
    if name is not None and deviant is not None:
        raise ValueError("give variant=NAME or deviant=NAME, not both")
    if deviant is not None:
        found = variant_catalog().get(deviant)
        if found is None or found.kind is not VariantKind.DEVIANT:
            raise ValueError(f"unknown deviant {deviant!r}; {LISTING}")
        return deviant
    if name is not None and name not in variant_catalog():
        raise ValueError(f"unknown variant {name!r}; {LISTING}")
    return name


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
        # variant=NAME (the self-test): the reference runs with one of its variants until close().
        variant = _variant(options)
        if options:
            raise ValueError(
                f"the reference target takes no options but variant=NAME (got {', '.join(options)})"
            )
        super().__init__()
        self.cloud = ReferenceCloud(variant=variant)
        self.account_id = self.cloud.account_id
        self.region = self.cloud.region

    def identity(self) -> dict[str, str]:
        variant = {"variant": self.cloud.variant} if self.cloud.variant else {}
        return {
            **super().identity(),
            "implementation": "reference_impl, in process",
            "models": SNAPSHOT.name,
            **variant,
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
        self.cloud.close()

    def delete_key_now(self, key: KeyRef) -> None:
        with self.cloud.lock:
            self.cloud.kms.delete_key_now(key.key_id)
