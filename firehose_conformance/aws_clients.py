"""boto3 sessions, client settings and endpoint URLs, made one way for every target and the audit.

Every session is a ``PinnedSession``, so every client loads the vendored model snapshot rather
than the installed botocore's models. Emulators accept any credentials: where the credential
chain finds none, the dummy pair ``testing`` stands in, so that real credentials never have to
be configured to talk to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.config import Config

from reference_impl.aws_models import PinnedSession

DUMMY_CREDENTIALS = "testing"


@dataclass(frozen=True)
class Timeouts:
    """How long a client waits for a connection and for an answer, in seconds."""

    connect: float
    read: float


EMULATOR_TIMEOUTS = Timeouts(connect=5.0, read=30.0)
AWS_TIMEOUTS = Timeouts(connect=10.0, read=60.0)


def dummy_session(region: str | None) -> PinnedSession:
    """A session with the dummy credentials: for emulators, never for AWS."""
    return PinnedSession(
        aws_access_key_id=DUMMY_CREDENTIALS,
        aws_secret_access_key=DUMMY_CREDENTIALS,
        region_name=region,
    )


def or_dummy_credentials(session: PinnedSession) -> PinnedSession:
    """``session``, or a dummy-credential one in its region when the chain found nothing."""
    if session.get_credentials() is not None:
        return session
    return dummy_session(session.region_name)


def client_config(
    region: str,
    *,
    validate: bool = True,
    attempts: int = 1,
    timeouts: Timeouts | None = None,
    path_style: bool = False,
) -> Config:
    """botocore's standard retry mode with ``attempts`` in all.

    One attempt (the default) for a target under test: a 5xx is reported as its misbehaviour,
    never retried away. ``validate=False`` lets a scenario send what the model forbids;
    ``path_style`` addresses S3 buckets by path, as emulators on one host need.
    """
    settings: dict[str, Any] = {
        "region_name": region,
        "parameter_validation": validate,
        "retries": {"total_max_attempts": attempts, "mode": "standard"},
    }
    if timeouts is not None:
        settings.update(connect_timeout=timeouts.connect, read_timeout=timeouts.read)
    if path_style:
        settings["s3"] = {"addressing_style": "path"}
    return Config(**settings)


def make_client(
    session: PinnedSession, service: str, config: Config, endpoint_url: str | None = None
) -> Any:
    """A client of ``service``, at ``endpoint_url`` when one is given (else AWS's own)."""
    extra = {"endpoint_url": endpoint_url} if endpoint_url else {}
    return session.client(service, config=config, **extra)


def check_endpoint_url(value: str, name: str = "endpoint_url") -> str:
    """``value`` when it is an http(s) URL with a host and a valid port; else ValueError whose
    message names the option (``name``) as the user gave it."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http:// or https:// URL, got {value!r}")
    try:
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise ValueError(f"{name} has a bad port: {value!r}") from None
    return value
