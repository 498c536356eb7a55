"""Whom the endpoint target talks to, end to end: AWS_ENDPOINT_URL alone runs the suite, the
account comes from STS where the endpoint offers it (else the server's health), --label names
the run in merged reports, and sweep and audit read the same endpoint."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from firehose_conformance.cli import main
from firehose_conformance.results import read_results
from firehose_conformance.targets import make_target
from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions

SELECTION = ["--", "-m", "API-04"]  # two quick scenarios, passed on both servers
OTHER_ACCOUNT = "210987654321"


@pytest.fixture(autouse=True)
def clean_environment(no_real_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AWS_ENDPOINT_URL", "MOTO_")) or name.endswith("_REGION"):
            monkeypatch.delenv(name)
    # Under pytest-xdist: the runs here are serial (a manual-clock server refuses parallel ones).
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    """A reference server on a manual clock, in an account of its own (its STS names it)."""
    options = ServerOptions(port=0, clock=ClockMode.MANUAL)
    with ReferenceServer(options, account_id=OTHER_ACCOUNT) as server:
        yield server.url


@pytest.mark.slow
def test_aws_endpoint_url_alone_runs_the_suite_there(
    reference_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", reference_url)
    results = tmp_path / "results.json"
    assert main(["run", "--results", str(results), "--quiet", *SELECTION]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"firehose-conformance: target endpoint at {reference_url} ")
    target = read_results(results).provenance["target"]
    assert target == {
        "name": "endpoint",
        "account": OTHER_ACCOUNT,
        "region": "us-east-1",
        "endpoint_url": reference_url,
        "endpoint_source": "AWS_ENDPOINT_URL",
        "region_source": "the server's health",
        "account_source": "STS GetCallerIdentity",
        "implementation": "reference_impl server",
        "models": target["models"],
    }


@pytest.mark.slow
def test_the_account_is_sts_s(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto_server answers STS with MOTO_ACCOUNT_ID (read per request): the target follows it,
    and builds its ARNs in that account."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    made = make_target("endpoint", endpoint_url=moto_server, label="moto-server")
    try:
        assert made.account_id == "111122223333"
        assert made.delivery_role_arn().startswith("arn:aws:iam::111122223333:role/")
        identity = made.identity()
        assert identity["account_source"] == "STS GetCallerIdentity"
        assert (identity["region"], identity["region_source"]) == ("eu-central-1", "AWS_REGION")
        assert (identity["implementation"], identity["label"]) == ("moto server", "moto-server")
    finally:
        made.close()


@pytest.mark.slow
def test_labels_name_the_columns_of_merged_reports(
    reference_url: str, moto_server: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)  # the default results files: reports/results-<label>.json
    assert main(["run", "--endpoint-url", reference_url, "--label", "ref-server", *SELECTION]) == 0
    code = main(["run", "--endpoint-url", moto_server, "--label", "moto-server", *SELECTION])
    assert code in (0, 1)
    files = [
        tmp_path / "reports" / f"results-{name}.json" for name in ("ref-server", "moto-server")
    ]
    assert all(f.is_file() for f in files)
    capsys.readouterr()
    assert main(["report", *map(str, files), "--format", "json"]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert [t["label"] for t in merged["targets"]] == ["ref-server", "moto-server"]
    assert [t["target"] for t in merged["targets"]] == ["endpoint", "endpoint"]
    assert main(["report", *map(str, files)]) == 0
    table = capsys.readouterr().out
    assert "ref-server" in table and "moto-server" in table and "endpoint (2)" not in table


def _client(url: str, service: str) -> object:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.mark.slow
def test_sweep_an_emulator_by_the_names_the_suite_gives(moto_url: str, capsys) -> None:
    s3, kms = _client(moto_url, "s3"), _client(moto_url, "kms")
    for bucket in ("fsc-a1b2c3-bucket-1", "fsc-d4e5f6-bucket-2", "fsc-not-a-run", "keep-me"):
        s3.create_bucket(Bucket=bucket)
    key = kms.create_key(
        Description="firehose-conformance test key",
        Tags=[{"TagKey": "firehose-conformance", "TagValue": "a1b2c3"}],
    )["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/fsc-a1b2c3-key-1", TargetKeyId=key)
    other = kms.create_key(Description="someone else's")["KeyMetadata"]["KeyId"]

    assert main(["sweep", "--endpoint-url", moto_url, "--run-id", "a1b2c3"]) == 0
    listed = capsys.readouterr().out
    assert "fsc-a1b2c3-bucket-1" in listed and "alias/fsc-a1b2c3-key-1" in listed
    assert key in listed and "fsc-d4e5f6" not in listed and other not in listed
    assert "dry run: 3 leftover(s) in account 123456789012, region us-east-1 at" in listed

    assert main(["sweep", "--endpoint-url", moto_url, "--yes"]) == 0
    assert "removed 4 of 4; 0 remain" in capsys.readouterr().out
    names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    assert names == ["fsc-not-a-run", "keep-me"]
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert kms.describe_key(KeyId=other)["KeyMetadata"]["KeyState"] == "Enabled"


@pytest.mark.slow
def test_audit_reads_the_same_environment(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_REGION", "ap-northeast-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert main(["audit", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["endpoint_url"], document["regions"]) == (moto_url, ["ap-northeast-2"])
    assert main(["audit", "--format", "json", "--region", "eu-west-1"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == ["eu-west-1"]
