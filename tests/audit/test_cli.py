"""``firehose-conformance audit`` end to end: emulators over HTTP (``--endpoint-url``), the
formats, exit codes 0/1/2/130, --allow-partial, progress on stderr, throttling, several regions,
and the one-line errors."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from accounts import OWNED, SERVICES, Account, build_common, cmk

from firehose_conformance.cli import main


@pytest.fixture
def url(moto_url: str) -> str:
    return moto_url


def account_at(url: str, region: str = "us-east-1") -> Account:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    clients = {s: session.client(s, endpoint_url=url) for s in SERVICES}
    return Account(clients, region=region)


def audit_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.slow
def test_the_default_table_and_exit_1_when_a_finding_fails(url: str, capsys) -> None:
    account = account_at(url)
    build_common(account)
    code, out, err = audit_cli(capsys, "--endpoint-url", url)
    assert (code, err) == (1, "")
    header = out.splitlines()[0].split()
    assert header == ["stream", "finding", "verdict", "requirements", "message"]
    assert "dp-off" in out and "(KinesisStreamAsSource)" in out
    assert out.rstrip().splitlines()[-1] == (
        f"9 stream(s) of account 123456789012 in us-east-1 at {url}: 27 passed, 6 failed, "
        "0 error, 24 warn, 6 not_applicable"
    )
    assert "failed (high)" in out and "warn (low)" in out


@pytest.mark.slow
def test_json_is_the_whole_report(url: str, capsys) -> None:
    account = account_at(url)
    account.direct_put("dp-owned", sse=OWNED)
    account.alarms("dp-owned")
    account.direct_put("dp-off")
    code, out, _ = audit_cli(capsys, "--endpoint-url", url, "--format", "json")
    document = json.loads(out)
    assert code == document["exit_code"] == 1
    assert document["schema"] == "firehose-conformance/audit/v3"
    assert document["accounts"] == ["123456789012"]
    assert document["regions"] == ["us-east-1"]
    assert document["endpoint_url"] == url
    assert document["summary"] == {
        "streams": 2,
        "passed": 5,
        "failed": 1,
        "error": 0,
        "warn": 4,
        "not_applicable": 0,
    }
    off = next(s for s in document["streams"] if s["name"] == "dp-off")
    assert off["arn"] == "arn:aws:firehose:us-east-1:123456789012:deliverystream/dp-off"
    assert off["source_type"] == "DirectPut"
    assert off["verdict"] == "failed"
    first = off["findings"][0]
    assert first == {
        "id": "sse-status",
        "verdict": "failed",
        "severity": "high",
        "requirements": ["SRC-09", "SSE-04"],
        "message": first["message"],
        "evidence": {
            "DeliveryStreamType": "DirectPut",
            "DeliveryStreamEncryptionConfiguration": "(missing)",
        },
    }
    for stream in document["streams"]:
        for finding in stream["findings"]:
            assert set(finding) == {
                "id",
                "verdict",
                "severity",
                "requirements",
                "message",
                "evidence",
            }


@pytest.mark.slow
def test_markdown_has_a_section_per_stream_with_the_evidence(url: str, capsys) -> None:
    account = account_at(url)
    account.direct_put("dp-cmk", sse=cmk(account.key()))
    code, out, _ = audit_cli(capsys, "--endpoint-url", url, "--format", "md")
    assert code == 0
    assert out.startswith("# Firehose data-protection audit\n")
    assert "## dp-cmk (us-east-1): warn" in out
    assert (
        "| sse-key-spec | passed | informational | KEY-01, KEY-02 | a symmetric encryption key |"
        in out
    )
    assert '`KeyMetadata.KeySpec`: `"SYMMETRIC_DEFAULT"`' in out


@pytest.mark.slow
def test_a_compliant_account_exits_0_despite_warnings(url: str, capsys) -> None:
    account_at(url).direct_put("only", sse=OWNED)
    code, out, _ = audit_cli(capsys, "--endpoint-url", url)
    assert code == 0
    assert out.rstrip().endswith("1 passed, 0 failed, 0 error, 4 warn, 0 not_applicable")


@pytest.mark.slow
def test_several_regions_and_named_streams(url: str, capsys) -> None:
    account_at(url).direct_put("east", sse=OWNED)
    account_at(url, "eu-west-1").direct_put("west")
    args = ["--endpoint-url", url, "--region", "us-east-1", "--region", "eu-west-1"]
    code, out, _ = audit_cli(capsys, *args, "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["regions"] == ["us-east-1", "eu-west-1"]
    assert [(s["region"], s["name"]) for s in document["streams"]] == [
        ("us-east-1", "east"),
        ("eu-west-1", "west"),
    ]
    code, out, _ = audit_cli(capsys, *args)
    assert "eu-west-1/west" in out and "us-east-1/east" in out
    code, out, _ = audit_cli(capsys, *args, "--stream", "east", "--format", "json")
    assert code == 0
    assert [s["name"] for s in json.loads(out)["streams"]] == ["east"]


@pytest.mark.slow
def test_an_empty_account(url: str, capsys) -> None:
    code, out, _ = audit_cli(capsys, "--endpoint-url", url)
    assert code == 0
    assert out.startswith("no delivery streams\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stream", "ghost"], "no delivery stream named ghost in us-east-1"),
        (["--endpoint-url", "ftp://x"], "--endpoint-url must be an http:// or https:// URL"),
        (["--endpoint-url", "http://127.0.0.1:99999"], "--endpoint-url has a bad port"),
    ],
)
def test_an_audit_that_cannot_run_is_one_line_and_exit_2(
    url: str, capsys, args: list[str], message: str
) -> None:
    if "--endpoint-url" not in args:
        args = ["--endpoint-url", url, *args]
    code, out, err = audit_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith(f"firehose-conformance: error: audit: {message}")
    assert err.count("\n") == 1


def test_an_unreachable_endpoint_is_one_line_and_exit_2(closed_url: str, capsys) -> None:
    endpoint = closed_url
    code, _, err = audit_cli(capsys, "--endpoint-url", endpoint)
    assert code == 2
    assert err.startswith("firehose-conformance: error: audit: cannot reach firehose in us-east-1")
    assert endpoint in err and err.count("\n") == 1


def test_no_credentials_without_an_endpoint_stops_before_any_request(
    closed_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # A slip could not reach AWS: every request would go to a proxy where nothing listens.
    # (AWS_ENDPOINT_URL would not do: the audit now audits the endpoint it names.)
    monkeypatch.setenv("HTTPS_PROXY", closed_url)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, err = audit_cli(capsys)
    assert code == 2
    assert err == (
        "firehose-conformance: error: audit: no AWS credentials found "
        "(environment, shared config or --profile)\n"
    )


@pytest.mark.slow
def test_an_emulator_needs_no_credentials(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code, out, _ = audit_cli(capsys, "--endpoint-url", url, "--format", "json")
    assert code == 0
    assert json.loads(out)["regions"] == ["us-east-1"]


def test_an_unknown_profile_and_a_missing_region_are_one_line(
    closed_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # A slip could not reach AWS: every request would go to a proxy where nothing listens.
    # (AWS_ENDPOINT_URL would not do: the audit now audits the endpoint it names.)
    monkeypatch.setenv("HTTPS_PROXY", closed_url)
    code, _, err = audit_cli(capsys, "--profile", "nope")
    assert code == 2
    assert err == "firehose-conformance: error: audit: the AWS profile 'nope' is not configured\n"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code, _, err = audit_cli(capsys)
    assert code == 2
    assert "no region: pass --region" in err


def test_the_reference_server_is_audited_over_http(capsys) -> None:
    from reference_impl.clock import ClockMode
    from reference_impl.wire import server as server_module

    options = server_module.ServerOptions(port=0, clock=ClockMode.MANUAL)
    with server_module.ReferenceServer(options, rate_limits=False) as server:
        cloud = server.cloud
        account = Account({s: cloud.client(s) for s in SERVICES}, settle=lambda: cloud.advance(30))
        account.direct_put("dp-asymmetric", sse=cmk(account.key("RSA_2048")))
        account.kinesis_sourced("kds-plain", account.data_stream("src-plain"))
        code, out, err = audit_cli(capsys, "--endpoint-url", server.url, "--format", "json")
        partial = audit_cli(capsys, "--endpoint-url", server.url, "--allow-partial")
    document = json.loads(out)
    assert code == 2  # it serves no CloudWatch alarms: those findings could not be evaluated
    assert "the account is not known" not in err  # the reference's STS names it
    assert document["accounts"] == ["123456789012"]
    assert partial[0] == 1  # the failures it could read
    assert "partial audit (--allow-partial): 4 finding(s)" in partial[1]
    verdicts = {
        (s["name"], f["id"]): f["verdict"] for s in document["streams"] for f in s["findings"]
    }
    assert verdicts[("dp-asymmetric", "sse-status")] == "failed"
    assert verdicts[("dp-asymmetric", "sse-key-spec")] == "failed"
    assert verdicts[("dp-asymmetric", "alarm-KMSKeyDisabled")] == "error"
    assert verdicts[("kds-plain", "sse-status")] == "not_applicable"
    assert verdicts[("kds-plain", "source-sse")] == "failed"


@pytest.mark.slow
def test_progress_is_a_line_per_stream_on_stderr_and_none_when_quiet(url: str, capsys) -> None:
    account = account_at(url)
    account.direct_put("one", sse=OWNED)
    account.direct_put("two")
    code, out, err = audit_cli(capsys, "--endpoint-url", url, "--progress")
    assert code == 1
    assert err.splitlines() == [
        "audit: us-east-1: 2 delivery stream(s) to audit",
        "audit: [1/2] us-east-1 one: warn (4 warn)",
        "audit: [2/2] us-east-1 two: failed (1 failed, 4 warn)",
    ]
    assert "audit:" not in out
    assert audit_cli(capsys, "--endpoint-url", url)[2] == ""  # stderr is no terminal here
    assert audit_cli(capsys, "--endpoint-url", url, "--quiet")[2] == ""


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "marker"), [("ocsf", '"class_uid": 2004'), ("sarif", '"2.1.0"')])
def test_ocsf_and_sarif_from_the_command(url: str, capsys, fmt: str, marker: str) -> None:
    account_at(url).direct_put("off")
    code, out, _ = audit_cli(capsys, "--endpoint-url", url, "--format", fmt)
    assert code == 1
    assert marker in out
    json.loads(out)


def test_a_throttling_server_costs_seconds_and_says_it_is_waiting(capsys) -> None:
    """A manual-clock reference server with its five-calls-per-second limit (API-08): time never
    passes there, so throttling never ends. The audit waits within --max-wait, says so, and ends
    with errors (exit 2) rather than minutes of silence."""
    from reference_impl.clock import ClockMode
    from reference_impl.wire import server as server_module

    options = server_module.ServerOptions(port=0, clock=ClockMode.MANUAL)
    with server_module.ReferenceServer(options, rate_limits=True) as server:
        cloud = server.cloud
        account = Account({s: cloud.client(s) for s in SERVICES}, settle=lambda: cloud.advance(30))
        for index in range(7):
            account.direct_put(f"s{index}", sse=OWNED)
        started = time.monotonic()
        code, out, err = audit_cli(
            capsys, "--endpoint-url", server.url, "--max-wait", "1.5", "--format", "json"
        )
        took = time.monotonic() - started
    assert code == 2
    assert took < 20
    lines = err.splitlines()
    assert (
        "audit: throttled: firehose DescribeDeliveryStream in us-east-1 (ThrottlingException); "
        "waiting 0.5 s (retry 1 of 6; 2 s of the audit's 2 s left)"
    ) in lines
    assert any(line.startswith("audit: gave up waiting: 2 s spent") for line in lines)
    describes = [
        f["verdict"]
        for s in json.loads(out)["streams"]
        for f in s["findings"]
        if f["id"] == "describe"
    ]
    assert describes == ["error", "error"]


def test_ctrl_c_ends_the_audit_with_one_line_and_130(
    closed_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from firehose_conformance.commands import audit as command

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "open_account", interrupted)
    code, out, err = audit_cli(capsys, "--endpoint-url", closed_url)
    assert (code, out) == (130, "")
    assert err == "firehose-conformance: audit interrupted; no report\n"


def test_a_negative_max_wait_is_a_usage_error(capsys) -> None:
    code, _, err = audit_cli(capsys, "--max-wait", "-1")
    assert code == 2
    assert err == "firehose-conformance: error: --max-wait must be 0 or more seconds\n"
