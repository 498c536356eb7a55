"""How long the reference's asynchronous steps take: a latency profile.

``none`` (the default) is the reference as it always was: Firehose's transitions take
``transition_seconds`` (10 s; ``serve --transition-seconds``), Kinesis's 1 s, and deliveries,
grant retirements and metrics happen the moment they are due. ``aws`` gives each step a duration
of the order AWS shows, so that a run against the served reference takes about as long as one
against a real account (and can be predicted and tuned offline). Every duration can be set on
its own (``serve --latency aws --latency-set firehose.creating=60``, or a TOML file).

Each duration of the ``aws`` profile and where it comes from (BC-*: the documentation in the
vendored botocore models, reference_impl/aws_models; DG-MON: the Firehose developer guide's
monitoring chapter, as the spec cites it for MET-08):

==========================  ======  ==========================================================
name                        aws     source
==========================  ======  ==========================================================
firehose.creating           40 s    not documented: BC-FH CreateDeliveryStream says only "The
                                    initial status of the Firehose stream is CREATING"; a
                                    stream takes tens of seconds to become ACTIVE (observed,
                                    issue 16). An estimate.
firehose.enabling           30 s    not documented: BC-FH StartDeliveryStreamEncryption sets
firehose.disabling          30 s    "ENABLING, and then ... ENABLED" (Stop: DISABLING, then
                                    DISABLED) without a duration; issue 16 observed seconds to
                                    minutes. Kinesis says of the same step "normally takes a
                                    few seconds to complete, but it can take minutes". An
                                    estimate.
firehose.deleting           180 s   BC-FH DeleteDeliveryStream: "A stream may remain in the
                                    DELETING state for several minutes."
firehose.grant_retirement   300 s   BC-KMS CreateGrant: "When you create, retire, or revoke a
                                    grant, there might be a brief delay, usually less than five
                                    minutes, until the grant is available throughout KMS" (the
                                    bound, after Firehose is done with the key: GRT-02, GRT-03).
firehose.delivery           10 s    the time from a buffer's flush to its object in S3. The
                                    buffer itself is the stream's (BC-FH BufferingHints:
                                    IntervalInSeconds "The default value is 300", SizeInMBs "The
                                    default value is 5"; CreateDeliveryStream: "buffers data up
                                    to 5 MB or for 5 minutes") and is honoured in every profile.
                                    The write after it is not documented: an estimate.
firehose.metrics            300 s   DG-MON: metrics are "automatically collected and pushed to
                                    CloudWatch every five minutes" (MET-08): a data point is
                                    published at the next multiple of this many seconds, with
                                    the timestamp of the failure it counts. BC-FH says "in one
                                    minute intervals" instead (AMB-16): set it to 60 for that.
kinesis.creating            30 s    not documented: BC-KDS CreateStream "immediately returns
                                    and sets the stream status to CREATING". An estimate.
kinesis.updating            5 s     BC-KDS StartStreamEncryption: "Updating or applying
                                    encryption normally takes a few seconds to complete, but it
                                    can take minutes."
kinesis.deleting            30 s    not documented: BC-KDS DeleteStream "is in the DELETING
                                    state until Kinesis Data Streams completes the deletion".
                                    An estimate.
==========================  ======  ==========================================================

An unqualified name is Firehose's (``creating`` is ``firehose.creating``); ``-`` and ``_`` are
alike. A TOML file may name a base profile and set any duration::

    profile = "aws"
    [firehose]
    creating = 60
    metrics = 60
    [kinesis]
    updating = 10
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reference_impl.firehose.settings import FirehoseSettings

NONE = "none"
AWS = "aws"
PROFILES = (NONE, AWS)
CUSTOM = "custom"


@dataclasses.dataclass(frozen=True)
class Latency:
    """Seconds each asynchronous step takes (the field ``firehose_creating`` is the name
    ``firehose.creating``). The defaults are the ``none`` profile."""

    profile: str = NONE  # what it was made from: none, aws, or custom once anything is set
    firehose_creating: float = FirehoseSettings.transition_seconds
    firehose_enabling: float = FirehoseSettings.transition_seconds
    firehose_disabling: float = FirehoseSettings.transition_seconds
    firehose_deleting: float = FirehoseSettings.transition_seconds
    firehose_grant_retirement: float = 0.0
    firehose_delivery: float = 0.0
    firehose_metrics: float = 0.0
    kinesis_creating: float = 1.0
    kinesis_updating: float = 1.0
    kinesis_deleting: float = 1.0

    # ---- making one ----------------------------------------------------------------------------
    @staticmethod
    def named(profile: str, transition_seconds: float | None = None) -> Latency:
        """A profile by name; ``transition_seconds`` sets Firehose's four transitions."""
        if profile not in PROFILES:
            raise ValueError(f"unknown latency profile {profile!r}; expected one of {PROFILES}")
        latency = AWS_PROFILE if profile == AWS else Latency()
        if transition_seconds is not None:
            latency = latency.firehose_transitions(transition_seconds)
        return latency

    @staticmethod
    def from_settings(settings: FirehoseSettings) -> Latency:
        """The ``none`` profile of a cloud made with these settings (what it reports)."""
        return Latency().firehose_transitions(settings.transition_seconds, keep_profile=True)

    def firehose_transitions(self, seconds: float, *, keep_profile: bool = False) -> Latency:
        """CREATING, ENABLING, DISABLING and DELETING all take ``seconds``."""
        _check(seconds, "transition seconds")
        return dataclasses.replace(
            self,
            profile=self.profile if keep_profile or self.profile == NONE else CUSTOM,
            firehose_creating=seconds,
            firehose_enabling=seconds,
            firehose_disabling=seconds,
            firehose_deleting=seconds,
        )

    def with_values(self, values: Mapping[str, float]) -> Latency:
        """These durations changed, by name (``firehose.creating``, ``creating``, ...)."""
        if not values:
            return self
        changes = {field_name(name): _check(seconds, name) for name, seconds in values.items()}
        return dataclasses.replace(self, profile=CUSTOM, **changes)

    # ---- reading one ---------------------------------------------------------------------------
    def seconds(self) -> dict[str, float]:
        """{name: seconds} for every duration, by its dotted name."""
        return {name: getattr(self, field_name(name)) for name in NAMES}

    def describe(self) -> dict[str, Any]:
        return {"profile": self.profile, "seconds": self.seconds()}

    @property
    def longest_firehose_transition(self) -> float:
        return max(
            self.firehose_creating,
            self.firehose_enabling,
            self.firehose_disabling,
            self.firehose_deleting,
        )

    # ---- applying one --------------------------------------------------------------------------
    def apply_to_firehose(self, settings: FirehoseSettings) -> FirehoseSettings:
        return dataclasses.replace(
            settings,
            transition_seconds=self.longest_firehose_transition,
            creating_seconds=self.firehose_creating,
            enabling_seconds=self.firehose_enabling,
            disabling_seconds=self.firehose_disabling,
            deleting_seconds=self.firehose_deleting,
            grant_retirement_seconds=self.firehose_grant_retirement,
            delivery_seconds=self.firehose_delivery,
            metric_interval_seconds=self.firehose_metrics,
        )

    def apply_to_kinesis(self, kinesis: Any) -> None:
        """Set a ``KinesisModel``'s transition times (attributes of the model)."""
        kinesis.create_seconds = self.kinesis_creating
        kinesis.transition_seconds = self.kinesis_updating
        kinesis.delete_seconds = self.kinesis_deleting


