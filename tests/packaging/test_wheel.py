"""The wheel, installed in a fresh venv and used from a directory outside the repository, as a
user of the package would: the spec and its steps travel inside it, and every command finds
them without a checkout."""

from __future__ import annotations

import json
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from firehose_conformance import __version__

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SPEC_VERSION = tomllib.loads((REPO / "features" / "requirements.toml").read_text())["spec"][
    "version"
]


def _ok(done: Any) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return str(done.stdout)


def test_site_packages_holds_one_package_of_the_suite_and_no_generic_names(installed) -> None:
    site = installed.site_packages()
    assert not (site / "steps").exists() and not (site / "features").exists()
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        top = {name.split("/", 1)[0] for name in names if not name.split("/")[0].endswith("-info")}
        (info,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert top == {"firehose_conformance", "reference_impl"}
    package = site / "firehose_conformance"
    # The catalog, every feature and what the spec cites travel with the steps.
    spec = {path.name for path in (package / "spec").iterdir()}
    assert {"requirements.toml", "ambiguities.toml", "sources.toml", "state_machines.md"} <= spec
    assert {p.name for p in (REPO / "features").glob("*.feature")} <= spec
    assert (package / "spec" / "sources" / "data-protection-in-firehose.txt").is_file()
    assert {p.name for p in (REPO / "steps").glob("*.py")} <= {
        p.name for p in (package / "steps").glob("*.py")
    }
    assert "firehose-conformance = firehose_conformance.pytest_plugin" in entry_points


def test_run_on_the_reference_from_elsewhere_writes_the_results_where_asked(
    installed, outside: Path
) -> None:
    out = _ok(installed.run("firehose-conformance", "run", "--results", "out/r.json", cwd=outside))
    assert "no mandatory requirement failed or errored" in out
    results = json.loads((outside / "out" / "r.json").read_text())
    assert (outside / "out" / "junit-r.xml").is_file()  # JUnit beside --results
    assert not (outside / "reports").exists()
    assert results["target"] == "reference"
    assert results["summary"]["failed"] == results["summary"]["error"] == 0
    assert results["summary"]["passed"] > 150  # every feature file was found and ran
    provenance = results["provenance"]
    assert provenance["spec_version"] == SPEC_VERSION
    assert provenance["packages"]["firehose-sse-conformance"] == __version__
    assert provenance["model_snapshot"]["name"].startswith("botocore-")


def test_requirements_lists_the_catalog_from_elsewhere(installed, outside: Path) -> None:
    out = _ok(installed.run("firehose-conformance", "requirements", cwd=outside))
    catalog = tomllib.loads((REPO / "features" / "requirements.toml").read_text())
    ids = [r["id"] for r in catalog["requirement"]]
    assert [line.split()[0] for line in out.splitlines() if line[:1].isupper()] == ids


def test_version_names_the_package_the_spec_and_the_models(installed, outside: Path) -> None:
    expected = f"firehose-conformance {__version__} (spec {SPEC_VERSION}, models botocore-"
    assert _ok(installed.run("firehose-conformance", "--version", cwd=outside)).startswith(expected)
    module = installed.run("python", "-m", "firehose_conformance", "--version", cwd=outside)
    assert _ok(module).startswith(expected)


def test_aws_endpoint_url_alone_runs_the_suite_against_a_served_reference(
    installed, wheel_server: str, outside: Path
) -> None:
    done = installed.run(
        "firehose-conformance",
        "run",
        "--quiet",
        "--",
        "-m",
        "SSE-01",
        cwd=outside,
        env={"AWS_ENDPOINT_URL": wheel_server},
    )
    _ok(done)
    assert f"target endpoint at {wheel_server} (AWS_ENDPOINT_URL is set)" in done.stderr
    results = json.loads((outside / "reports" / "results-endpoint.json").read_text())
    assert results["target"] == "endpoint"
    assert results["provenance"]["target"]["endpoint_url"] == wheel_server
    assert results["provenance"]["target"]["endpoint_source"] == "AWS_ENDPOINT_URL"
    assert results["provenance"]["target"]["implementation"].startswith("reference")
    verdicts = {r["id"]: r["verdict"] for r in results["requirements"]}
    assert verdicts["SSE-01"] == "passed"
    assert not {"failed", "error"} & set(verdicts.values())
    assert {s["verdict"] for s in results["scenarios"]} == {
        "passed",
        "not_applicable",  # SSE-01's scenario that needs a controllable clock
    }


def test_docs_without_a_checkout_refuses_in_one_line(installed, outside: Path) -> None:
    done = installed.run("firehose-conformance", "docs", "--check", cwd=outside)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "checkout of the repository" in line and "--docs-dir" in line
