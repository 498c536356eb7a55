"""README's CI job for an emulator's repository runs as written, against moto_server.

The block after the ``<!-- ci-example ... -->`` marker is a GitHub Actions workflow; its
``run:`` steps run here in order, with bash as GitHub runs them (``-eo pipefail``), in a
directory that stands for the emulator's checkout (it holds ``expectations/moto.toml``), with
the venv of the wheel under test first on PATH and the two substitutions README documents: the
package ``firehose-sse-conformance`` is that wheel, and port 5000 a free one.

The job runs the whole suite on moto_server (-n 16: about two minutes), so it runs only with
``--run-ci-example``: ``.ci/run`` passes it on every build, where this is its moto_server leg.
Without it, the block is still extracted, parsed and substituted, so an edit of README that this
test could no longer run fails at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from firehose_conformance.targets.endpoint import FAST_EMULATOR_OPTIONS

REPO = Path(__file__).resolve().parents[2]
MARKER = "<!-- ci-example:"
PACKAGE = "firehose-sse-conformance"
PORT = "5000"


def _workflow() -> dict:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.count(MARKER) == 1, f"README.md must hold one {MARKER} marker"
    after = text.split(MARKER, 1)[1].split("\n", 1)[1]
    match = re.match(r"```yaml\n(.*?)\n```\n", after, re.S)
    assert match, f"the {MARKER} marker must stand right before a ```yaml block"
    return yaml.safe_load(match.group(1))


def _run_steps() -> list[tuple[str, str]]:
    (job,) = _workflow()["jobs"].values()
    return [(step.get("name", step["run"]), step["run"]) for step in job["steps"] if "run" in step]


def _substituted(script: str, wheel: Path, port: int) -> str:
    """The two documented substitutions, nothing else."""
    script = re.sub(rf"(?<![\w.-]){re.escape(PACKAGE)}(?![\w.-])", str(wheel), script)
    return re.sub(rf"(?<=:){PORT}\b|(?<=-p ){PORT}\b", str(port), script)


def test_the_example_is_a_workflow_this_test_can_run() -> None:
    steps = _run_steps()
    scripts = "\n".join(script for _, script in steps)
    assert len(re.findall(rf"(?<![\w.-]){re.escape(PACKAGE)}(?![\w.-])", scripts)) == 1
    substituted = _substituted(scripts, Path("/the.whl"), 54321)
    assert PORT not in substituted, "port 5000 everywhere, so that the free port replaces it"
    assert "pip install" in substituted and "/the.whl" in substituted
    assert "127.0.0.1:54321" in substituted and "-p 54321" in substituted
    assert "--pyargs firehose_conformance.steps" in scripts
    assert "--fc-expectations expectations/moto.toml" in scripts


def test_the_example_gives_moto_the_fast_emulator_bounds() -> None:
    """README's literal wait bounds are FAST_EMULATOR_OPTIONS, which the bench and the tests
    use for moto_server: change one, change both."""
    scripts = "\n".join(script for _, script in _run_steps())
    given = dict(re.findall(r"--fc-target-option (\w+)=(\S+)", scripts))
    assert given == dict(FAST_EMULATOR_OPTIONS)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The emulator's checkout, as far as the job reads it: its declaration of deviations."""
    path = tmp_path / "checkout"
    (path / "expectations").mkdir(parents=True)
    shutil.copy2(REPO / "expectations" / "moto.toml", path / "expectations" / "moto.toml")
    return path


@pytest.fixture
def groups() -> Iterator[list[int]]:
    """The process groups of the steps: what a step left running (the emulator) ends here."""
    started: list[int] = []
    yield started
    for group in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)


@pytest.mark.slow
@pytest.mark.ci_example
def test_the_readme_ci_job_passes_on_moto_server_as_written(
    installed, checkout: Path, free_port, groups: list[int]
) -> None:
    port = free_port()
    for name, script in _run_steps():
        bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
        step = subprocess.Popen(
            [*bash, _substituted(script, installed.wheel, port)],
            cwd=checkout,
            env=installed.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        groups.append(step.pid)
        output, _ = step.communicate(timeout=1800)
        tail = "\n".join(output.splitlines()[-40:])
        assert step.returncode == 0, f"step {name!r} exited {step.returncode}:\n{tail}"
    results = json.loads((checkout / "reports" / "results-moto-server.json").read_text())
    assert (checkout / "reports" / "junit-moto-server.xml").is_file()
    assert results["target"] == "endpoint"
    assert results["provenance"]["target"]["label"] == "moto-server"
    assert results["provenance"]["target"]["endpoint_url"] == f"http://127.0.0.1:{port}"
    assert "moto" in results["provenance"]["target"]["implementation"]
    assert not results["interrupted"] and results["selection"] == ""  # the whole suite
    # moto deviates: the job passed because the run matched the declaration, not because
    # nothing failed.
    assert results["requirement_summary"].get("failed", 0) > 0
    assert "all " in tail and "declared verdicts matched" in tail
