"""One way to name an endpoint: --endpoint-url, --region, --profile and boto3's environment and
config, the same for run, audit and sweep (precedence flag > environment > config, as boto3)."""

from __future__ import annotations

import argparse
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from firehose_conformance.aws_clients import (
    SUITE_SERVICES,
    configured_endpoint,
    configured_region,
    one_endpoint,
    profile_session,
)
from firehose_conformance.cli import main
from firehose_conformance.errors import UsageError
from firehose_conformance.targets import make_target
from firehose_conformance.targets.options import choose_target, options_from_args

COMMANDS = ("run", "audit", "sweep")


@pytest.fixture(autouse=True)
def clean_environment(no_real_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)


def write_config(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path.write_text(text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))


def args(**given: Any) -> argparse.Namespace:
    values = {
        "target": None,
        "target_option": [],
        "allow_live_aws": False,
        "account_id": None,
        "endpoint_url": None,
        "region": [],
        "profile": None,
        "label": None,
        **given,
    }
    return argparse.Namespace(**values)


# ---- the endpoint, as boto3 finds it -----------------------------------------------------------
CONFIG = """
[default]
region = ap-south-1
endpoint_url = http://profile-global:1
services = local

[profile dev]
region = sa-east-1

[services local]
kms =
  endpoint_url = http://section-kms:2
"""


