"""``firehose-conformance --version`` names what a verdict depends on, and the results'
provenance records the same: the package's version, the spec's (the catalog's) and the model
snapshot's."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest

from firehose_conformance import __version__
from firehose_conformance.cli import main
from firehose_conformance.locations import SPEC_PACKAGE, package_dir
from firehose_conformance.provenance import provenance
from firehose_conformance.runner import Selection, run_suite
from reference_impl.aws_models import SNAPSHOT


def _catalog_spec() -> dict[str, str]:
    catalog = package_dir(SPEC_PACKAGE) / "requirements.toml"
    return tomllib.loads(catalog.read_text(encoding="utf-8"))["spec"]


def test_version_prints_the_package_the_spec_and_the_models(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    spec = _catalog_spec()
    assert __version__ == metadata.version("firehose-sse-conformance")
    assert spec["model_snapshot"] == SNAPSHOT.name
    out, err = capsys.readouterr()
    assert (out, err) == (
        f"firehose-conformance {__version__} (spec {spec['version']}, models {SNAPSHOT.name})\n",
        "",
    )


def test_the_results_carry_the_versions_version_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    printed = capsys.readouterr().out
    results = run_suite("reference", selection=Selection(markers="SSE-01")).results
    recorded = results.provenance
    assert recorded == provenance("reference", recorded["target"])
    assert printed == (
        f"firehose-conformance {recorded['packages']['firehose-sse-conformance']} "
        f"(spec {recorded['spec_version']}, models {recorded['model_snapshot']['name']})\n"
    )
