"""The endpoint target against moto_server on 127.0.0.1: the same verdicts as moto in process,
HTTP 500s as errors, and bad usage (an unreachable URL, unknown options) as one line, exit 2."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from firehose_conformance.cli import main
from firehose_conformance.runner import Selection, run_suite
from firehose_conformance.targets import make_target
from firehose_conformance.targets.endpoint import (
    EMULATOR_PROFILE,
    FAST_EMULATOR_OPTIONS,
    EndpointTarget,
)
from firehose_conformance.targets.endpoint_probe import describe_server
from firehose_conformance.targets.endpoint_probe import tidy as _tidy

SELECTION = "API-04 or SSE-02 or SSE-17 or SRC-10 or KEY-06"
FAST = dict(FAST_EMULATOR_OPTIONS)


def verdicts(target: str, options: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Scenario name -> its entry in the results document of one run of the selection."""
    run = run_suite(target, options, Selection(markers=SELECTION))
    return {s.name: asdict(s) for s in run.results.scenarios}


def _endpoint_args(url: str, *options: str) -> list[str]:
    args = ["--target", "endpoint", "--target-option", f"endpoint_url={url}"]
    for option in options:
        args += ["--target-option", option]
    return args


@pytest.fixture(scope="module")
def both(moto_server: str) -> tuple[dict[str, Any], dict[str, Any]]:
    endpoint = verdicts("endpoint", {"endpoint_url": moto_server, **FAST})
    return endpoint, verdicts("moto")


@pytest.mark.slow
def test_moto_server_gets_the_verdicts_of_moto_in_process(both: tuple[dict, dict]) -> None:
    endpoint, in_process = both
    assert endpoint.keys() == in_process.keys()
    assert len(endpoint) >= 15
    for name, scenario in endpoint.items():
        assert scenario["verdict"] == in_process[name]["verdict"], name
    assert "passed" in {s["verdict"] for s in endpoint.values()}


@pytest.mark.slow
def test_http_500_is_an_error_saying_so_in_one_line(both: tuple[dict, dict]) -> None:
    endpoint, _ = both
    scenario = endpoint["Start without an encryption input enables an AWS owned key"]
    assert scenario["verdict"] == "error"
    assert "HTTP 500" in scenario["reason"]
    assert "StartDeliveryStreamEncryption" in scenario["reason"]
    assert "\n" not in scenario["reason"] and "<html" not in scenario["reason"]


@pytest.mark.slow
def test_needs_clock_is_not_applicable_on_an_endpoint(both: tuple[dict, dict]) -> None:
    endpoint, _ = both
    clock = endpoint["Start is asynchronous: the status is ENABLING until time passes"]
    assert clock["verdict"] == "not_applicable"
    assert "@needs-clock" in clock["reason"]


def test_unreachable_endpoint_is_one_line_and_exit_2(
    closed_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_url
    assert main(["run", *_endpoint_args(url)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"firehose-conformance: error: target 'endpoint': cannot reach the endpoint {url}: "
        "connection refused\n"
    )
    assert "requirement" not in captured.out  # no table of untested requirements


class _NotFound(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_web_server_that_is_not_firehose_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert main(["run", *_endpoint_args(url)]) == 2
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "does not answer as the Firehose API (ListDeliveryStreams got HTTP 404" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ([], "needs an endpoint URL: --endpoint-url URL, AWS_ENDPOINT_URL"),
        (["endpoint_url=ftp://127.0.0.1"], "must be an http:// or https:// URL"),
        (["endpoint_url=http://127.0.0.1:1", "colour=blue"], "unknown option(s) colour"),
        (["endpoint_url=http://127.0.0.1:1", "poll_max=soon"], "poll_max must be a number"),
        (["endpoint_url=http://127.0.0.1:1", "metric_timeout=-1"], "must be a positive number"),
        (["endpoint_url=http://127.0.0.1:1", "account_id=12"], "account_id must be 12 digits"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    options: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--target", "endpoint"]
    for option in options:
        argv += ["--target-option", option]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1


@pytest.mark.slow
def test_options_set_region_and_wait_bounds_and_sts_the_account(moto_server: str) -> None:
    made = make_target(
        "endpoint", endpoint_url=moto_server, region="eu-west-1", transition_timeout="7.5"
    )
    assert isinstance(made, EndpointTarget)
    assert (made.region, made.account_id) == ("eu-west-1", "123456789012")
    assert made.profile.transition_timeout == 7.5
    assert made.profile.delivery_timeout == EMULATOR_PROFILE.delivery_timeout
    assert made.capabilities == made.discover_capabilities() == frozenset()
    assert made.firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    identity = made.identity()
    assert identity["account_source"] == "STS GetCallerIdentity"
    assert identity["region_source"] == "--region"
    assert identity["implementation"] == "moto server"
    assert identity["server"].startswith("Werkzeug/")


@pytest.mark.slow
def test_an_account_id_that_sts_contradicts_is_refused(
    moto_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--endpoint-url", moto_server, "--account-id", "111122223333"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "firehose-conformance: error: target 'endpoint': account_id 111122223333 was given, but "
        f"STS GetCallerIdentity at {moto_server} answers 123456789012 for these credentials\n"
    )


@pytest.mark.slow
def test_dummy_credentials_only_when_botocore_finds_none(
    moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    made = make_target("endpoint", endpoint_url=moto_server)
    assert made._session.get_credentials().access_key == "testing"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    made = make_target("endpoint", endpoint_url=moto_server)
    assert made._session.get_credentials().access_key == "AKIDFROMENV"


def test_tidy_shows_an_html_error_page_by_its_title() -> None:
    page = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<p>x</p>\n"
    assert _tidy(f"HTTP 500 500 from Start: {page}") == (
        "HTTP 500 500 from Start: an HTML page titled '500 Internal Server Error'"
    )
    assert _tidy("HTTP 503 Slow from X:\n  try  later") == "HTTP 503 Slow from X: try later"


class _LocalStackHealth(BaseHTTPRequestHandler):
    """Answers GET /_localstack/health as LocalStack does, with the edition the test sets."""

    edition = "unknown"

    def do_GET(self) -> None:
        found = self.path == "/_localstack/health"
        body = json.dumps({"version": "2026.3.0", "edition": self.edition}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("edition", "implementation"),
    [
        # LocalStack on the host (no Docker image, no edition marker) says "unknown".
        ("unknown", "LocalStack 2026.3.0"),
        ("", "LocalStack 2026.3.0"),
        ("community", "LocalStack 2026.3.0 (community)"),
    ],
)
def test_localstack_is_named_by_its_health_without_an_unknown_edition(
    edition: str, implementation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_LocalStackHealth, "edition", edition)
    server = HTTPServer(("127.0.0.1", 0), _LocalStackHealth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        found = describe_server(url, {"server": "hypercorn-h11"})
    finally:
        server.shutdown()
        server.server_close()
    assert found == {"server": "hypercorn-h11", "implementation": implementation}