def test_endpoint_precedence_is_botocore_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Service variable > global variable > the profile's services section > its endpoint_url;
    each answer is the URL botocore itself gives a client made without one."""
    write_config(tmp_path / "config", CONFIG, monkeypatch)

    def both(service: str) -> tuple[str | None, str | None]:
        found = configured_endpoint(profile_session(None), service)
        botocore_s = boto3.session.Session().client(service, region_name="us-east-1")
        return (found.value if found else None), botocore_s.meta.endpoint_url

    assert both("firehose") == ("http://profile-global:1", "http://profile-global:1")
    assert both("kms") == ("http://section-kms:2", "http://section-kms:2")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://global-env:3")
    assert both("kms") == ("http://global-env:3", "http://global-env:3")
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://kms-env:4")
    assert both("kms") == ("http://kms-env:4", "http://kms-env:4")
    found = configured_endpoint(profile_session(None), "kms")
    assert found is not None and found.source == "AWS_ENDPOINT_URL_KMS"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert configured_endpoint(profile_session(None), "kms") is None


def test_one_url_for_every_service_or_a_line_naming_them(monkeypatch: pytest.MonkeyPatch) -> None:
    session = profile_session(None)
    assert one_endpoint(session) is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    found = one_endpoint(session)
    assert (found.value, found.source) == ("http://127.0.0.1:4566", "AWS_ENDPOINT_URL")
    given = one_endpoint(session, "http://127.0.0.1:5000")
    assert (given.value, given.source) == ("http://127.0.0.1:5000", "--endpoint-url")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
    with pytest.raises(ValueError) as raised:
        one_endpoint(session)
    assert str(raised.value) == (
        "the configured endpoints differ from service to service (firehose, kms, kinesis, "
        "cloudwatch, sts at http://127.0.0.1:4566 (AWS_ENDPOINT_URL); s3 at http://127.0.0.1:9000 "
        "(AWS_ENDPOINT_URL_S3)); the suite talks to one implementation at one URL: pass "
        "--endpoint-url URL or set AWS_ENDPOINT_URL alone"
    )
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("AWS_ENDPOINT_URL_FIREHOSE", "http://127.0.0.1:4566")
    with pytest.raises(ValueError, match=r"kms, kinesis, cloudwatch, s3, sts at AWS"):
        one_endpoint(session)
    assert SUITE_SERVICES[0] == "firehose"


def test_region_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region."""
    write_config(tmp_path / "config", CONFIG, monkeypatch)

    def region(given: str | None = None, profile: str | None = None) -> tuple[str, str] | None:
        found = configured_region(profile_session(profile), given)
        return (found.value, found.source) if found else None

    assert region() == ("ap-south-1", "region of profile default")
    assert region(profile="dev") == ("sa-east-1", "region of profile dev")
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert region() == ("sa-east-1", "region of profile dev")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    assert region() == ("eu-north-1", "AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert region() == ("eu-west-3", "AWS_REGION")
    assert region("us-west-2") == ("us-west-2", "--region")


# ---- which target, and which options ---------------------------------------------------------
def test_the_target_follows_the_flag_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert choose_target(args(), "reference") == "reference"
    assert choose_target(args(), "aws") == "aws"
    assert choose_target(args(endpoint_url="http://127.0.0.1:1"), "reference") == "endpoint"
    assert choose_target(args(target_option=["endpoint_url=http://h:1"]), "aws") == "endpoint"
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert choose_target(args(target="moto"), "reference") == "moto"
    assert capsys.readouterr().err == ""
    assert choose_target(args(), "reference") == "endpoint"
    assert capsys.readouterr().err == (
        "firehose-conformance: target endpoint at http://127.0.0.1:4566 (AWS_ENDPOINT_URL is "
        "set); pass --target to choose another\n"
    )
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert choose_target(args(), "reference") == "reference"


def test_flags_become_options_of_the_targets_that_take_them() -> None:
    given = args(endpoint_url="http://127.0.0.1:1", region=["eu-west-1"], profile="p", label="ls")
    assert options_from_args(given, "endpoint") == {
        "endpoint_url": "http://127.0.0.1:1",
        "region": "eu-west-1",
        "aws_profile": "p",
        "label": "ls",
    }
    aws = args(region=["eu-west-1"], profile="p", allow_live_aws=True, account_id="1" * 12)
    assert options_from_args(aws, "aws") == {
        "allow_live_aws": "yes",
        "account_id": "1" * 12,
        "region": "eu-west-1",
        "aws_profile": "p",
    }


@pytest.mark.parametrize(
    ("given", "target", "message"),
    [
        ({"region": ["eu-west-1"]}, "reference", "--region applies to --target endpoint or aws"),
        ({"profile": "p"}, "moto", "--profile applies to --target endpoint or aws, not 'moto'"),
        ({"endpoint_url": "http://h:1"}, "aws", "--endpoint-url names an emulator: use it with"),
        ({"region": ["a-b-1", "c-d-2"]}, "endpoint", "--region: one region per run, got a-b-1"),
        (
            {"region": ["eu-west-1"], "target_option": ["region=us-east-1"]},
            "endpoint",
            "--region eu-west-1 and --target-option region=us-east-1 disagree",
        ),
        ({"label": "two words"}, "reference", "--label must be 1-64 letters"),
    ],
)
def test_flags_a_target_does_not_take_are_usage_errors(
    given: dict[str, Any], target: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        options_from_args(args(**given), target)


# ---- the same errors from run, audit and sweep -----------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_endpoint_url_is_the_same_line_for_every_command(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--endpoint-url", "ftp://127.0.0.1"]) == 2
    err = capsys.readouterr().err
    assert "--endpoint-url must be an http:// or https:// URL, got 'ftp://127.0.0.1'" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", COMMANDS)
def test_differing_configured_endpoints_are_the_same_line_for_every_command(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_FIREHOSE", "http://127.0.0.1:1")
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("firehose-conformance: error: the configured endpoints differ")
    assert "firehose at http://127.0.0.1:1 (AWS_ENDPOINT_URL_FIREHOSE)" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_the_aws_target_refuses_a_configured_endpoint(
    command: str, closed_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_url)
    argv = [command, "--target", "aws", "--allow-live-aws", "--account-id", "1" * 12]
    assert main([*argv, "--region", "eu-west-1"]) == 2
    assert capsys.readouterr().err == (
        f"firehose-conformance: error: target 'aws': AWS_ENDPOINT_URL is set ({closed_url}): the "
        "aws target talks to AWS itself and never follows it; unset it (or set "
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), or run an emulator with --target endpoint\n"
    )


def test_the_endpoint_target_never_talks_to_aws(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--target", "endpoint"]) == 2
    assert "needs an endpoint URL" in capsys.readouterr().err
    assert main(["run", "--endpoint-url", "https://firehose.us-east-1.amazonaws.com"]) == 2
    assert capsys.readouterr().err == (
        "firehose-conformance: error: target 'endpoint': https://firehose.us-east-1.amazonaws.com "
        "(--endpoint-url) is AWS itself: the endpoint target is for emulators; a real account is "
        "--target aws\n"
    )


# ---- something that is not the Firehose API at the URL ---------------------------------------
class _NotAws(BaseHTTPRequestHandler):
    """Any request: 200 and a health document, or an HTML page (``html`` on the server)."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if getattr(self.server, "html", False):
            body, kind = b"<!doctype html><title>Welcome</title>", "text/html"
        else:
            body = json.dumps({"services": {"firehose": "running"}, "version": "9.9"}).encode()
            kind = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(params=["health", "html"])
def not_aws(request: pytest.FixtureRequest) -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NotAws)
    server.html = request.param == "html"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/_localstack/health"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_url_that_is_not_the_firehose_api_is_refused_in_one_line(
    command: str, not_aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--endpoint-url", not_aws]) == 2
    err = capsys.readouterr().err
    assert (
        f"the endpoint {not_aws} does not answer as the Firehose API (ListDeliveryStreams " in err
    )
    assert "HTTP 200" in err and "without DeliveryStreamNames" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("name", ["reference", "moto"])
def test_reference_and_moto_never_follow_aws_endpoint_url(
    name: str, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_url)
    made = make_target(name)
    try:
        assert made.firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    finally:
        made.close()
