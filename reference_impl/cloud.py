"""ReferenceCloud: accounts in one Region, their services, a virtual clock and real clients.

Every account has its own state (reference_impl.accounts says which account a request acts in);
the clock, the lock and the bucket namespace are shared.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from botocore import xform_name
from botocore.config import Config

from reference_impl.accounts import AccountClock, access_key_id, account_for, check_account_id
from reference_impl.aws_models import PinnedSession, service_model
from reference_impl.clock import DEFAULT_START, ClockMode, RealClock, VirtualClock
from reference_impl.cloudwatch.api import CloudWatchApi
from reference_impl.cloudwatch.model import CloudWatchModel
from reference_impl.firehose.api import FirehoseApi
from reference_impl.firehose.model import FirehoseModel
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.kinesis.api import KinesisApi
from reference_impl.kinesis.model import KinesisModel
from reference_impl.kms.api import KmsApi
from reference_impl.kms.model import KmsModel
from reference_impl.latency import Latency
from reference_impl.principals import DEFAULT_ACCOUNT, DEFAULT_REGION
from reference_impl.s3.api import S3RestService
from reference_impl.s3.model import BucketDirectory, S3Model
from reference_impl.variants import ActiveVariant, activate
from reference_impl.wire.control import ControlPlane
from reference_impl.wire.http import Request
from reference_impl.wire.json_protocol import JsonRpcService
from reference_impl.wire.routing import AccountRoutes, ReferenceApp
from reference_impl.wire.throttling import FIREHOSE_CONTROL_PLANE, RateLimiter
from reference_impl.wire.transport import InProcessTransport

SERVICES = ("firehose", "kms", "kinesis", "cloudwatch", "s3", "sts")  # sts: GetCallerIdentity only
# The API layer of each AWS JSON service: an operation is served by its method of the operation's
# name in snake case (json_protocol.JsonRpcService).
JSON_APIS: dict[str, type] = {
    "firehose": FirehoseApi,
    "kms": KmsApi,
    "kinesis": KinesisApi,
    "cloudwatch": CloudWatchApi,
}

_BOTO_SESSION = PinnedSession()
# One attempt: a retry would hide what the implementation answered the first time.
CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    s3={"addressing_style": "path"},
)


def implemented_operations(service: str) -> frozenset[str]:
    """The operations of the snapshot's model of ``service`` that the reference serves.

    None for S3 (a REST stand-in for the destination, routed by path and method) or STS (not
    served).
    """
    api = JSON_APIS.get(service)
    if api is None:
        return frozenset()
    operations = service_model(service).operation_names
    return frozenset(op for op in operations if hasattr(api, xform_name(op)))


class Account:
    """One account's models and the routes to them (its own rate limiter among them)."""

    def __init__(self, cloud: ReferenceCloud, account_id: str) -> None:
        self.account_id = account_id
        region, settings = cloud.region, cloud.settings
        self.clock = clock = AccountClock(cloud.clock)
        self.kms = KmsModel(clock, account_id, region)
        self.s3 = S3Model(
            clock,
            region=region,
            account_id=account_id,
            directory=cloud.buckets,
        )
        self.cloudwatch = CloudWatchModel(clock)
        self.kinesis = KinesisModel(clock, account_id, region, self.kms)
        if cloud.latency_given:  # else the model's own (the "none" profile's) timings stand
            cloud.latency.apply_to_kinesis(self.kinesis)
        self.firehose = FirehoseModel(
            clock,
            account_id,
            region,
            kms=self.kms,
            kinesis=self.kinesis,
            s3=self.s3,
            cloudwatch=self.cloudwatch,
            settings=settings,
        )
        # API-08: each account has its own five calls per second (RateLimiter is looked up here,
        # in this module, where a variant may replace it).
        limiter = RateLimiter(clock, FIREHOSE_CONTROL_PLANE) if cloud.rate_limits else None
        self.routes = AccountRoutes(
            [
                JsonRpcService("firehose", FirehoseApi(self.firehose), limiter=limiter),
                JsonRpcService("kms", KmsApi(self.kms)),
                JsonRpcService("kinesis", KinesisApi(self.kinesis)),
                JsonRpcService("cloudwatch", CloudWatchApi(self.cloudwatch), query_compatible=True),
            ],
            S3RestService(self.s3),
        )

    def at_rest(self) -> dict[str, list[bytes]]:
        held: dict[str, list[bytes]] = {}
        for source in (self.firehose.at_rest(), self.kinesis.at_rest()):
            for arn, blobs in source.items():
                held.setdefault(arn, []).extend(blobs)
        return held

    def close(self) -> None:
        """Cancel every timer of this account (it is being reset)."""
        self.clock.cancel_all()


