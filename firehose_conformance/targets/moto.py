"""moto in process (``mock_aws``): a known-bad implementation that shows the suite has teeth.

The adapter only translates: real boto3 clients, moto's own state, no added behaviour (no
simulated SSE, no metrics written with PutMetricData, no patched backends; emulators.md 3.8).
moto has no controllable clock, no view of bytes at rest and no instant key deletion, so it
declares no capability; the scenarios that need one are not applicable on it.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import moto
from botocore.exceptions import BotoCoreError, ClientError
from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data

from firehose_conformance.aws_clients import client_config, dummy_session, make_client
from firehose_conformance.capabilities import Capability
from firehose_conformance.errors import TargetMisbehaved
from firehose_conformance.targets.base import Target, WaitProfile

MOTO_DIR = Path(moto.__file__).resolve().parent


class MotoTarget(Target):
    """moto's ``mock_aws``, started once per process and reset before each scenario.

    The mock patches botocore for the whole process, so while this target is open every boto3
    client in the process talks to moto; ``close`` stops it.
    """

    name = "moto"
    capabilities: frozenset[Capability] = frozenset()
    # moto answers at once and never changes a status later, so waiting longer only slows the
    # run. The "N seconds pass" steps still sleep in wall time: moto has no clock to advance.
    profile = WaitProfile(
        transition_timeout=5.0,
        delivery_timeout=10.0,
        metric_timeout=10.0,
        grant_timeout=10.0,
        poll_initial=0.2,
        poll_max=1.0,
    )

    def __init__(self, **options: Any) -> None:
        if options:
            raise ValueError(f"the moto target takes no options (got {', '.join(options)})")
        super().__init__()
        self._mock = moto.mock_aws()
        self._mock.start()
        self._session = dummy_session(self.region)

    def identity(self) -> dict[str, str]:
        return {**super().identity(), "implementation": f"moto {moto.__version__} mock_aws"}

    def make_client(self, service: str, *, validate: bool) -> Any:
        # A moto crash must cost one request and show as itself, never be retried away.
        config = client_config(self.region, validate=validate, path_style=True)
        return make_client(self._session, service, config)

    def invoke(self, client: Any, method: str, params: dict[str, Any], *, retry_throttling: bool):
        """As ``Target.invoke``, and a Python exception raised inside moto (its in-process
        form of an HTTP 500) becomes ``TargetMisbehaved`` naming the exception and where."""
        try:
            return super().invoke(client, method, params, retry_throttling=retry_throttling)
        except (ClientError, BotoCoreError, TargetMisbehaved):
            raise
        except Exception as error:
            where = moto_frame(error)
            if where is None:  # not moto's doing (e.g. the suite's own bug): leave it as it is
                raise
            raise TargetMisbehaved(
                f"moto raised {type(error).__name__} in {where}: {error}".strip()
            ) from error

    def start_scenario(self) -> None:
        # What POST /moto-api/reset does: every backend starts empty again. It costs well
        # under a millisecond (backends are rebuilt lazily on their next use).
        BackendDict.reset()
        reset_model_data()

    def finish_scenario(self) -> list[str]:
        self.ledger.entries.clear()  # the next reset removes everything at once
        return []

    def close(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None


def moto_frame(error: BaseException) -> str | None:
    """'moto/firehose/models.py:587 (start_delivery_stream_encryption)' for the innermost frame
    of ``error``'s traceback inside moto, or None if the exception did not pass through moto."""
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(MOTO_DIR):
            found = f"moto/{path.relative_to(MOTO_DIR).as_posix()}:{frame.lineno} ({frame.name})"
    return found
