"""boto3 sessions, client settings and endpoint URLs, made one way for every target and the audit.

Every session is a ``PinnedSession``, so every client loads the vendored model snapshot rather
than the installed botocore's models. Emulators accept any credentials: where the credential
chain finds none, the dummy pair ``testing`` stands in, so that real credentials never have to
be configured to talk to one.

Endpoints are never left to botocore: every client is told its endpoint URL (or none: AWS's
own), and ``ignore_configured_endpoint_urls`` stops botocore from following ``AWS_ENDPOINT_URL``
behind the harness's back. The harness reads the configured endpoints itself, in boto3's order
(``configured_endpoint``), so that it can say where a URL came from and refuse surprises: the
``aws`` target refuses to start while one is configured, and the ``endpoint`` target needs one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from reference_impl.aws_models import PinnedSession

DUMMY_CREDENTIALS = "testing"
# Every service a run talks to (STS: who the credentials are, and the account).
SUITE_SERVICES = ("firehose", "kms", "kinesis", "cloudwatch", "s3", "sts")
# Hosts of AWS itself, which the endpoint target (an emulator's) must never be pointed at.
AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


@dataclass(frozen=True)
class Setting:
    """A value and where it came from, as the user would name it (``--region``, ``AWS_REGION``,
    ``profile dev in the AWS config``, ...)."""

    value: str
    source: str


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


def account_session(account_id: str, region: str | None) -> PinnedSession:
    """Dummy credentials whose access key id is the 12-digit ``account_id``: for emulators that
    take such a key as the account (the reference server, LocalStack); never for AWS."""
    return PinnedSession(
        aws_access_key_id=account_id,
        aws_secret_access_key=DUMMY_CREDENTIALS,
        region_name=region,
    )


def add_account_header(client: Any, account_id: str) -> None:
    """Every request of ``client`` names ``account_id`` in ``x-moto-account-id`` (moto_server's
    way to choose an account, ``moto/core/responses.py`` ``get_current_account``; other
    emulators ignore the header)."""

    def name_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign", name_account)


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
        # The harness says where each client goes; AWS_ENDPOINT_URL never redirects one.
        "ignore_configured_endpoint_urls": True,
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


def is_aws_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host.endswith(suffix) for suffix in AWS_HOST_SUFFIXES)


def profile_session(profile: str | None, region: str | None = None) -> PinnedSession:
    """A session of ``profile`` (None: ``AWS_PROFILE`` or the default, as boto3 chooses);
    ValueError naming a profile that is not configured."""
    try:
        return PinnedSession(profile_name=profile or None, region_name=region)
    except ProfileNotFound:
        raise ValueError(f"the AWS profile {profile!r} is not configured") from None


def _profile_name(session: PinnedSession) -> str:
    return session._session.profile or "default"


def configured_endpoint(session: PinnedSession, service: str) -> Setting | None:
    """The endpoint URL boto3 would give a client of ``service`` made without one, and where it
    came from; None when the client would go to AWS itself.

    botocore's order (``ConfiguredEndpointProvider``): ``AWS_ENDPOINT_URL_<SERVICE>``, then
    ``AWS_ENDPOINT_URL``, then the profile's ``services`` section, then the profile's
    ``endpoint_url``; none of them when ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (or the config's
    ``ignore_configured_endpoint_urls``) is true.
    """
    core = session._session
    if core.get_config_variable("ignore_configured_endpoint_urls"):
        return None
    service_id = service.replace("-", "_")
    for name in (f"AWS_ENDPOINT_URL_{service_id.upper()}", "AWS_ENDPOINT_URL"):
        if os.environ.get(name):
            return Setting(os.environ[name], name)
    scoped = core.get_scoped_config()
    profile = _profile_name(session)
    section = scoped.get("services")
    if section:
        services = core.full_config.get("services", {}).get(section) or {}
        url = (services.get(service_id) or {}).get("endpoint_url")
        if url:
            return Setting(url, f"the services section {section!r} of profile {profile}")
    if scoped.get("endpoint_url"):
        return Setting(scoped["endpoint_url"], f"endpoint_url of profile {profile}")
    return None


def one_endpoint(
    session: PinnedSession,
    given: str | None = None,
    *,
    given_as: str = "--endpoint-url",
    services: Sequence[str] = SUITE_SERVICES,
) -> Setting | None:
    """The one URL every service of a run is reached at: ``given`` (a flag or an option), else
    the configured endpoint of every service (``configured_endpoint``); None when none is.

    One implementation, one URL: Firehose delivers to its own S3 with its own KMS, so a run
    reading them elsewhere would judge the wrong thing. Configured endpoints that differ from
    service to service, or that leave a service to AWS, are a ValueError that names them.
    """
    if given:
        return Setting(check_endpoint_url(given, given_as), given_as)
    found = {service: configured_endpoint(session, service) for service in services}
    where = {s: (f.value, f.source) if f else ("AWS", "") for s, f in found.items()}
    if set(where.values()) == {("AWS", "")}:
        return None
    if len({url for url, _ in where.values()}) > 1:
        groups = {place: [s for s in services if where[s] == place] for place in where.values()}
        shown = "; ".join(
            f"{', '.join(names)} at {url}" + (f" ({source})" if source else "")
            for (url, source), names in groups.items()
        )
        raise ValueError(
            f"the configured endpoints differ from service to service ({shown}); the suite "
            "talks to one implementation at one URL: pass --endpoint-url URL or set "
            "AWS_ENDPOINT_URL alone"
        )
    first = found[services[0]]
    assert first is not None
    return Setting(check_endpoint_url(first.value, first.source), first.source)


def configured_region(session: PinnedSession, given: str | None = None) -> Setting | None:
    """``given`` (``--region``), else ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else the
    profile's ``region``; None when none is set. (boto3 itself reads ``AWS_DEFAULT_REGION`` and
    the profile; ``AWS_REGION`` first is the AWS CLI's and the other SDKs' order.)"""
    if given:
        return Setting(given, "--region")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return Setting(os.environ[name], name)
    region = session._session.get_scoped_config().get("region")
    if region:
        return Setting(region, f"region of profile {_profile_name(session)}")
    return None
