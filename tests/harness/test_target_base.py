"""The waiting and the error mapping every target shares (targets/base.py)."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import pytest
from botocore.exceptions import ClientError

from firehose_conformance.errors import NotImplementedByTarget, TargetMisbehaved
from firehose_conformance.targets.base import Target, WaitProfile

MAPPING = MappingProxyType({"start": "StartDeliveryStreamEncryption"})


class _Quick(Target):
    """A target whose time is a counter: sleeping costs nothing."""

    name = "quick"
    profile = WaitProfile(transition_timeout=60.0, poll_initial=1.0, poll_max=1.0)

    def __init__(self) -> None:
        super().__init__()
        self.clock = 0.0

    def sleep(self, seconds: float) -> None:
        self.clock += seconds

    def now(self) -> float:
        return self.clock


def _reads(*values: str) -> Any:
    """A fetch returning ``values`` in turn, then the last one for ever."""
    seq: Iterator[str] = iter(values)
    last = {"v": values[-1]}

    def fetch() -> str:
        last["v"] = next(seq, last["v"])
        return last["v"]

    return fetch


def test_a_wait_stops_at_a_terminal_state_seen_twice() -> None:
    target = _Quick()
    with pytest.raises(AssertionError, match="it ended CREATING_FAILED, which it cannot leave"):
        target.poll(
            _reads("CREATING", "CREATING_FAILED"),
            lambda s: s == "ACTIVE",
            timeout=60,
            what="ACTIVE",
            terminal={"CREATING_FAILED"}.__contains__,
        )
    assert target.clock < 5  # not the whole 60 s bound


def test_one_stale_read_of_a_terminal_state_does_not_end_the_wait() -> None:
    target = _Quick()
    found = target.poll(
        _reads("ENABLING_FAILED", "ENABLING", "ENABLED"),
        lambda s: s == "ENABLED",
        timeout=60,
        what="ENABLED",
        terminal={"ENABLING_FAILED"}.__contains__,
    )
    assert found == "ENABLED"


def test_a_settled_read_tolerates_one_stale_read_and_fails_once_two_agree() -> None:
    target = _Quick()
    assert target.settle(_reads("DISABLED", "ENABLING"), "ENABLING".__eq__, timeout=60, what="x")
    with pytest.raises(AssertionError, match=r"^is ENABLED \(observed DISABLED -> ENABLED -> EN"):
        target.settle(
            _reads("DISABLED", "ENABLED"),
            "ENABLING".__eq__,
            timeout=60,
            what="x",
            fail=lambda seen: f"is {seen}",
        )


def _raising(code: str, status: int, message: str = "msg") -> Any:
    class Client:
        class meta:
            method_to_api_mapping = MAPPING

        def start(self, **_: Any) -> None:
            response = {
                "Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }
            raise ClientError(response, "StartDeliveryStreamEncryption")

    return Client()


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("InternalFailure", 501, "not yet implemented or pro feature"),
        ("501", 501, ""),
        ("UnknownOperationException", 400, ""),
        ("NotImplemented", 400, ""),
        ("InternalError", 500, "The StartDeliveryStreamEncryption action has not been implemented"),
        ("InvalidRequest", 400, "This operation has not yet been emulated"),
    ],
)
def test_not_implemented_is_recognised_and_named(code: str, status: int, message: str) -> None:
    with pytest.raises(NotImplementedByTarget) as raised:
        _Quick().invoke(_raising(code, status, message), "start", {}, retry_throttling=False)
    assert raised.value.cause == "not_implemented: StartDeliveryStreamEncryption"
    assert isinstance(raised.value, TargetMisbehaved)


def test_an_in_process_not_implemented_error_is_named_by_its_operation() -> None:
    class Client:
        class meta:
            method_to_api_mapping = MAPPING

        def start(self, **_: Any) -> None:
            raise NotImplementedError("The start action has not been implemented")

    with pytest.raises(NotImplementedByTarget, match="StartDeliveryStreamEncryption"):
        _Quick().invoke(Client(), "start", {}, retry_throttling=False)


def test_other_errors_are_not_taken_for_missing_operations() -> None:
    with pytest.raises(ClientError):
        _Quick().invoke(
            _raising("InvalidArgumentException", 400), "start", {}, retry_throttling=False
        )
    with pytest.raises(TargetMisbehaved) as raised:
        _Quick().invoke(_raising("InternalFailure", 500), "start", {}, retry_throttling=False)
    assert not isinstance(raised.value, NotImplementedByTarget)
