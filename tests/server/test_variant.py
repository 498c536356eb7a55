"""A variant of the reference served over HTTP: ``--variant NAME`` (also ``serve --variant``)."""

from __future__ import annotations

import argparse

import pytest
from server_http import client, control, s3_destination

from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions, add_arguments, options_from


def test_the_server_runs_the_variant_it_is_given_and_says_so() -> None:
    options = ServerOptions(port=0, clock=ClockMode.MANUAL, variant="encrypted-always-true")
    with ReferenceServer(options) as server:
        assert control(server.port, "health").json()["variant"] == "encrypted-always-true"
        client(server.url, "s3").create_bucket(Bucket="variant-bucket")
        firehose = client(server.url, "firehose")
        firehose.create_delivery_stream(
            DeliveryStreamName="v", S3DestinationConfiguration=s3_destination("variant-bucket")
        )
        control(server.port, "clock/advance", {"seconds": 10})
        answer = firehose.put_record(DeliveryStreamName="v", Record={"Data": b"x"})
        assert answer["Encrypted"] is True  # without SSE: the deviant's bug
    with ReferenceServer(ServerOptions(port=0, clock=ClockMode.MANUAL)) as plain:
        assert "variant" not in control(plain.port, "health").json()


def test_the_variant_option_is_checked_against_the_catalog(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser(prog="serve")
    add_arguments(parser)
    assert options_from(parser.parse_args(["--variant", "metric-misnamed"])).variant == (
        "metric-misnamed"
    )
    assert options_from(parser.parse_args([])).variant is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--variant", "nope"])
    assert "unknown variant 'nope' (see --list-variants)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as listed:
        parser.parse_args(["--list-variants"])
    assert listed.value.code == 0
    assert "metric-misnamed  [deviant (MET-01 MET-04)]" in capsys.readouterr().out
