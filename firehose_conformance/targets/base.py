"""The Target: real boto3 clients for one implementation, its capabilities, clock and ledger.

Targets differ only in how they make clients and which capabilities they add; everything a
step needs (provisioning, waiting, calling) is written once here, against boto3.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from firehose_conformance.capabilities import Capability
from firehose_conformance.cost_policy import NO_POLICY, CostPolicy
from firehose_conformance.errors import CapabilityMissing, NotImplementedByTarget, TargetMisbehaved
from firehose_conformance.outcome import Outcome

if TYPE_CHECKING:
    from firehose_conformance.pool import KeyPool
    from firehose_conformance.resources import RunPlan
    from firehose_conformance.shared_run import SharedRun

T = TypeVar("T")

SERVICES = ("firehose", "kms", "kinesis", "cloudwatch", "s3")
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",  # Kinesis GetRecords/PutRecord(s)
    }
)
# How a target says it does not implement an operation at all (its error code or message).
NOT_IMPLEMENTED_CODES = frozenset(
    {"NotImplemented", "NotImplementedException", "UnknownOperationException", "InvalidAction"}
)
NOT_IMPLEMENTED_TEXT = re.compile(
    r"(?:has not|not yet|is not) (?:yet )?(?:been )?(?:implemented|emulated)"
    r"|not currently supported by LocalStack|not supported with your LocalStack license",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WaitProfile:
    """How long this target may take, in its own seconds (virtual on a clock target).

    Each bound is the longest a conforming implementation may take for something the documents
    make asynchronous or eventually consistent; a check polls until it sees the effect or the
    bound passes, and says in its reason how long it waited.
    """

    # A status transition (ENABLING -> ENABLED, CREATING -> ACTIVE, DELETING -> gone). BC-FH
    # states no bound ("This operation is asynchronous"); DeleteDeliveryStream: "may remain in
    # the DELETING state for several minutes".
    transition_timeout: float = 120.0
    delivery_timeout: float = 900.0  # records reaching the destination (buffer interval + retries)
    metric_timeout: float = 900.0  # a CloudWatch data point appearing (DG-MON: every 5 minutes)
    # A KMS change taking effect: a grant created, retired or revoked ("there might be a brief
    # delay, usually less than five minutes, until the grant is available throughout KMS", BC-KMS
    # CreateGrant), and, by the same bound, a key disabled, scheduled for deletion or given a new
    # policy ("The KMS API follows an eventual consistency model", BC-KMS DisableKey,
    # ScheduleKeyDeletion, PutKeyPolicy: no number is documented for those).
    grant_timeout: float = 900.0
    poll_initial: float = 1.0
    poll_max: float = 15.0


WAIT_OPTIONS = frozenset(f.name for f in fields(WaitProfile))  # target options of that name


def parse_seconds(option: str, value: str, *, allow_zero: bool = False) -> float:
    """A target option given in seconds: a finite, positive number (or zero where allowed)."""
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{option} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"{option} must be a positive number of seconds, got {value!r}")
    return seconds


def wait_overrides(options: dict[str, str]) -> dict[str, float]:
    """The wait bounds among a target's options, for ``dataclasses.replace(profile, **...)``."""
    return {k: parse_seconds(k, v) for k, v in options.items() if k in WAIT_OPTIONS}


@dataclass(frozen=True)
class KeyRef:
    key_id: str
    arn: str


@dataclass(frozen=True)
class StreamRef:
    name: str
    arn: str
    bucket: str


@dataclass
class Ledger:
    """What a scenario created, so teardown removes all of it, newest first, even on failure."""

    entries: list[tuple[str, Callable[[], Any]]] = field(default_factory=list)

    def add(self, what: str, undo: Callable[[], Any]) -> None:
        self.entries.append((what, undo))

    def unwind(
        self, *, attempts: int = 1, pause: Callable[[int], Any] = lambda attempt: None
    ) -> list[str]:
        """Undo newest first and say what could not be removed. With ``attempts`` > 1, what
        failed is tried again after ``pause(attempt)`` (AWS is eventually consistent: a deleting
        stream may still flush into its bucket)."""
        failed: list[tuple[str, Callable[[], Any], Exception]] = []
        for attempt in range(1, attempts + 1):
            failed = []
            while self.entries:
                what, undo = self.entries.pop()
                try:
                    undo()
                except Exception as exc:  # keep unwinding: one leftover must not strand the rest
                    failed.append((what, undo, exc))
            if not failed or attempt == attempts:
                break
            self.entries.extend((what, undo) for what, undo, _ in reversed(failed))
            pause(attempt)
        return [f"could not remove {what}: {type(exc).__name__}: {exc}" for what, _, exc in failed]


