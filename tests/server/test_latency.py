"""``serve --latency none|aws``, ``--latency-file``, ``--latency-set`` and ``--list-latency``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from server_http import client, control, s3_destination

from reference_impl.clock import DEFAULT_START, ClockMode
from reference_impl.latency import AWS_PROFILE, Latency
from reference_impl.wire.server import ReferenceServer, ServerOptions, add_arguments, options_from


def options(*argv: str) -> ServerOptions:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return options_from(parser.parse_args(list(argv)))


def test_without_latency_options_the_server_is_as_it_was() -> None:
    plain = options()
    assert plain.effective_latency == Latency()
    assert plain.transition_seconds == 10.0
    fast = options("--transition-seconds", "1")
    assert fast.effective_latency.seconds() == {
        **Latency().seconds(),
        "firehose.creating": 1.0,
        "firehose.enabling": 1.0,
        "firehose.disabling": 1.0,
        "firehose.deleting": 1.0,
    }
    assert fast.effective_latency.profile == "none"
    assert ServerOptions(transition_seconds=0.3).effective_latency.firehose_enabling == 0.3


def test_latency_aws_and_its_overrides() -> None:
    assert options("--latency", "aws").effective_latency == AWS_PROFILE
    tuned = options(
        "--latency", "aws", "--latency-set", "creating=45", "--latency-set", "kinesis.updating=2"
    ).effective_latency
    assert tuned.profile == "custom"
    assert tuned.seconds() == {
        **AWS_PROFILE.seconds(),
        "firehose.creating": 45.0,
        "kinesis.updating": 2.0,
    }
    both = options("--latency", "aws", "--transition-seconds", "1").effective_latency
    assert (both.firehose_deleting, both.firehose_grant_retirement) == (1.0, 300.0)


def test_a_latency_file_is_read_while_parsing(tmp_path: Path) -> None:
    file = tmp_path / "latency.toml"
    file.write_text('profile = "aws"\n[firehose]\ndeleting = 60\n')
    found = options("--latency-file", str(file), "--latency-set", "deleting=30").effective_latency
    assert (found.firehose_creating, found.firehose_deleting) == (40.0, 30.0)
    assert options("--latency", "none", "--latency-file", str(file)).effective_latency.seconds()[
        "firehose.creating"
    ] == (10.0)


@pytest.mark.parametrize(
    "argv",
    [
        ["--latency", "fast"],
        ["--latency-set", "creating"],
        ["--latency-set", "bogus=1"],
        ["--latency-set", "creating=-1"],
        ["--latency-file", "/nonexistent/latency.toml"],
    ],
)
def test_bad_latency_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        options(*argv)
    assert stopped.value.code == 2


def test_list_latency_prints_the_profiles_and_exits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        options("--list-latency")
    assert stopped.value.code == 0
    printed = capsys.readouterr().out
    assert "firehose.deleting" in printed and "180s" in printed


def test_a_server_with_latency_aws_reports_it_and_takes_its_time() -> None:
    with ReferenceServer(
        ServerOptions(port=0, clock=ClockMode.MANUAL, latency=AWS_PROFILE)
    ) as server:
        health = control(server.port, "health").json()
        assert health["latency"] == {"profile": "aws", "seconds": AWS_PROFILE.seconds()}
        assert health["transition_seconds"] == 180.0  # the longest Firehose transition
        client(server.url, "s3").create_bucket(Bucket="latency")
        fh = client(server.url, "firehose")
        fh.create_delivery_stream(
            DeliveryStreamName="slow",
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=s3_destination("latency"),
        )
        control(server.port, "clock/advance", {"seconds": 39})
        described = fh.describe_delivery_stream(DeliveryStreamName="slow")
        assert described["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "CREATING"
        answer = control(server.port, "clock/advance", {"seconds": 1}).json()
        assert answer["now"] == DEFAULT_START.timestamp() + 40
        described = fh.describe_delivery_stream(DeliveryStreamName="slow")
        assert described["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE"
        control(server.port, "reset", {})
        assert control(server.port, "health").json()["latency"]["profile"] == "aws"