class ReferenceCloud:
    """The reference implementation, in process.

    ``client(name)`` gives real boto3 clients whose requests reach this cloud through an
    in-process transport; ``advance()`` moves virtual time, running everything that falls due;
    ``at_rest()`` exposes the bytes Firehose and Kinesis hold at rest, for white-box checks.
    ``variant=NAME`` runs it with one variant of ``reference_impl.variants`` (a deviant's bug,
    or a conforming alternative) until ``close()``.

    Accounts: ``account_id`` is the default account; ``client(name, account_id=...)`` gives a
    client of another account, and a request signed with a 12-digit access key id acts in that
    account (reference_impl.accounts). ``account(id)`` holds an account's models; ``kms``,
    ``firehose``, ``kinesis``, ``cloudwatch`` and ``s3`` are the default account's.
    """

    def __init__(
        self,
        *,
        start: datetime | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        settings: FirehoseSettings | None = None,
        rate_limits: bool = True,
        clock_mode: ClockMode | str = ClockMode.MANUAL,
        variant: str | None = None,
        latency: Latency | None = None,
    ) -> None:
        """``rate_limits=False`` lifts the five-calls-per-second limit of the Firehose control
        plane (API-08), for unit tests that make many calls at one virtual instant.

        ``clock_mode="real"`` makes time follow the wall clock (from ``start``, default now) with
        a background thread running what falls due; ``close()`` stops it. The default, manual,
        starts at ``start`` (default 2026-11-01T00:00Z) and moves only through ``advance()``.

        ``latency`` sets how long the asynchronous steps take (reference_impl.latency); without
        it, Firehose's transitions take ``settings.transition_seconds`` and the rest is at once.

        A variant changes the reference process-wide while it is active (it patches classes and
        modules): one cloud with a variant at a time per process, and ``close()`` it.
        """
        self.account_id = check_account_id(account_id)
        self.region = region
        self.lock = threading.RLock()
        self.rate_limits = rate_limits
        self.clock_mode = ClockMode(clock_mode)
        self.variant = variant
        self._start = start
        self._variant: ActiveVariant | None = activate(variant) if variant else None
        try:
            base = settings or FirehoseSettings()
            self.latency_given = latency is not None
            self.latency = latency if latency is not None else Latency.from_settings(base)
            if latency is not None:
                base = latency.apply_to_firehose(base)
            self.settings = self._variant.adjust(base) if self._variant else base
            self._build()
        except BaseException:
            self.close()
            raise
        self._transport = InProcessTransport(self)

    def _build(self) -> None:
        """Create every service afresh; clients made earlier keep working against the new state."""
        previous = getattr(self, "clock", None)
        if isinstance(previous, RealClock):
            previous.stop()  # its runner ends without taking the lock we may hold
        self.clock: VirtualClock
        if self.clock_mode is ClockMode.REAL:
            self.clock = RealClock(self._start)
            self.clock.start(self.lock)
        else:
            self.clock = VirtualClock(self._start or DEFAULT_START)
        self.buckets = BucketDirectory()
        self._accounts: dict[str, Account] = {}
        default = self.account(self.account_id)
        prefixes = default.routes.by_prefix
        self.app = ReferenceApp(
            self._routes,
            self.account_of,
            self.lock,
            control=ControlPlane(self),
            # Real time: everything due by a request's instant runs before the request does.
            tick=self.clock.sync if isinstance(self.clock, RealClock) else None,
            prefixes=prefixes,
            cbor_names=default.routes.by_cbor_name,
        )

    # ---- accounts ------------------------------------------------------------------------------
    def account(self, account_id: str | None = None) -> Account:
        """An account's models (the default account's without ``account_id``), made on first
        use: every 12-digit id names an account, empty until something is created in it."""
        account_id = self.account_id if account_id is None else account_id
        with self.lock:
            found = self._accounts.get(account_id)
            if found is None:
                found = self._accounts[check_account_id(account_id)] = Account(self, account_id)
            return found

    def account_ids(self) -> list[str]:
        """The accounts used so far (the default one first)."""
        with self.lock:
            return [self.account_id, *sorted(a for a in self._accounts if a != self.account_id)]

    def account_of(self, request: Request) -> str:
        """The account a request acts in: its access key id if that is 12 digits, else the
        default (reference_impl.accounts)."""
        return account_for(access_key_id(request.headers, request.query), self.account_id)

    def _routes(self, account_id: str) -> AccountRoutes:
        found = self._accounts.get(account_id)
        return (found or self.account(account_id)).routes

    @property
    def kms(self) -> KmsModel:
        return self.account().kms

    @property
    def firehose(self) -> FirehoseModel:
        return self.account().firehose

    @property
    def kinesis(self) -> KinesisModel:
        return self.account().kinesis

    @property
    def cloudwatch(self) -> CloudWatchModel:
        return self.account().cloudwatch

    @property
    def s3(self) -> S3Model:
        return self.account().s3

    def reset(self, account_id: str | None = None) -> None:
        """Forget everything and return to the start instant; existing clients keep working.

        With ``account_id``, forget only that account (its timers cancelled, its bucket names
        freed); the clock and the other accounts go on.
        """
        with self.lock:
            if account_id is None:
                self._build()
                return
            check_account_id(account_id)
            gone = self._accounts.pop(account_id, None)
            if gone is not None:
                gone.close()
            self.buckets.forget(account_id)
            if account_id == self.account_id:
                self.account(account_id)

    def client(self, service: str, account_id: str | None = None, **kwargs: Any) -> Any:
        """A real boto3 client bound to this cloud (no socket is ever opened).

        ``account_id``: the client acts in that account (its access key id is the account id,
        and its requests are routed there even unsigned); default: the default account.
        """
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
        options: dict[str, Any] = {
            "region_name": self.region,
            "aws_access_key_id": "testing" if account_id is None else account_id,
            "aws_secret_access_key": "testing",
            "config": CLIENT_CONFIG,
        }
        options.update(kwargs)
        transport = self._transport
        if account_id is not None:
            transport = InProcessTransport(self, check_account_id(account_id))
        client = _BOTO_SESSION.client(service, **options)
        client.meta.events.register_first("before-send", transport)
        return client

    def now(self) -> datetime:
        return self.clock.now_datetime()

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0) -> None:
        """Move virtual time forward; transitions, flushes, deliveries and expiry run as due."""
        with self.lock:
            self.clock.advance(seconds + 60.0 * minutes + 3600.0 * hours)

    def close(self) -> None:
        """Stop the real clock's runner thread, and undo the variant, if any."""
        clock = getattr(self, "clock", None)
        if isinstance(clock, RealClock):
            clock.stop()
            clock.join(timeout=5.0)
        if self._variant is not None:
            self._variant.close()
            self._variant = None

    def __enter__(self) -> ReferenceCloud:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def at_rest(self, account_id: str | None = None) -> dict[str, list[bytes]]:
        """{resource ARN: [bytes held at rest for it]} for Firehose streams and Kinesis streams,
        of every account (ARNs name their account), or of ``account_id`` only.

        Destinations (S3 objects) are the customer's data after delivery, not Firehose's storage,
        so they are not included.
        """
        with self.lock:
            if account_id is not None:
                found = self._accounts.get(check_account_id(account_id))
                return found.at_rest() if found is not None else {}  # nothing made to look
            held: dict[str, list[bytes]] = {}
            for account in list(self._accounts.values()):
                held.update(account.at_rest())
            return held
