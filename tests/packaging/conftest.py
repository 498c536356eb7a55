"""The package as a user installs it: one wheel built from this tree, in one fresh venv.

Built and installed once per test session (about 30 s: the build, ``python -m venv``, and
``pip install -c constraints.txt`` of the wheel and its dependencies, which come from the
package index or pip's cache), and shared by every test of this directory. Under pytest-xdist
the workers share it too: the first one builds it under a lock, the others wait and reuse it.
``FSC_WHEEL_DIR=DIR`` shares it between pytest sessions over the same tree at the same time:
``.ci/run`` gives its two sessions (the background CI example and the tests) one directory, so
the wheel is built and installed once per build.

The wheel is built from a copy of the sources a wheel is made of, so that no ``build/``
directory of an earlier build (setuptools leaves one in the tree, with files since deleted) can
slip into it. Helpers are handed out as fixtures: with ``--import-mode=importlib`` a test module
cannot import this file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What pyproject.toml builds the wheel from (its packages, package-dirs and readme).
SOURCES = ("pyproject.toml", "README.md", "firehose_conformance", "reference_impl", "features")
SOURCES += ("steps",)


@dataclass(frozen=True)
class Installed:
    """The wheel installed in a fresh venv; commands run from a directory outside the tree."""

    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def site_packages(self) -> Path:
        found = list(self.venv.glob("lib/python*/site-packages"))
        assert len(found) == 1, found
        return found[0]

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A user's environment: the venv first on PATH, dummy credentials, no AWS config, and
        nothing of this test session (no PYTHONPATH, no pytest or xdist variables)."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AWS_", "PYTEST_", "PYTHON", "VIRTUAL_ENV"))
        }
        env.update(
            PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            VIRTUAL_ENV=str(self.venv),
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
            NO_COLOR="1",
        )
        env.update(extra or {})
        return env

    def run(
        self,
        *argv: str | Path,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command of the venv (``firehose-conformance ...``, ``python ...``) in ``cwd``."""
        first, *rest = (str(arg) for arg in argv)
        program = str(self.bin / first) if (self.bin / first).exists() else first
        return subprocess.run(
            [program, *rest],
            cwd=cwd,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _pip(python: Path | str, *args: str, cwd: Path) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        noise = "WARNING: Location"  # pip on some machines: a missing local index, per package
        output = [line for line in (done.stdout + done.stderr).splitlines() if noise not in line]
        raise AssertionError(f"pip {args[0]} failed ({done.returncode}):\n" + "\n".join(output))


def _build_and_install(where: Path) -> Installed:
    source = where / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    wheels = where / "wheels"
    _pip(sys.executable, "wheel", "--no-deps", "--wheel-dir", str(wheels), str(source), cwd=where)
    (wheel,) = wheels.glob("firehose_sse_conformance-*.whl")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # --no-compile: byte-compiling every dependency at install time is half of pip's time, and
    # the few modules a command imports compile on first use anyway.
    constraints = str(REPO / "constraints.txt")
    _pip(
        venv / "bin" / "python", "install", "--no-compile", "-c", constraints, str(wheel), cwd=where
    )
    return Installed(wheel=wheel, venv=venv)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel of this tree, installed in a fresh venv (built once per session)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the directory every worker's basetemp is in
    if os.environ.get("FSC_WHEEL_DIR"):
        shared = Path(os.environ["FSC_WHEEL_DIR"])  # .ci/run: one for its pytest sessions
        shared.mkdir(parents=True, exist_ok=True)
    where = shared / "installed-wheel"
    with (shared / "installed-wheel.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = where / "done"
        if not done.exists():
            shutil.rmtree(where, ignore_errors=True)
            where.mkdir()
            installed = _build_and_install(where)
            done.write_text(f"{installed.wheel}\n{installed.venv}\n")
        wheel, venv = done.read_text().split()
    return Installed(wheel=Path(wheel), venv=Path(venv))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory outside the repository (no features/, steps/ or docs/ around)."""
    path = tmp_path / "elsewhere"
    path.mkdir()
    assert REPO not in path.resolve().parents
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port} within 60 s")


@pytest.fixture
def free_port() -> Callable[[], int]:
    """A loopback port that was free a moment ago."""
    return _free_port


@pytest.fixture
def wheel_server(installed: Installed, tmp_path: Path) -> Iterator[str]:
    """``firehose-conformance serve`` of the installed wheel on a free loopback port: its URL.

    Transitions take 0.1 s instead of the default 10 s: a scenario waits out a stream's CREATING
    before it starts, and the next one its deletion."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    serve = ["serve", "--port", str(port), "--quiet", "--transition-seconds", "0.1"]
    process = subprocess.Popen(
        [str(installed.bin / "firehose-conformance"), *serve],
        cwd=tmp_path,
        env=installed.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_port(port, process, "firehose-conformance serve")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