AWS_PROFILE = Latency(
    profile=AWS,
    firehose_creating=40.0,
    firehose_enabling=30.0,
    firehose_disabling=30.0,
    firehose_deleting=180.0,
    firehose_grant_retirement=300.0,
    firehose_delivery=10.0,
    firehose_metrics=300.0,
    kinesis_creating=30.0,
    kinesis_updating=5.0,
    kinesis_deleting=30.0,
)

NAMES = tuple(
    f.name.replace("_", ".", 1) for f in dataclasses.fields(Latency) if f.name != "profile"
)


def field_name(name: str) -> str:
    """The field of a duration's name: ``firehose.creating``, ``creating`` (Firehose's),
    ``firehose.grant-retirement`` -> ``firehose_grant_retirement``."""
    text = name.strip().lower().replace("-", "_")
    if "." not in text:
        text = f"firehose.{text}"
    service, _, step = text.partition(".")
    if f"{service}.{step}" not in NAMES:
        raise ValueError(f"unknown latency {name!r}; the names are: {', '.join(NAMES)}")
    return f"{service}_{step}"


def _check(seconds: Any, name: str) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError(f"{name}: a number of seconds, got {seconds!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name}: a finite number of seconds >= 0, got {seconds!r}")
    return float(seconds)


def parse_assignment(text: str) -> tuple[str, float]:
    """``NAME=SECONDS`` (``--latency-set``)."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"expected NAME=SECONDS, got {text!r}")
    field_name(name)  # the name is known
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{name.strip()}: not a number of seconds: {value!r}") from None
    return name.strip(), _check(seconds, name.strip())


def read_file(path: str | Path) -> tuple[str | None, dict[str, float]]:
    """(the base profile it names, if any; {name: seconds}) from a TOML file."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"cannot read latency file {path}: {error}") from None
    profile = document.pop("profile", None)
    if profile is not None and profile not in PROFILES:
        raise ValueError(f"{path}: unknown profile {profile!r}; expected one of {PROFILES}")
    values: dict[str, float] = {}
    for key, value in document.items():
        if isinstance(value, dict):  # [firehose] / [kinesis] tables
            for step, seconds in value.items():
                values[f"{key}.{step}"] = seconds
        else:
            values[key] = value
    for name, seconds in values.items():
        field_name(name)
        _check(seconds, name)
    return profile, values


def resolve(
    profile: str | None = None,
    *,
    transition_seconds: float | None = None,
    file: str | Path | None = None,
    assignments: Iterable[str] = (),
) -> Latency:
    """The latency ``serve`` runs with: the base profile (``profile``, else the file's, else
    none), then ``transition_seconds`` for Firehose's transitions, then the file's durations,
    then each ``NAME=SECONDS``."""
    file_profile, file_values = read_file(file) if file is not None else (None, {})
    return combine(
        profile or file_profile,
        transition_seconds,
        file_values,
        dict(parse_assignment(text) for text in assignments),
    )


def combine(
    profile: str | None,
    transition_seconds: float | None,
    file_values: Mapping[str, float],
    assignments: Mapping[str, float],
) -> Latency:
    """``resolve`` once its inputs are read: each later one wins."""
    latency = Latency.named(profile or NONE, transition_seconds)
    return latency.with_values(file_values).with_values(assignments)


def table() -> str:
    """Every duration: name, ``none``, ``aws`` (``serve --list-latency``)."""
    none, aws = Latency().seconds(), AWS_PROFILE.seconds()
    lines = [f"{'name':28s}{'none':>8s}{'aws':>8s}"]
    lines += [f"{name:28s}{none[name]:>7g}s{aws[name]:>7g}s" for name in NAMES]
    return "\n".join(lines)