class GuardedClient:
    """A boto3 client whose target-misbehaviour errors become ``TargetMisbehaved``.

    A 4xx ``ClientError`` is the target's answer and passes through untouched; a 5xx, a
    connection failure or an unparsable answer is not an answer AWS would give. Throttling is
    waited out on the target's clock (AWS SDKs do the same), so rate limits never decide an
    unrelated scenario; ``Target.call(..., retry_throttling=False)`` observes them directly.
    """

    def __init__(self, target: Target, client: Any) -> None:
        self._target = target
        self._client = client

    @property
    def raw(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("_") or name in ("meta", "exceptions"):
            return method

        def call(**params: Any) -> Any:
            return self._target.invoke(self._client, name, params, retry_throttling=True)

        return call


def _operation_name(client: Any, method: str) -> str:
    mapping = getattr(getattr(client, "meta", None), "method_to_api_mapping", {}) or {}
    return mapping.get(method, method)


def _raise_if_not_implemented(error: ClientError, status: int) -> None:
    """HTTP 501, a not-implemented code, or an emulator's "not yet emulated" message: the
    operation is missing altogether, which reports say once (``not_implemented: <Operation>``)."""
    err = error.response.get("Error", {})
    code, message = str(err.get("Code", "")), str(err.get("Message", ""))
    if status == 501 or code in NOT_IMPLEMENTED_CODES or NOT_IMPLEMENTED_TEXT.search(message):
        shown = f"HTTP {status}" + ("" if code == str(status) else f" {code}")
        raise NotImplementedByTarget(
            error.operation_name, f"{shown}: {message}".strip().rstrip(":")
        ) from None


def _is_throttling(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return code in THROTTLING_CODES or (code == "LimitExceededException" and "rate" in message)


class Target:
    """An implementation under test, reached through real boto3 clients."""

    name = "abstract"
    capabilities: frozenset[Capability] = frozenset()
    profile = WaitProfile()
    account_id = "123456789012"
    region = "us-east-1"
    plans: ClassVar[bool] = False  # told the selection's demand before it starts (expect)

    def __init__(self) -> None:
        self._clients: dict[tuple[str, bool], GuardedClient] = {}
        self.ledger = Ledger()
        self.run_id = uuid.uuid4().hex[:6]
        self._counter = itertools.count(1)
        # Keys that scenarios only use, shared for the run (pool.KeyPool); None: every scenario
        # makes its own (targets that reset between scenarios, where keys cost nothing).
        self.pool: KeyPool | None = None
        self.created: Counter[str] = Counter()  # what the run made, by resources.Kind value

    @classmethod
    def cost_policy(cls, options: Mapping[str, str]) -> CostPolicy:
        """What this target leaves out of a run to keep its cost down (cost_policy.py), from
        its options alone: asked at collection, before any target is made. Nothing by
        default; ValueError (one line) for a bad option it reads."""
        return NO_POLICY

    def identity(self) -> dict[str, str]:
        """Whom the run talked to, for the results' provenance; subclasses add what they know."""
        return {"name": self.name, "account": self.account_id, "region": self.region}

    # ---- clients ------------------------------------------------------------------------------
    def make_client(self, service: str, *, validate: bool) -> Any:
        raise NotImplementedError

    last_raw_body: bytes | None = None

    def _keep_raw_body(self, http_response: Any = None, **_: Any) -> None:
        self.last_raw_body = getattr(http_response, "content", None)

    def client(self, service: str, *, validate: bool = True) -> GuardedClient:
        """A (cached) client; ``validate=False`` skips botocore's client-side checks, so that
        bad input reaches the service, whose own validation is what the spec checks."""
        key = (service, validate)
        if key not in self._clients:
            made = self.make_client(service, validate=validate)
            if service == "firehose":  # JSON bodies only (reading S3's would consume its streams)
                made.meta.events.register("after-call", self._keep_raw_body)
            self._clients[key] = GuardedClient(self, made)
        return self._clients[key]

    @property
    def firehose(self) -> GuardedClient:
        return self.client("firehose")

    @property
    def kms(self) -> GuardedClient:
        return self.client("kms")

    @property
    def kinesis(self) -> GuardedClient:
        return self.client("kinesis")

    @property
    def cloudwatch(self) -> GuardedClient:
        return self.client("cloudwatch")

    @property
    def s3(self) -> GuardedClient:
        return self.client("s3")

    def invoke(self, client: Any, method: str, params: dict[str, Any], *, retry_throttling: bool):
        """Call one operation; map target misbehaviour; wait out throttling if asked."""
        attempts = 8 if retry_throttling else 1
        for attempt in range(attempts):
            try:
                return getattr(client, method)(**params)
            except NotImplementedError as error:  # an in-process emulator's own way to say it
                raise NotImplementedByTarget(
                    _operation_name(client, method), f"NotImplementedError: {error}".strip(": ")
                ) from None
            except ClientError as error:
                status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
                _raise_if_not_implemented(error, status)
                if status >= 500:
                    err = error.response.get("Error", {})
                    # botocore makes the status the code when the body is no AWS error.
                    code = "" if str(err.get("Code")) == str(status) else f" {err.get('Code', '?')}"
                    raise TargetMisbehaved(
                        f"HTTP {status}{code} from {error.operation_name}: "
                        f"{err.get('Message', '')}".strip()
                    ) from None
                if attempt + 1 < attempts and _is_throttling(error):
                    self.sleep(min(2.0**attempt, 8.0))
                    continue
                raise
            except (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError) as error:
                raise TargetMisbehaved(f"could not reach the target: {error}") from None
            except ResponseParserError as error:
                raise TargetMisbehaved(f"malformed answer from the target: {error}") from None
            except BotoCoreError as error:
                raise TargetMisbehaved(f"{type(error).__name__}: {error}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def call(
        self,
        service: str,
        operation: str,
        *,
        validate: bool = True,
        retry_throttling: bool = True,
        client: Any = None,
        **params: Any,
    ) -> Outcome:
        """Call one operation and keep its answer, success or 4xx error, for the Then steps.

        ``client`` overrides the target's own client (e.g. one with other credentials)."""
        if client is None:
            client = self.client(service, validate=validate).raw
        try:
            response = self.invoke(client, operation, params, retry_throttling=retry_throttling)
        except ClientError as error:
            err = error.response.get("Error", {})
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400
            return Outcome(operation, None, err.get("Code", "?"), err.get("Message", ""), status)
        return Outcome(operation, response, raw_body=self.last_raw_body)

    # ---- time ---------------------------------------------------------------------------------
    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def advance(self, seconds: float) -> None:
        """Move the target's clock (``@needs-clock``)."""
        raise CapabilityMissing(f"target {self.name!r} has no controllable clock")

    def sleep(self, seconds: float) -> None:
        """Let time pass: virtual time where the target has a clock, wall time elsewhere."""
        if self.has(Capability.CLOCK):
            self.advance(seconds)
        else:
            time.sleep(seconds)

    def now(self) -> float:
        return time.time()

    def poll(
        self,
        fetch: Callable[[], T],
        until: Callable[[T], bool],
        *,
        timeout: float,
        what: str,
        terminal: Callable[[T], bool] | None = None,
    ) -> T:
        """Fetch until ``until(value)`` holds or ``timeout`` seconds of target time pass.

        ``terminal(value)``: a state the awaited one cannot follow (CREATING_FAILED before
        ACTIVE): seen on two reads in a row (one may be a stale read), it ends the wait at once.
        On failure the AssertionError lists every distinct value observed, so the reason says
        what the target did (e.g. "observed: ENABLING, ENABLED"), not merely that it did not.
        """
        seen: list[str] = []
        waited = 0.0
        interval = self.profile.poll_initial
        ends = 0
        while True:
            value = fetch()
            shown = _show(value)
            if not seen or seen[-1] != shown:
                seen.append(shown)
            if until(value):
                return value
            ends = ends + 1 if terminal is not None and terminal(value) else 0
            if ends >= 2:
                raise AssertionError(
                    f"{what} not reached: it ended {shown}, which it cannot leave "
                    f"(after {waited:g} s); observed: {' -> '.join(seen)}"
                )
            if waited >= timeout:
                raise AssertionError(
                    f"{what} not reached within {timeout:g} s; observed: {' -> '.join(seen)}"
                )
            step = min(interval, timeout - waited)
            self.sleep(step)
            waited += step
            interval = min(interval * 1.5, self.profile.poll_max)

    def settle(
        self,
        fetch: Callable[[], T],
        ok: Callable[[T], bool],
        *,
        timeout: float,
        what: str,
        fail: Callable[[T], str] | None = None,
    ) -> T:
        """A read that tolerates staleness: fetch until ``ok(value)``, or until two reads in a
        row agree on a value that is not (it has settled there), or ``timeout`` passes.

        A status read right after an accepted call may show the state before it (eventual
        consistency); this is how a step reads "the status is X" after Start or Stop. The
        AssertionError starts with ``fail(last value)`` when given, else with ``what``.
        """
        seen: list[str] = []
        waited = 0.0
        interval = self.profile.poll_initial
        while True:
            value = fetch()
            shown = _show(value)
            if ok(value):
                return value
            if (seen and seen[-1] == shown) or waited >= timeout:
                seen.append(shown)
                head = fail(value) if fail is not None else what
                raise AssertionError(
                    f"{head} (observed {' -> '.join(seen)}, settled after {waited:g} s)"
                )
            seen.append(shown)
            step = min(interval, timeout - waited)
            self.sleep(step)
            waited += step
            interval = min(interval * 1.5, self.profile.poll_max)

    def holds_for(
        self, fetch: Callable[[], T], ok: Callable[[T], bool], *, duration: float, what: str
    ) -> T:
        """Check ``ok(value)`` stays true while ``duration`` seconds pass (a negative check)."""
        waited = 0.0
        value = fetch()
        while True:
            if not ok(value):
                raise AssertionError(f"{what} after {waited:g} s: observed {_show(value)}")
            if waited >= duration:
                return value
            step = min(self.profile.poll_max, duration - waited)
            self.sleep(step)
            waited += step
            value = fetch()

    # ---- white box (capabilities) --------------------------------------------------------------
    def at_rest(self) -> dict[str, list[bytes]]:
        raise CapabilityMissing(f"target {self.name!r} cannot show the bytes it holds at rest")

    def delete_key_now(self, key: KeyRef) -> None:
        raise CapabilityMissing(f"target {self.name!r} cannot delete a KMS key at once")

    def restricted_caller(self, key: KeyRef) -> Any:
        """A Firehose client for a principal without KMS permissions on ``key`` (@needs-iam)."""
        raise CapabilityMissing(f"target {self.name!r} has no callers with restricted IAM rights")

    def aged_credentials_client(self) -> Any:
        """A Firehose client on session credentials older than 6 hours."""
        raise CapabilityMissing(f"target {self.name!r} has no aged session credentials")

    def cloudtrail_events(self, event_names: list[str], resource: str) -> list[str]:
        """The names of CloudTrail events recorded for ``resource`` (@needs-cloudtrail)."""
        raise CapabilityMissing(f"target {self.name!r} has no CloudTrail")

    # ---- scenario lifecycle -------------------------------------------------------------------
    def start_scenario(self) -> None:
        """Called before each scenario."""

    def finish_scenario(self) -> list[str]:
        """Called after each scenario; returns problems met while removing what it created."""
        return self.ledger.unwind()

    def close(self) -> None:
        """Called once at the end of the run."""

    def made(self, kind: str, name: str) -> None:
        """Called by ``actions`` for every resource it creates (``kind``: a resources.Kind)."""
        self.created[str(kind)] += 1

    def join_run(self, run: SharedRun) -> None:
        """Under ``run -n N``: the run this worker's target (or the controller's, which closes
        it) belongs to, before anything is made. Only a target whose workers share run-level
        resources (aws) takes part; the others' workers share nothing."""

    def expect(self, plan: RunPlan) -> None:
        """The selected scenarios' demand, before the first one starts (the aws target states
        it in its plan); other targets need not know."""

    def unique_name(self, kind: str) -> str:
        return f"fsc-{self.run_id}-{kind}-{next(self._counter)}"

    def resource_tags(self) -> dict[str, str]:
        """Tags ``actions`` puts on every bucket, stream and key it creates: none by default;
        the aws target tags everything, so that teardown and ``sweep`` can find it."""
        return {}

    def delivery_role_arn(self) -> str:
        """The IAM role Firehose assumes to read a source and write the destination."""
        return f"arn:aws:iam::{self.account_id}:role/firehose-conformance-delivery"


def _show(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return str(value)
    try:
        text = json.dumps(value, default=str, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."
